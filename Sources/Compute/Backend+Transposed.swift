/// Sizes of a transposed convolution (PyTorch's `ConvTranspose2d`): input
/// `[batch, inChannels, inHeight, inWidth]`, weight `[inChannels, outChannels, k, k]`, output
/// `[batch, outChannels, outHeight, outWidth]` with
/// `outHeight = (inHeight − 1)·stride − 2·padding + kernel + outputPadding`.
public struct ConvTransposeGeometry: Hashable, Sendable, CustomStringConvertible {
    public var batch, inChannels, inHeight, inWidth, outChannels: Int
    public var kernel, stride, padding, outputPadding: Int

    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int, outChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) {
        self.batch = batch; self.inChannels = inChannels; self.inHeight = inHeight; self.inWidth = inWidth
        self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding; self.outputPadding = outputPadding
    }

    public var outHeight: Int { (inHeight - 1) * stride - 2 * padding + kernel + outputPadding }
    public var outWidth: Int { (inWidth - 1) * stride - 2 * padding + kernel + outputPadding }
    public var inputCount: Int { batch * inChannels * inHeight * inWidth }
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
    public var weightCount: Int { inChannels * outChannels * kernel * kernel }

    /// The convolution this one is the transpose of: it maps our output back to our input,
    /// and its weight `[outChannels: our in, inChannels: our out, k, k]` is ours as stored.
    /// `outputPadding < stride` (PyTorch's rule) makes its output size exactly our input.
    public var convolution: ConvGeometry {
        var g = ConvGeometry(batch: batch, inChannels: outChannels, inHeight: outHeight, inWidth: outWidth,
                             outChannels: inChannels, kernelHeight: kernel, kernelWidth: kernel,
                             stride: stride, padding: padding)
        g.outHeight = inHeight
        g.outWidth = inWidth
        return g
    }

    public var isValid: Bool {
        outputPadding >= 0 && outputPadding < stride && outHeight > 0 && outWidth > 0 && convolution.isValid
            && convolution.outHeight == inHeight
    }

    public var description: String {
        "n\(batch) \(inChannels)x\(inHeight)x\(inWidth) -> \(outChannels)x\(outHeight)x\(outWidth) "
            + "k\(kernel) s\(stride) p\(padding) op\(outputPadding)"
    }
}

// A transposed convolution needs no kernels of its own: its forward pass is the backward-data
// pass of the convolution it transposes, its backward-data pass is that convolution's forward
// pass, and its weight gradient is that convolution's weight gradient with the roles of
// input and output gradient swapped.
extension Backend {
    private func checkTransposed(_ g: ConvTransposeGeometry) throws {
        try require(g.isValid, "invalid transposed convolution \(g) (output_padding must be below stride)")
    }

    public func convTranspose2dForward(_ g: ConvTransposeGeometry, input: Buffer, weight: Buffer,
                                       output: Buffer) throws {
        try checkTransposed(g)
        try conv2dBackwardData(g.convolution, outputGrad: input, weight: weight, inputGrad: output)
    }

    public func convTranspose2dBackwardData(_ g: ConvTransposeGeometry, outputGrad: Buffer, weight: Buffer,
                                            inputGrad: Buffer) throws {
        try checkTransposed(g)
        try conv2dForward(g.convolution, input: outputGrad, weight: weight, output: inputGrad)
    }

    public func convTranspose2dBackwardWeights(_ g: ConvTransposeGeometry, input: Buffer, outputGrad: Buffer,
                                               weightGrad: Buffer) throws {
        try checkTransposed(g)
        try conv2dBackwardWeights(g.convolution, input: outputGrad, outputGrad: input, weightGrad: weightGrad)
    }
}
