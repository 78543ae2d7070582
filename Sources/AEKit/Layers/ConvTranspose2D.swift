import Compute

/// `ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
/// output_padding=0, bias=True)` with a square kernel.
struct ConvTranspose2dSpec: ConvolutionKind {
    static let classNames = ["ConvTranspose2d"]
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int
    let bias: Bool

    init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int, bias: Bool) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding; self.outputPadding = outputPadding; self.bias = bias
    }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias",
                    "dilation", "padding_mode"])
        try a.fixed("dilation", .int(1)); try a.fixed("groups", .int(1))
        try a.fixed("padding_mode", .string("zeros"))
        self.init(inChannels: try a.int("in_channels"), outChannels: try a.int("out_channels"),
                  kernel: try a.square("kernel_size") ?? a.missing("kernel_size"), stride: try a.square("stride") ?? 1,
                  padding: try a.square("padding") ?? 0, outputPadding: try a.square("output_padding") ?? 0,
                  bias: try a.bool("bias") ?? true)
    }

    var arguments: String {
        func pair(_ n: Int) -> String { "(\(n), \(n))" }
        return "\(inChannels), \(outChannels), kernel_size=\(pair(kernel)), stride=\(pair(stride))"
            + (padding > 0 ? ", padding=\(pair(padding))" : "") + (outputPadding > 0 ? ", output_padding=\(pair(outputPadding))" : "")
            + biasArgument
    }

    var problem: String? {
        [LayerLimits.check("in_channels", inChannels, LayerLimits.channels),
         LayerLimits.check("out_channels", outChannels, LayerLimits.channels),
         LayerLimits.check("kernel_size", kernel, LayerLimits.windows), LayerLimits.check("stride", stride, LayerLimits.windows),
         LayerLimits.check("padding", padding, LayerLimits.padding),
         outputPadding < stride ? LayerLimits.check("output_padding", outputPadding, LayerLimits.padding)
                                : "its output_padding (\(outputPadding)) must be smaller than its stride (\(stride))"]
            .compactMap { $0 }.first
    }

    func geometry(_ input: [Int]) throws -> ConvTransposeGeometry {
        try checkImages(input, channels: inChannels)
        let g = ConvTransposeGeometry(batch: input[0], inChannels: inChannels, inHeight: input[2], inWidth: input[3],
                                      outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                                      outputPadding: outputPadding)
        guard g.isValid else { throw unfitting(input) }
        return g
    }

    func multiplyAdds(input: [Int], output: [Int]) -> Int { input.dropFirst().reduce(1, *) * outChannels * kernel * kernel }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer {
        try ConvTranspose2D(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding,
                            bias: bias, backend: build.backend, initialization: build.initialization, random: &build.random)
    }
}

/// Transposed 2-D convolution, weight `[in, out, k, k]` as PyTorch's `ConvTranspose2d`;
/// output size `(in − 1)·stride − 2·padding + k + outputPadding`.
public final class ConvTranspose2D: ConvolutionLayer {
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    public let padding: Int, outputPadding: Int
    public let weight: Parameter, bias: Parameter?
    public var savedInput: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, bias: Bool = true, backend: any Backend, initialization: Initialization,
                random: inout SeededRandom) throws {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding; self.outputPadding = outputPadding
        (weight, self.bias) = try productParameters(weightShape: [inChannels, outChannels, kernel, kernel], outputs: outChannels, bias: bias,
                                                    backend: backend, initialization: initialization, random: &random)
    }

    var definition: ConvTranspose2dSpec {
        ConvTranspose2dSpec(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                            outputPadding: outputPadding, bias: bias != nil)
    }

    public var spec: LayerSpec { LayerSpec(definition) }

    public func geometry(_ input: [Int]) throws -> ConvTransposeGeometry { try definition.geometry(input) }
}

extension ConvTranspose2dSpec {
    func onnx(_ layer: ONNXLayer) throws -> String {
        layer.node("ConvTranspose", [layer.input, try layer.weight("weight")] + (bias ? [try layer.weight("bias")] : []),
                   [ONNXAttribute.ints("kernel_shape", [kernel, kernel]), ONNXAttribute.ints("strides", [stride, stride]),
                    ONNXAttribute.ints("pads", [padding, padding, padding, padding]),
                    ONNXAttribute.ints("output_padding", [outputPadding, outputPadding])])
    }
}
