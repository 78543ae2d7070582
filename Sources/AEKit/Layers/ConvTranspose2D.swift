import Compute

/// Transposed 2-D convolution, weight `[in, out, k, k]` as PyTorch's `ConvTranspose2d`;
/// output size `(in − 1)·stride − 2·padding + k + outputPadding`.
public final class ConvTranspose2D: Layer {
    public let kind = "ConvTranspose2d"
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int
    public let weight: Parameter, bias: Parameter
    private var input: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, backend: any Backend, initialization: Initialization,
                random: inout SeededRandom) throws {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
        let shape = [inChannels, outChannels, kernel, kernel]
        let drawn = initialization.draw(shape: shape, biasCount: outChannels, random: &random)
        weight = try Parameter(name: "weight", value: backend.tensor(shape, values: drawn.weight), backend: backend)
        bias = try Parameter(name: "bias", value: backend.tensor([outChannels], values: drawn.bias), backend: backend)
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var arguments: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernel), \(kernel)), stride=(\(stride), \(stride))"
            + (padding > 0 ? ", padding=(\(padding), \(padding))" : "")
            + (outputPadding > 0 ? ", output_padding=(\(outputPadding), \(outputPadding))" : "")
    }

    func geometry(_ input: [Int]) throws -> ConvTransposeGeometry {
        guard input.count == 4, input[1] == inChannels else {
            throw ModelError.shape("ConvTranspose2d(\(inChannels), \(outChannels)) needs [batch, \(inChannels), H, W], got \(input)")
        }
        let g = ConvTransposeGeometry(batch: input[0], inChannels: inChannels, inHeight: input[2], inWidth: input[3],
                                      outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                                      outputPadding: outputPadding)
        guard g.isValid else { throw ModelError.shape("ConvTranspose2d \(g) is not valid (output_padding must be below stride)") }
        return g
    }

    public func outputShape(for input: [Int]) throws -> [Int] {
        let g = try geometry(input)
        return [g.batch, outChannels, g.outHeight, g.outWidth]
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let g = try geometry(x.shape), b = context.backend
        let y = try b.tensor([g.batch, outChannels, g.outHeight, g.outWidth])
        try b.convTranspose2dForward(g, input: x.buffer, weight: weight.value.buffer, output: y.buffer)
        try b.biasAdd(y.buffer, bias: bias.value.buffer, channels: outChannels, inner: g.outHeight * g.outWidth)
        input = x
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let x = try saved(input), g = try geometry(x.shape), b = context.backend
        try b.convTranspose2dBackwardWeights(g, input: x.buffer, outputGrad: dy.buffer, weightGrad: weight.gradient.buffer)
        try b.biasGradient(dy.buffer, channels: outChannels, inner: g.outHeight * g.outWidth, into: bias.gradient.buffer)
        guard needsInputGradient else { return nil }
        let dx = try b.tensor(x.shape)
        try b.convTranspose2dBackwardData(g, outputGrad: dy.buffer, weight: weight.value.buffer, inputGrad: dx.buffer)
        return dx
    }
}
