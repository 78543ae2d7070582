import Compute

/// Padding of a convolution: Keras' `same` (output as large as the input at stride 1, for odd
/// kernels) and `valid` (none), or PyTorch's explicit number of zeros on each side, written as
/// the number itself (`.conv2d(1, 16, kernel: 3, padding: 1)`).
public enum Padding: Codable, Sendable, Equatable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    case same, valid, explicit(Int)

    public init(integerLiteral zeros: Int) { self = .explicit(zeros) }

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

/// `Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True)` with a
/// square kernel; padding a number, `'same'` or `'valid'`.
struct Conv2dSpec: ConvolutionKind {
    static let classNames = ["Conv2d"]
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    let padding: Padding
    let bias: Bool

    init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Padding, bias: Bool) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding; self.bias = bias
    }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"])
        try a.fixed("dilation", .int(1)); try a.fixed("groups", .int(1))
        try a.fixed("padding_mode", .string("zeros"))
        let padding: Padding
        switch a.given["padding"] {
        case .name("same"), .string("same"): padding = .same
        case nil, .name("valid"), .string("valid"): padding = .valid
        default: padding = try a.square("padding").map { $0 == 0 ? .valid : .explicit($0) } ?? .valid
        }
        self.init(inChannels: try a.int("in_channels"), outChannels: try a.int("out_channels"),
                  kernel: try a.square("kernel_size") ?? a.missing("kernel_size"), stride: try a.square("stride") ?? 1,
                  padding: padding, bias: try a.bool("bias") ?? true)
    }

    var arguments: String {
        func pair(_ n: Int) -> String { "(\(n), \(n))" }
        let padded = switch padding {
        case .valid, .explicit(0): ""
        case .same: ", padding='same'"
        case .explicit(let n): ", padding=\(pair(n))"
        }
        return "\(inChannels), \(outChannels), kernel_size=\(pair(kernel)), stride=\(pair(stride))" + padded + biasArgument
    }

    var problem: String? {
        var paddingProblem: String?
        if case .explicit(let n) = padding { paddingProblem = LayerLimits.check("padding", n, LayerLimits.padding) }
        return [LayerLimits.check("in_channels", inChannels, LayerLimits.channels),
                LayerLimits.check("out_channels", outChannels, LayerLimits.channels),
                LayerLimits.check("kernel_size", kernel, LayerLimits.windows), LayerLimits.check("stride", stride, LayerLimits.windows),
                paddingProblem].compactMap { $0 }.first
    }

    /// The convolution on `input`; throws where the input does not fit.
    func geometry(_ input: [Int]) throws -> ConvGeometry {
        try checkImages(input, channels: inChannels)
        let g = ConvGeometry(batch: input[0], inChannels: inChannels, inHeight: input[2], inWidth: input[3], outChannels: outChannels,
                             kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding.amount(kernel: kernel))
        guard g.isValid else { throw unfitting(input) }
        return g
    }

    func multiplyAdds(input: [Int], output: [Int]) -> Int { output.dropFirst().reduce(1, *) * inChannels * kernel * kernel }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer {
        try Conv2D(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding, bias: bias, backend: build.backend,
                   initialization: build.initialization, random: &build.random)
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

    var definition: Conv2dSpec {
        Conv2dSpec(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding, bias: bias != nil)
    }

    public var spec: LayerSpec { LayerSpec(definition) }

    public func geometry(_ input: [Int]) throws -> ConvGeometry { try definition.geometry(input) }

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

extension Conv2dSpec {
    func onnx(_ layer: ONNXLayer) throws -> String {
        let p = padding.amount(kernel: kernel)
        return layer.node("Conv", [layer.input, try layer.weight("weight")] + (bias ? [try layer.weight("bias")] : []),
                          [ONNXAttribute.ints("kernel_shape", [kernel, kernel]), ONNXAttribute.ints("strides", [stride, stride]),
                           ONNXAttribute.ints("pads", [p, p, p, p])])
    }
}
