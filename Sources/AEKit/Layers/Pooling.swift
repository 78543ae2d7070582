import Compute
internal import ONNXProto

/// What max and average pooling share: a square window, a stride, ceil mode, and (average
/// pooling) padding; the geometry on an input.
protocol PoolingKind: LayerKind {
    var kernel: Int { get }
    var stride: Int { get }
    var padding: Int { get }
    var ceilMode: Bool { get }
}

extension PoolingKind {
    func geometry(_ input: [Int]) throws -> PoolGeometry {
        try checkImages(input)
        let g = PoolGeometry(batch: input[0], channels: input[1], inHeight: input[2], inWidth: input[3],
                             kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
        guard g.isValid else { throw unfitting(input) }
        return g
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        let g = try geometry(input)
        return [g.batch, g.channels, g.outHeight, g.outWidth]
    }

    /// The window, stride and padding of a call, PyTorch's stride=None being the kernel size.
    static func window(_ a: inout LayerArguments) throws -> (kernel: Int, stride: Int) {
        let kernel = try a.square("kernel_size") ?? a.missing("kernel_size")
        guard a.given["stride"] != .name("None") else { return (kernel, kernel) }
        return (kernel, try a.square("stride") ?? kernel)
    }
}

/// `MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)`.
struct MaxPool2dSpec: PoolingKind {
    static let classNames = ["MaxPool2d"]
    let kernel: Int, stride: Int, ceilMode: Bool
    var padding: Int { 0 }

    init(kernel: Int, stride: Int, ceilMode: Bool) { self.kernel = kernel; self.stride = stride; self.ceilMode = ceilMode }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"])
        try a.fixed("padding", .int(0)); try a.fixed("dilation", .int(1)); try a.fixed("return_indices", .name("False"))
        let (kernel, stride) = try Self.window(&a)
        self.init(kernel: kernel, stride: stride, ceilMode: try a.bool("ceil_mode") ?? false)
    }

    var arguments: String { "kernel_size=\(kernel), stride=\(stride), padding=0, dilation=1, ceil_mode=\(pythonBool(ceilMode))" }

    var problem: String? {
        LayerLimits.check("kernel_size", kernel, LayerLimits.windows) ?? LayerLimits.check("stride", stride, LayerLimits.windows)
    }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer { MaxPool2D(kernel: kernel, stride: stride, ceilMode: ceilMode) }
}

/// `AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`.
struct AvgPool2dSpec: PoolingKind {
    static let classNames = ["AvgPool2d"]
    let kernel: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool

    init(kernel: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool) {
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"])
        try a.fixed("divisor_override", .name("None"))
        let (kernel, stride) = try Self.window(&a)
        self.init(kernel: kernel, stride: stride, padding: try a.square("padding") ?? 0, ceilMode: try a.bool("ceil_mode") ?? false,
                  countIncludePad: try a.bool("count_include_pad") ?? true)
    }

    // PyTorch's repr stops at padding; the others follow where they differ from its defaults.
    var arguments: String {
        "kernel_size=\(kernel), stride=\(stride), padding=\(padding)" + (ceilMode ? ", ceil_mode=True" : "")
            + (countIncludePad ? "" : ", count_include_pad=False")
    }

    var problem: String? {
        [LayerLimits.check("kernel_size", kernel, LayerLimits.windows), LayerLimits.check("stride", stride, LayerLimits.windows),
         2 * padding <= kernel && padding >= 0 ? nil
            : "its padding (\(padding)) must be at most half its kernel_size (\(kernel)), as PyTorch requires"]
            .compactMap { $0 }.first
    }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer {
        AvgPool2D(kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// `Upsample(scale_factor or size, mode='nearest'|'bilinear', align_corners)`: a whole scale
/// factor, or an output size that is a whole multiple of the input's height and width.
struct UpsampleSpec: LayerKind {
    static let classNames = ["Upsample"]
    let scale: LayerSpec.UpsampleScale
    let mode: LayerSpec.UpsampleMode

    init(scale: LayerSpec.UpsampleScale, mode: LayerSpec.UpsampleMode) { self.scale = scale; self.mode = mode }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"])
        _ = try a.bool("recompute_scale_factor")  // a whole factor gives the same sizes either way
        let mode: LayerSpec.UpsampleMode
        switch a.given["mode"] {
        case nil, .string("nearest")?:
            try a.fixed("align_corners", .name("None"))
            mode = .nearest
        case .string("bilinear")?:
            mode = .bilinear(alignCorners: a.given["align_corners"] == .name("None") ? false : try a.bool("align_corners") ?? false)
        case let other?:
            throw a.error("mode=\(other) is not supported; AEKit implements mode='nearest' and mode='bilinear'")
        }
        let size = a.given["size"] == .name("None") ? nil : try a.square("size")
        let factor = a.given["scale_factor"] == .name("None") ? nil : try a.square("scale_factor")
        switch (size, factor) {
        case (let size?, nil): self.init(scale: .size(size), mode: mode)
        case (nil, let factor?): self.init(scale: .factor(factor), mode: mode)
        case (nil, nil): throw a.error("needs scale_factor or size")
        case (_?, _?): throw a.error("takes scale_factor or size, not both (as PyTorch)")
        }
    }

    var arguments: String {
        let scaled = switch scale {
        case .factor(let f): "scale_factor=\(f).0"
        case .size(let n): "size=(\(n), \(n))"
        }
        switch mode {
        case .nearest: return scaled + ", mode='nearest'"
        // PyTorch's repr leaves align_corners out; written where it is True, the text is the layer.
        case .bilinear(let align): return scaled + ", mode='bilinear'" + (align ? ", align_corners=True" : "")
        }
    }

    var problem: String? {
        switch scale {
        case .factor(let f): LayerLimits.check("scale_factor", f, LayerLimits.windows)
        case .size(let n): LayerLimits.check("size", n, 1...ModelSpec.maximumImageSide)
        }
    }

    /// The whole factor from an input's height and width to the output's.
    func factor(for input: [Int]) throws -> Int {
        try checkImages(input)
        switch scale {
        case .factor(let f): return f
        case .size(let n):
            guard n % input[2] == 0, n % input[3] == 0, n / input[2] == n / input[3] else {
                throw wrong("scales by one whole factor; \(n)×\(n) is no such multiple of \(input[2])×\(input[3]) "
                            + "(give scale_factor, or a size that is)")
            }
            return n / input[2]
        }
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        let f = try factor(for: input)
        return [input[0], input[1], input[2] * f, input[3] * f]
    }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer { UpSample2D(scale: scale, mode: mode) }
}

/// Max-pooling over k×k windows. `ceilMode` is PyTorch's `ceil_mode=True`, which for these
/// models is Keras' `padding="same"` (7 → 4 at k = 2).
public final class MaxPool2D: Layer {
    public let kernel: Int, stride: Int, ceilMode: Bool
    private var input: Tensor?, indices: Tensor?

    public init(kernel: Int, stride: Int? = nil, ceilMode: Bool = false) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.ceilMode = ceilMode
    }

    public var spec: LayerSpec { .maxPool2d(kernel: kernel, stride: stride, ceilMode: ceilMode) }

    func geometry(_ input: [Int]) throws -> PoolGeometry {
        try MaxPool2dSpec(kernel: kernel, stride: stride, ceilMode: ceilMode).geometry(input)
    }

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

    var definition: AvgPool2dSpec {
        AvgPool2dSpec(kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }

    public var spec: LayerSpec { LayerSpec(definition) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let g = try definition.geometry(x.shape), b = context.backend
        let y = try b.tensor([g.batch, g.channels, g.outHeight, g.outWidth])
        try b.avgPool2dForward(g, countIncludePad: countIncludePad, input: x.buffer, output: y.buffer)
        inputShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let inputShape else { throw ModelError.backwardBeforeForward(kind) }
        guard needsInputGradient else { return nil }
        let g = try definition.geometry(inputShape), b = context.backend, dx = try b.tensor(inputShape)
        try b.avgPool2dBackward(g, countIncludePad: countIncludePad, outputGrad: dy.buffer, inputGrad: dx.buffer)
        return dx
    }
}

/// Upsampling by a whole factor, nearest-neighbour (Keras' `UpSampling2D`, PyTorch's
/// `Upsample(mode='nearest')`) or bilinear (`mode='bilinear'`, either `align_corners`).
public final class UpSample2D: Layer {
    public let scale: LayerSpec.UpsampleScale
    public let mode: LayerSpec.UpsampleMode
    private var inputShape: [Int]?

    public init(scale: LayerSpec.UpsampleScale, mode: LayerSpec.UpsampleMode = .nearest) { self.scale = scale; self.mode = mode }

    public convenience init(factor: Int, mode: LayerSpec.UpsampleMode = .nearest) { self.init(scale: .factor(factor), mode: mode) }

    var definition: UpsampleSpec { UpsampleSpec(scale: scale, mode: mode) }

    public var spec: LayerSpec { LayerSpec(definition) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: x.shape), b = context.backend
        let y = try b.tensor(shape)
        let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3]), factor = try definition.factor(for: x.shape)
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
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3]), factor = try definition.factor(for: shape)
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

extension PoolingKind {
    /// The window attributes MaxPool and AveragePool share.
    var onnxWindow: [Onnx_AttributeProto] {
        [ONNXAttribute.ints("kernel_shape", [kernel, kernel]), ONNXAttribute.ints("strides", [stride, stride]),
         ONNXAttribute.ints("pads", [padding, padding, padding, padding]), ONNXAttribute.int("ceil_mode", ceilMode ? 1 : 0)]
    }
}

extension MaxPool2dSpec {
    func onnx(_ layer: ONNXLayer) throws -> String { layer.node("MaxPool", [layer.input], onnxWindow) }
}

extension AvgPool2dSpec {
    func onnx(_ layer: ONNXLayer) throws -> String {
        layer.node("AveragePool", [layer.input], onnxWindow + [ONNXAttribute.int("count_include_pad", countIncludePad ? 1 : 0)])
    }
}

extension UpsampleSpec {
    /// Resize by whole factors (a size is a whole multiple of the input's), with the sampling
    /// PyTorch's modes use: nearest takes floor(output / factor), bilinear samples at half-pixel
    /// centres, or corner to corner with align_corners.
    func onnx(_ layer: ONNXLayer) throws -> String {
        let factor: Int
        switch scale {
        case .factor(let f): factor = f
        case .size(let n): factor = n / layer.inputShape[2]
        }
        let attributes: [Onnx_AttributeProto]
        switch mode {
        case .nearest:
            attributes = [ONNXAttribute.string("mode", "nearest"), ONNXAttribute.string("coordinate_transformation_mode", "asymmetric"),
                          ONNXAttribute.string("nearest_mode", "floor")]
        case .bilinear(let alignCorners):
            attributes = [ONNXAttribute.string("mode", "linear"),
                          ONNXAttribute.string("coordinate_transformation_mode", alignCorners ? "align_corners" : "pytorch_half_pixel")]
        }
        return layer.node("Resize", [layer.input, "", layer.constant([1, 1, Float(factor), Float(factor)])], attributes)
    }
}
