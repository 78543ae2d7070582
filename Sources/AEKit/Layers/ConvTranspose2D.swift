import Compute

/// Transposed 2-D convolution, weight `[in, out, k, k]` as PyTorch's `ConvTranspose2d`;
/// output size `(in − 1)·stride − 2·padding + k + outputPadding`.
public final class ConvTranspose2D: ConvolutionLayer<ConvTransposeGeometry> {
    public let padding: Int, outputPadding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, backend: any Backend, initialization: Initialization,
                random: inout SeededRandom) throws {
        self.padding = padding; self.outputPadding = outputPadding
        try super.init(kind: "ConvTranspose2d", inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                       stride: stride, weightShape: [inChannels, outChannels, kernel, kernel], backend: backend,
                       initialization: initialization, random: &random)
    }

    public override var arguments: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernel), \(kernel)), stride=(\(stride), \(stride))"
            + (padding > 0 ? ", padding=(\(padding), \(padding))" : "")
            + (outputPadding > 0 ? ", output_padding=(\(outputPadding), \(outputPadding))" : "")
    }

    override func geometry(_ input: [Int]) throws -> ConvTransposeGeometry {
        guard input.count == 4, input[1] == inChannels else {
            throw ModelError.shape("ConvTranspose2d(\(inChannels), \(outChannels)) needs [batch, \(inChannels), H, W], got \(input)")
        }
        let g = ConvTransposeGeometry(batch: input[0], inChannels: inChannels, inHeight: input[2], inWidth: input[3],
                                      outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                                      outputPadding: outputPadding)
        guard g.isValid else { throw ModelError.shape("ConvTranspose2d \(g) is not valid (output_padding must be below stride)") }
        return g
    }
}
