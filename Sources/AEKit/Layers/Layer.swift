import Compute

/// A learnable tensor and its gradient, named as PyTorch names it within its module
/// (`weight`, `bias`).
public final class Parameter: @unchecked Sendable {
    // Thread-safety: used by one training loop at a time.
    public let name: String
    public private(set) var value: Tensor
    /// Written by the owning layer's `backward` (overwritten each step, not accumulated).
    public private(set) var gradient: Tensor

    init(name: String, value: Tensor, backend: any Backend) throws {
        self.name = name
        self.value = value
        self.gradient = try backend.tensor(value.shape, filledWith: 0)
    }

    public var shape: [Int] { value.shape }

    /// Moves the parameter into other memory of its shape (its slot of a `ParameterStore`).
    func rebind(value: Tensor, gradient: Tensor) {
        precondition(value.shape == shape && gradient.shape == shape, "\(name): a slot of another shape")
        self.value = value; self.gradient = gradient
    }

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
    /// run is reproducible and the CPU and OpenCL backends draw the same masks. A VAE's
    /// `Reparameterize` draws its ε from them too.
    public let seed: UInt32
    public let step: UInt32
    /// A VAE's `Reparameterize` samples z in evaluation too (pytorch/examples' test pass does).
    public var sampling = false
    /// Where layers add their own terms of the loss (a VAE's β·KL), as the batch's mean per
    /// example: a one-element tensor the `Objective` folds into the loss. Nil: nobody keeps them.
    public var lossTerms: Tensor?

    public init(backend: any Backend, training: Bool, seed: UInt32 = 0, step: UInt32 = 0) {
        self.backend = backend; self.training = training; self.seed = seed; self.step = step
    }
}

/// An explicit forward and backward pass through the op protocol: a layer, or the layers a
/// fusion runs as one (`BiasActivationBlock`). It keeps what its backward pass needs from the
/// last forward pass (its input or output).
public protocol Differentiable: AnyObject {
    func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor
    /// Writes the parameters' gradients and returns the input gradient, or nil when
    /// `needsInputGradient` is false (the first layer: nothing upstream wants it).
    func backward(_ outputGrad: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor?
}

/// A layer of a model: PyTorch's module, with its parameters.
public protocol Layer: Differentiable {
    /// The layer as data: what a model file and a checkpoint record of it, and its shapes.
    var spec: LayerSpec { get }
    /// In PyTorch's order (weight, then bias).
    var parameters: [Parameter] { get }
    /// Its buffers (PyTorch's name for state that is not learned), in PyTorch's order.
    var state: [LayerState] { get }
}

/// One of a layer's buffers: saved and loaded with its parameters under PyTorch's name, never
/// stepped by an optimizer (BatchNorm's `running_mean`, `running_var`, `num_batches_tracked`).
public struct LayerState {
    public let name: String
    /// `[]` for a scalar, as PyTorch shapes `num_batches_tracked`.
    public let shape: [Int]
    /// A count, which a checkpoint stores as int64 (PyTorch's dtype for it), not float32.
    public let isCount: Bool
    let read: (any Backend) throws -> [Float]
    let write: ([Float], any Backend) throws -> Void

    /// A buffer held in a tensor on the device.
    static func tensor(_ name: String, _ tensor: Tensor) -> LayerState {
        LayerState(name: name, shape: tensor.shape, isCount: false, read: { backend in try backend.download(tensor.buffer) },
                   write: { values, backend in try backend.upload(values, to: tensor.buffer) })
    }
}

/// A layer whose output is a product (a GEMM or a convolution) plus, unless it was made with
/// `bias: false`, a bias per channel: Linear, Conv2D, ConvTranspose2D. The product is its own
/// pass so that a fused block can add the bias, the activation and the dropout after it in one
/// (`biasActivationForward`).
public protocol ProductLayer: Layer {
    var weight: Parameter { get }
    /// nil for a layer without a bias (PyTorch's `bias=False`).
    var bias: Parameter? { get }
    /// The product without the bias; keeps what `productBackward` needs.
    func product(_ x: Tensor, _ context: ForwardContext) throws -> Tensor
    /// From the gradient of the product: writes the weight's gradient and returns the input's
    /// (nil when not needed).
    func productBackward(_ dz: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor?
    /// `dropout(activation(product + bias))`, a fused block's forward pass (only for a layer
    /// with a bias): by default the product, then `biasActivationForward` in place; a layer
    /// whose product op has an epilogue (Linear, Conv2D) does it in one op.
    func productBiasActivation(_ x: Tensor, bias: Parameter, activation: ActivationFunction, dropout: DropoutDraw?,
                               _ context: ForwardContext) throws -> Tensor
}

/// The kind of a product layer (`LinearSpec`, `Conv2dSpec`, `ConvTranspose2dSpec`).
protocol ProductKind: LayerKind {
    /// Whether it adds a bias (PyTorch's `bias=True`, the default).
    var bias: Bool { get }
}

extension ProductKind {
    /// PyTorch's repr ends with `, bias=False` where a product layer has none.
    var biasArgument: String { bias ? "" : ", bias=False" }
}

/// A biased layer's output seen as the bias ops see it: `[outer, channels, inner]` (a Linear's
/// inner is 1, a convolution's the output plane).
func biasView(_ shape: [Int]) -> (channels: Int, inner: Int) { (shape[1], shape.dropFirst(2).reduce(1, *)) }

extension ProductLayer {
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func productBiasActivation(_ x: Tensor, bias: Parameter, activation: ActivationFunction, dropout: DropoutDraw?,
                                      _ context: ForwardContext) throws -> Tensor {
        let y = try product(x, context), (channels, inner) = biasView(y.shape)
        try context.backend.biasActivationForward(y.buffer, bias: bias.value.buffer, channels: channels, inner: inner,
                                                  activation: activation, dropout: dropout, output: y.buffer)
        return y
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let y = try product(x, context), (channels, inner) = biasView(y.shape)
        if let bias { try context.backend.biasAdd(y.buffer, bias: bias.value.buffer, channels: channels, inner: inner) }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let (channels, inner) = biasView(dy.shape)
        if let bias { try context.backend.biasGradient(dy.buffer, channels: channels, inner: inner, into: bias.gradient.buffer) }
        return try productBackward(dy, needsInputGradient: needsInputGradient, context)
    }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var state: [LayerState] { [] }
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
