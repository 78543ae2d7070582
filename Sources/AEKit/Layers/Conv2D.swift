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
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    public let padding: Padding
    public let weight: Parameter, bias: Parameter?
    public var savedInput: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = .valid, bias: Bool = true,
                backend: any Backend, initialization: Initialization, random: inout SeededRandom) throws {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding
        (weight, self.bias) = try productParameters(weightShape: [outChannels, inChannels, kernel, kernel], outputs: outChannels, bias: bias,
                                                    backend: backend, initialization: initialization, random: &random)
    }

    public var spec: LayerSpec {
        .conv2d(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding, bias: bias != nil)
    }

    public func geometry(_ input: [Int]) throws -> ConvGeometry { try spec.convGeometry(input) }

    /// One op: the convolution with the bias, activation and dropout as its epilogue.
    public func productBiasActivation(_ x: Tensor, bias: Parameter, activation: ActivationFunction, dropout: DropoutDraw?,
                                      _ context: ForwardContext) throws -> Tensor {
        let g = try geometry(x.shape), b = context.backend
        let y = try b.tensor([g.batch, outChannels, g.outHeight, g.outWidth])
        try b.conv2dBiasActivationForward(g, input: x.buffer, weight: weight.value.buffer, bias: bias.value.buffer,
                                          activation: activation, dropout: dropout, output: y.buffer)
        savedInput = x
        return y
    }
}
