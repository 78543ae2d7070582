import Compute

/// The two ops of an elementwise activation whose derivative follows from its output (ReLU:
/// y > 0, sigmoid: y·(1 − y)), so its layer keeps the output rather than the input.
public protocol ElementwiseActivation {
    /// The layer as data (`.relu`, `.sigmoid`).
    static var spec: LayerSpec { get }
    static func forward(_ b: any Backend, _ x: Buffer, output y: Buffer) throws
    static func backward(_ b: any Backend, output y: Buffer, outputGrad dy: Buffer, inputGrad dx: Buffer) throws
}

/// The layer of an elementwise activation (`ReLU`, `Sigmoid`).
public final class Activation<Function: ElementwiseActivation>: Layer {
    private var output: Tensor?

    public init() {}

    public var spec: LayerSpec { Function.spec }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let y = try context.backend.tensor(x.shape)
        try Function.forward(context.backend, x.buffer, output: y.buffer)
        output = y
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let y = try saved(output)
        guard needsInputGradient else { return nil }
        let dx = try context.backend.tensor(y.shape)
        try Function.backward(context.backend, output: y.buffer, outputGrad: dy.buffer, inputGrad: dx.buffer)
        return dx
    }
}

public enum ReLUFunction: ElementwiseActivation {
    public static let spec = LayerSpec.relu
    public static func forward(_ b: any Backend, _ x: Buffer, output y: Buffer) throws { try b.reluForward(x, output: y) }
    public static func backward(_ b: any Backend, output y: Buffer, outputGrad dy: Buffer, inputGrad dx: Buffer) throws {
        try b.reluBackward(output: y, outputGrad: dy, inputGrad: dx)
    }
}

public enum SigmoidFunction: ElementwiseActivation {
    public static let spec = LayerSpec.sigmoid
    public static func forward(_ b: any Backend, _ x: Buffer, output y: Buffer) throws { try b.sigmoidForward(x, output: y) }
    public static func backward(_ b: any Backend, output y: Buffer, outputGrad dy: Buffer, inputGrad dx: Buffer) throws {
        try b.sigmoidBackward(output: y, outputGrad: dy, inputGrad: dx)
    }
}

public typealias ReLU = Activation<ReLUFunction>
public typealias Sigmoid = Activation<SigmoidFunction>
