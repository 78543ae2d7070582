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
public final class Conv2D: ConvolutionLayer {
    public let kind = "Conv2d"
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    public let padding: Padding
    public let weight: Parameter, bias: Parameter
    public var savedInput: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = .valid,
                backend: any Backend, initialization: Initialization, random: inout SeededRandom) throws {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding
        (weight, bias) = try convolutionParameters(weightShape: [outChannels, inChannels, kernel, kernel], outChannels: outChannels,
                                                   backend: backend, initialization: initialization, random: &random)
    }

    public var arguments: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernel), \(kernel)), stride=(\(stride), \(stride)), "
            + "padding=(\(padding.amount(kernel: kernel)), \(padding.amount(kernel: kernel)))"
    }

    public func geometry(_ input: [Int]) throws -> ConvGeometry {
        guard input.count == 4, input[1] == inChannels else {
            throw ModelError.shape("Conv2d(\(inChannels), \(outChannels)) needs [batch, \(inChannels), H, W], got \(input)")
        }
        let g = ConvGeometry(batch: input[0], inChannels: inChannels, inHeight: input[2], inWidth: input[3],
                             outChannels: outChannels, kernelHeight: kernel, kernelWidth: kernel,
                             stride: stride, padding: padding.amount(kernel: kernel))
        guard g.isValid else { throw ModelError.shape("Conv2d \(kernel)x\(kernel) does not fit an input of \(input)") }
        return g
    }
}
