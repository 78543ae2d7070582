import Compute

/// An elementwise activation whose derivative follows from its output (ReLU: y > 0,
/// sigmoid: y·(1 − y)), so backward keeps the output rather than the input.
public class OutputActivation: Layer {
    public let kind: String
    private var output: Tensor?

    init(kind: String) { self.kind = kind }

    func apply(_ backend: any Backend, _ x: Buffer, _ y: Buffer) throws { fatalError("subclass") }
    func derivative(_ backend: any Backend, _ y: Buffer, _ dy: Buffer, _ dx: Buffer) throws { fatalError("subclass") }

    public func outputShape(for input: [Int]) throws -> [Int] { input }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let y = try context.backend.tensor(x.shape)
        try apply(context.backend, x.buffer, y.buffer)
        output = y
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let y = try saved(output)
        guard needsInputGradient else { return nil }
        let dx = try context.backend.tensor(y.shape)
        try derivative(context.backend, y.buffer, dy.buffer, dx.buffer)
        return dx
    }
}

public final class ReLU: OutputActivation {
    public init() { super.init(kind: "ReLU") }
    override func apply(_ b: any Backend, _ x: Buffer, _ y: Buffer) throws { try b.reluForward(x, output: y) }
    override func derivative(_ b: any Backend, _ y: Buffer, _ dy: Buffer, _ dx: Buffer) throws {
        try b.reluBackward(output: y, outputGrad: dy, inputGrad: dx)
    }
}

public final class Sigmoid: OutputActivation {
    public init() { super.init(kind: "Sigmoid") }
    override func apply(_ b: any Backend, _ x: Buffer, _ y: Buffer) throws { try b.sigmoidForward(x, output: y) }
    override func derivative(_ b: any Backend, _ y: Buffer, _ dy: Buffer, _ dx: Buffer) throws {
        try b.sigmoidBackward(output: y, outputGrad: dy, inputGrad: dx)
    }
}

/// Inverted dropout: in training each element is zeroed with probability p and the rest are
/// scaled by 1/(1−p); in evaluation it passes its input through.
public final class Dropout: Layer {
    public let kind = "Dropout"
    public let p: Float
    /// Distinguishes this layer's masks from other dropout layers' at the same step.
    let salt: UInt32
    private var dropped = false

    public init(p: Float, salt: UInt32) {
        self.p = p; self.salt = salt
    }

    public var arguments: String { "p=\(p), inplace=False" }

    public func outputShape(for input: [Int]) throws -> [Int] { input }

    private func seed(_ context: ForwardContext) -> UInt32 { context.seed &+ salt &* 0x9e37_79b9 }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        dropped = context.training && p > 0
        guard dropped else { return x }
        let y = try context.backend.tensor(x.shape)
        try context.backend.dropoutForward(x.buffer, output: y.buffer, p: p, seed: seed(context), step: context.step)
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard needsInputGradient else { return nil }
        guard dropped else { return dy }
        let dx = try context.backend.tensor(dy.shape)
        try context.backend.dropoutBackward(outputGrad: dy.buffer, inputGrad: dx.buffer, p: p, seed: seed(context), step: context.step)
        return dx
    }
}

/// A layer that only changes the shape: the output shares the input's buffer, and the
/// gradient goes back under the input's shape. Subclasses say which shape.
public class ViewLayer: Layer {
    public let kind: String
    private var inputShape: [Int]?

    init(kind: String) { self.kind = kind }

    public func outputShape(for input: [Int]) throws -> [Int] { fatalError("subclass") }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        inputShape = x.shape
        return try x.reshaped(outputShape(for: x.shape))
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let shape = inputShape else { throw ModelError.backwardBeforeForward(kind) }
        return needsInputGradient ? try dy.reshaped(shape) : nil
    }
}

/// `[batch, …] → [batch, product]` (PyTorch's `Flatten`).
public final class Flatten: ViewLayer {
    public init() { super.init(kind: "Flatten") }

    public var arguments: String { "start_dim=1, end_dim=-1" }

    override public func outputShape(for input: [Int]) throws -> [Int] { [input[0], input.dropFirst().reduce(1, *)] }
}

/// `[batch, product] → [batch] + shape` (PyTorch's `Unflatten(1, shape)`).
public final class Reshape: ViewLayer {
    public let shape: [Int]
    public init(_ shape: [Int]) {
        self.shape = shape
        super.init(kind: "Unflatten")
    }

    public var arguments: String { "dim=1, unflattened_size=(\(shape.map(String.init).joined(separator: ", ")))" }

    override public func outputShape(for input: [Int]) throws -> [Int] {
        guard input.dropFirst().reduce(1, *) == shape.reduce(1, *) else {
            throw ModelError.shape("Unflatten to \(shape) needs \(shape.reduce(1, *)) features per example, got \(input)")
        }
        return [input[0]] + shape
    }
}
