import Compute

/// Max-pooling over k×k windows. `ceilMode` is PyTorch's `ceil_mode=True`, which for these
/// models is Keras' `padding="same"` (7 → 4 at k = 2).
public final class MaxPool2D: Layer {
    public let kernel: Int, stride: Int, ceilMode: Bool
    private var input: Tensor?, indices: Tensor?

    public init(kernel: Int, stride: Int? = nil, ceilMode: Bool = false) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.ceilMode = ceilMode
    }

    public var spec: LayerSpec { .maxPool2d(kernel: kernel, stride: stride, ceilMode: ceilMode) }

    func geometry(_ input: [Int]) throws -> PoolGeometry { try spec.poolGeometry(input) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let g = try geometry(x.shape), b = context.backend
        let shape = [g.batch, g.channels, g.outHeight, g.outWidth]
        let y = try b.tensor(shape), index = try b.tensor(shape)
        try b.maxPool2dForward(g, input: x.buffer, output: y.buffer, indices: index.buffer)
        input = x; indices = index
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let x = try saved(input), g = try geometry(x.shape), b = context.backend
        guard needsInputGradient else { return nil }
        let dx = try b.tensor(x.shape)
        try b.maxPool2dBackward(g, outputGrad: dy.buffer, indices: try saved(indices).buffer, inputGrad: dx.buffer)
        return dx
    }
}

/// Average pooling over k×k windows, as PyTorch's `AvgPool2d`: zeros of `padding` around the
/// input, counted in each window's divisor where `countIncludePad`.
public final class AvgPool2D: Layer {
    public let kernel: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool
    private var inputShape: [Int]?

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding; self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public var spec: LayerSpec {
        .avgPool2d(kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let g = try spec.poolGeometry(x.shape), b = context.backend
        let y = try b.tensor([g.batch, g.channels, g.outHeight, g.outWidth])
        try b.avgPool2dForward(g, countIncludePad: countIncludePad, input: x.buffer, output: y.buffer)
        inputShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let inputShape else { throw ModelError.backwardBeforeForward(kind) }
        guard needsInputGradient else { return nil }
        let g = try spec.poolGeometry(inputShape), b = context.backend, dx = try b.tensor(inputShape)
        try b.avgPool2dBackward(g, countIncludePad: countIncludePad, outputGrad: dy.buffer, inputGrad: dx.buffer)
        return dx
    }
}

/// Upsampling ×factor, nearest-neighbour (Keras' `UpSampling2D`, PyTorch's
/// `Upsample(mode='nearest')`) or bilinear (`mode='bilinear'`, either `align_corners`).
public final class UpSample2D: Layer {
    public let factor: Int
    public let mode: LayerSpec.UpsampleMode
    private var inputShape: [Int]?

    public init(factor: Int, mode: LayerSpec.UpsampleMode = .nearest) { self.factor = factor; self.mode = mode }

    public var spec: LayerSpec { .upsample(scaleFactor: factor, mode: mode) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: x.shape), b = context.backend
        let y = try b.tensor(shape)
        let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        switch mode {
        case .nearest:
            try b.upsampleForward(planes: planes, height: height, width: width, factor: factor, input: x.buffer, output: y.buffer)
        case .bilinear(let align):
            try b.upsampleBilinearForward(planes: planes, height: height, width: width, factor: factor, alignCorners: align,
                                          input: x.buffer, output: y.buffer)
        }
        inputShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let shape = inputShape else { throw ModelError.backwardBeforeForward(kind) }
        guard needsInputGradient else { return nil }
        let dx = try context.backend.tensor(shape)
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3])
        switch mode {
        case .nearest:
            try context.backend.upsampleBackward(planes: planes, height: height, width: width, factor: factor,
                                                 outputGrad: dy.buffer, inputGrad: dx.buffer)
        case .bilinear(let align):
            try context.backend.upsampleBilinearBackward(planes: planes, height: height, width: width, factor: factor,
                                                         alignCorners: align, outputGrad: dy.buffer, inputGrad: dx.buffer)
        }
        return dx
    }
}
