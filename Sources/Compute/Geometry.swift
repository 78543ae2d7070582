/// Sizes of a 2-D convolution in NCHW layout, as PyTorch's `Conv2d` sees them:
/// input `[batch, inChannels, inHeight, inWidth]`, weight `[outChannels, inChannels, kh, kw]`,
/// output `[batch, outChannels, outHeight, outWidth]`.
///
/// A transposed convolution uses the same geometry read backwards (see `Backend+Transposed`),
/// which is why the output size can be given explicitly: a transposed convolution's
/// `output_padding` makes its output one larger than the formula below.
public struct ConvGeometry: Hashable, Sendable, CustomStringConvertible {
    public var batch, inChannels, inHeight, inWidth: Int
    public var outChannels, kernelHeight, kernelWidth: Int
    public var strideH, strideW, padH, padW: Int
    public var outHeight, outWidth: Int

    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int,
                outChannels: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0) {
        self.batch = batch; self.inChannels = inChannels
        self.inHeight = inHeight; self.inWidth = inWidth
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = stride; self.strideW = stride; self.padH = padding; self.padW = padding
        self.outHeight = (inHeight + 2 * padding - kernelHeight) / stride + 1
        self.outWidth = (inWidth + 2 * padding - kernelWidth) / stride + 1
    }

    public var inputCount: Int { batch * inChannels * inHeight * inWidth }
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
    public var weightCount: Int { outChannels * inChannels * kernelHeight * kernelWidth }
    /// Multiply-adds of the forward pass (each backward pass has the same count).
    public var multiplyAdds: Int { outputCount * inChannels * kernelHeight * kernelWidth }

    /// Whether every size is positive and each output position sees at least one input row.
    public var isValid: Bool {
        [batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth,
         strideH, strideW, outHeight, outWidth].allSatisfy { $0 > 0 } && padH >= 0 && padW >= 0
            && padH < kernelHeight && padW < kernelWidth
    }

    public var description: String {
        "n\(batch) \(inChannels)x\(inHeight)x\(inWidth) -> \(outChannels)x\(outHeight)x\(outWidth) "
            + "k\(kernelHeight)x\(kernelWidth) s\(strideH) p\(padH)"
    }
}

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
    /// Each input element meets every weight of its channel once.
    public var multiplyAdds: Int { inputCount * outChannels * kernel * kernel }

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

/// Sizes of a 2-D max-pool in NCHW layout. `ceilMode` rounds the output size up, as
/// PyTorch's `ceil_mode=True` and Keras' `padding="same"` do; windows that run past the
/// edge only look at the pixels inside.
public struct PoolGeometry: Hashable, Sendable, CustomStringConvertible {
    public var batch, channels, inHeight, inWidth: Int
    public var kernel, stride: Int
    /// Zeros on each side (average pooling only; max pooling takes 0).
    public var padding: Int
    public var ceilMode: Bool
    public var outHeight, outWidth: Int

    public init(batch: Int, channels: Int, inHeight: Int, inWidth: Int,
                kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.batch = batch; self.channels = channels
        self.inHeight = inHeight; self.inWidth = inWidth
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding; self.ceilMode = ceilMode
        self.outHeight = PoolGeometry.outputSize(inHeight, kernel, self.stride, padding, ceilMode)
        self.outWidth = PoolGeometry.outputSize(inWidth, kernel, self.stride, padding, ceilMode)
    }

    /// PyTorch's rule: with ceil mode the last window must still start inside the input or its
    /// left padding.
    static func outputSize(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ ceilMode: Bool) -> Int {
        let padded = size + 2 * padding
        guard padded >= kernel || ceilMode else { return 0 }
        let span = max(padded - kernel, 0)
        var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (out - 1) * stride >= size + padding { out -= 1 }
        return out
    }

    public var inputCount: Int { batch * channels * inHeight * inWidth }
    public var outputCount: Int { batch * channels * outHeight * outWidth }
    public var isValid: Bool {
        [batch, channels, inHeight, inWidth, kernel, stride, outHeight, outWidth].allSatisfy { $0 > 0 }
    }

    public var description: String {
        "n\(batch) c\(channels) \(inHeight)x\(inWidth) -> \(outHeight)x\(outWidth) k\(kernel) s\(stride)"
            + (padding > 0 ? " p\(padding)" : "") + (ceilMode ? " ceil" : "")
    }
}
