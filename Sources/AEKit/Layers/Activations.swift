import Compute

/// Every activation layer (`ActivationSyntax` holds their names, arguments and reprs).
struct ActivationSpec: LayerKind {
    static let classNames = ActivationSyntax.all.map(\.name)
    let function: ActivationFunction

    init(function: ActivationFunction) { self.function = function }

    init(className: String, arguments a: inout LayerArguments) throws {
        function = try ActivationSyntax.named(className)!.function(&a)
    }

    var className: String { function.layerName }
    var arguments: String { function.layerArguments }
    var problem: String? { function.problem }
    func outputShape(for input: [Int]) throws -> [Int] { input }
    func makeLayer(_ build: inout LayerBuild) throws -> any Layer { Activation(function) }
}

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
