import Compute

/// A learnable tensor and its gradient, named as PyTorch names it within its module
/// (`weight`, `bias`).
public final class Parameter: @unchecked Sendable {
    // Thread-safety: used by one training loop at a time.
    public let name: String
    public private(set) var value: Tensor
    /// Written by the owning layer's `backward` (overwritten each step, not accumulated).
    public let gradient: Tensor

    init(name: String, value: Tensor, backend: any Backend) throws {
        self.name = name
        self.value = value
        self.gradient = try backend.tensor(value.shape, filledWith: 0)
    }

    public var shape: [Int] { value.shape }

    /// Replaces the values (checkpoint loading), keeping the shape.
    public func load(_ values: [Float], on backend: any Backend) throws {
        guard values.count == value.count else {
            throw ModelError.checkpoint("\(name): \(values.count) values for shape \(shape)")
        }
        try backend.upload(values, to: value.buffer)
    }
}

/// What a forward pass needs besides its input.
public struct ForwardContext: Sendable {
    public let backend: any Backend
    /// Dropout drops only while training.
    public let training: Bool
    /// Seed and step of the dropout masks: a mask is a function of (seed, layer, step), so a
    /// run is reproducible and the CPU and OpenCL backends draw the same masks.
    public let seed: UInt32
    public let step: UInt32

    public init(backend: any Backend, training: Bool, seed: UInt32 = 0, step: UInt32 = 0) {
        self.backend = backend; self.training = training; self.seed = seed; self.step = step
    }
}

/// A layer with an explicit forward and backward pass through the op protocol. A layer keeps
/// what its backward pass needs from the last forward pass (its input or output).
public protocol Layer: AnyObject {
    /// The layer as data: what a model file and a checkpoint record of it, and its shapes.
    var spec: LayerSpec { get }
    /// In PyTorch's order (weight, then bias).
    var parameters: [Parameter] { get }
    func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor
    /// Writes the parameters' gradients and returns the input gradient, or nil when
    /// `needsInputGradient` is false (the first layer: nothing upstream wants it).
    func backward(_ outputGrad: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor?
}

extension Layer {
    public var parameters: [Parameter] { [] }
    /// PyTorch's class name (`Linear`, `Conv2d`, …).
    public var kind: String { spec.kind }

    /// The output shape for an input shape, batch included; throws if the input does not fit.
    public func outputShape(for input: [Int]) throws -> [Int] { try spec.outputShape(for: input) }

    /// The input saved by `forward`, or an error if backward comes first.
    func saved(_ tensor: Tensor?) throws -> Tensor {
        guard let tensor else { throw ModelError.backwardBeforeForward(kind) }
        return tensor
    }
}

public enum ModelError: Error, CustomStringConvertible {
    case shape(String)
    case backwardBeforeForward(String)
    case checkpoint(String)
    case unknownModel(String)
    /// A model file or layer list that cannot be built, and why.
    case invalid(String)

    public var description: String {
        switch self {
        case .shape(let what): return "shape error: \(what)"
        case .backwardBeforeForward(let kind): return "\(kind).backward called before forward"
        case .checkpoint(let what): return "checkpoint: \(what)"
        case .unknownModel(let what), .invalid(let what): return what
        }
    }
}
