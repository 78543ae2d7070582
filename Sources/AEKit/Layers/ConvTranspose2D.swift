import Compute

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

    public var spec: LayerSpec {
        .convTranspose2d(inChannels, outChannels, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding,
                         bias: bias != nil)
    }

    public func geometry(_ input: [Int]) throws -> ConvTransposeGeometry { try spec.convTransposeGeometry(input) }
}
