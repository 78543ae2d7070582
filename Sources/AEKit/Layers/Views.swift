import Compute

/// A layer that only changes the shape: the output shares the input's buffer, and the
/// gradient goes back under the input's shape. A conforming layer says which shape
/// (`outputShape`) and keeps the input's shape for backward.
public protocol ViewLayer: Layer {
    /// The input shape of the last forward pass.
    var viewedShape: [Int]? { get set }
}

extension ViewLayer {
    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        viewedShape = x.shape
        return try x.reshaped(outputShape(for: x.shape))
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let shape = viewedShape else { throw ModelError.backwardBeforeForward(kind) }
        return needsInputGradient ? try dy.reshaped(shape) : nil
    }
}

/// `[batch, …] → [batch, product]` (PyTorch's `Flatten`).
public final class Flatten: ViewLayer {
    public var viewedShape: [Int]?

    public init() {}

    public var spec: LayerSpec { .flatten }
}

/// `[batch, product] → [batch] + shape` (PyTorch's `Unflatten(1, shape)`).
public final class Reshape: ViewLayer {
    public let shape: [Int]
    public var viewedShape: [Int]?

    public init(_ shape: [Int]) { self.shape = shape }

    public var spec: LayerSpec { .unflatten(shape) }
}
