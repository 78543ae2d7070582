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
    public let kind = "Flatten"
    public var viewedShape: [Int]?

    public init() {}

    public var arguments: String { "start_dim=1, end_dim=-1" }

    public func outputShape(for input: [Int]) throws -> [Int] {
        guard !input.isEmpty else { throw ModelError.shape("Flatten needs a batch dimension, got \(input)") }
        return [input[0], input.dropFirst().reduce(1, *)]
    }
}

/// `[batch, product] → [batch] + shape` (PyTorch's `Unflatten(1, shape)`).
public final class Reshape: ViewLayer {
    public let kind = "Unflatten"
    public let shape: [Int]
    public var viewedShape: [Int]?

    public init(_ shape: [Int]) { self.shape = shape }

    public var arguments: String { "dim=1, unflattened_size=(\(shape.map(String.init).joined(separator: ", ")))" }

    public func outputShape(for input: [Int]) throws -> [Int] {
        guard !input.isEmpty, input.dropFirst().reduce(1, *) == shape.reduce(1, *) else {
            throw ModelError.shape("Unflatten to \(shape) needs \(shape.reduce(1, *)) features per example, got \(input)")
        }
        return [input[0]] + shape
    }
}
