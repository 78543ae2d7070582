import Compute

/// An elementwise activation as a layer (`ReLU()`, `Tanh()`, `GELU()`, …): `activationForward`,
/// and backward `activationBackward` from the output it keeps, or from its input as well where
/// the gradient needs it (GELU, SiLU).
public final class Activation: Layer {
    public let function: ActivationFunction
    private var input: Tensor?
    private var output: Tensor?

    public init(_ function: ActivationFunction) { self.function = function }

    public var spec: LayerSpec { .activation(function) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let y = try context.backend.tensor(x.shape)
        try context.backend.activationForward(function, x.buffer, output: y.buffer)
        input = function.gradientFromOutput ? nil : x
        output = y
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let y = try saved(output)
        guard needsInputGradient else { return nil }
        let x = function.gradientFromOutput ? y : try saved(input)
        let dx = try context.backend.tensor(y.shape)
        try context.backend.activationBackward(function, input: x.buffer, output: y.buffer, outputGrad: dy.buffer,
                                               inputGrad: dx.buffer)
        return dx
    }
}
