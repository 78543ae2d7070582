import Compute

/// Padding of a convolution: Keras' `same` (output as large as the input at stride 1, for odd
/// kernels) and `valid` (none), or PyTorch's explicit number of zeros on each side.
public enum Padding: Codable, Sendable, Equatable, CustomStringConvertible {
    case same, valid, explicit(Int)

    func amount(kernel: Int) -> Int {
        switch self {
        case .same: return (kernel - 1) / 2
        case .valid: return 0
        case .explicit(let n): return n
        }
    }

    public var description: String {
        switch self {
        case .same: return "same"
        case .valid: return "valid"
        case .explicit(let n): return "\(n)"
        }
    }
}

/// 2-D convolution on NCHW, weight `[out, in, k, k]` as PyTorch's `Conv2d`.
public final class Conv2D: Layer {
    public let kind = "Conv2d"
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    public let padding: Padding
    public let weight: Parameter, bias: Parameter
    private var input: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = .valid,
                backend: any Backend, initialization: Initialization, random: inout SeededRandom) throws {
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding
        let shape = [outChannels, inChannels, kernel, kernel]
        let drawn = initialization.draw(shape: shape, biasCount: outChannels, random: &random)
        weight = try Parameter(name: "weight", value: backend.tensor(shape, values: drawn.weight), backend: backend)
        bias = try Parameter(name: "bias", value: backend.tensor([outChannels], values: drawn.bias), backend: backend)
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var arguments: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernel), \(kernel)), stride=(\(stride), \(stride)), "
            + "padding=(\(padding.amount(kernel: kernel)), \(padding.amount(kernel: kernel)))"
    }

    func geometry(_ input: [Int]) throws -> ConvGeometry {
        guard input.count == 4, input[1] == inChannels else {
            throw ModelError.shape("Conv2d(\(inChannels), \(outChannels)) needs [batch, \(inChannels), H, W], got \(input)")
        }
        let g = ConvGeometry(batch: input[0], inChannels: inChannels, inHeight: input[2], inWidth: input[3],
                             outChannels: outChannels, kernelHeight: kernel, kernelWidth: kernel,
                             stride: stride, padding: padding.amount(kernel: kernel))
        guard g.isValid else { throw ModelError.shape("Conv2d \(kernel)x\(kernel) does not fit an input of \(input)") }
        return g
    }

    public func outputShape(for input: [Int]) throws -> [Int] {
        let g = try geometry(input)
        return [g.batch, outChannels, g.outHeight, g.outWidth]
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let g = try geometry(x.shape), b = context.backend
        let y = try b.tensor([g.batch, outChannels, g.outHeight, g.outWidth])
        try b.conv2dForward(g, input: x.buffer, weight: weight.value.buffer, output: y.buffer)
        try b.biasAdd(y.buffer, bias: bias.value.buffer, channels: outChannels, inner: g.outHeight * g.outWidth)
        input = x
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let x = try saved(input), g = try geometry(x.shape), b = context.backend
        try b.conv2dBackwardWeights(g, input: x.buffer, outputGrad: dy.buffer, weightGrad: weight.gradient.buffer)
        try b.biasGradient(dy.buffer, channels: outChannels, inner: g.outHeight * g.outWidth, into: bias.gradient.buffer)
        guard needsInputGradient else { return nil }
        let dx = try b.tensor(x.shape)
        try b.conv2dBackwardData(g, outputGrad: dy.buffer, weight: weight.value.buffer, inputGrad: dx.buffer)
        return dx
    }
}
