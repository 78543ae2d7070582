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

/// The activation layers as PyTorch writes them: each kind's class name, its arguments with
/// PyTorch's names, order and defaults, and its repr, in this one table. `LayerSpec(parsing:)`
/// and `LayerSpec.description` ask it; adding an activation is a row here and its arithmetic
/// (`ActivationFunction`, `activation.h`, `prelude.cl`).
struct ActivationSyntax {
    /// PyTorch's class name.
    let name: String
    let kind: ActivationFunction.Kind
    /// The number arguments, in PyTorch's order, with their defaults: alpha's first, beta's second.
    let numbers: [(name: String, default: Float)]
    /// Whether PyTorch's constructor takes `inplace` (accepted and ignored: the values are the same).
    let inplace: Bool

    static let all: [ActivationSyntax] = [
        .init(name: "ReLU", kind: .relu, numbers: [], inplace: true),
        .init(name: "Sigmoid", kind: .sigmoid, numbers: [], inplace: false),
        .init(name: "Tanh", kind: .tanh, numbers: [], inplace: false),
        .init(name: "LeakyReLU", kind: .leakyReLU, numbers: [("negative_slope", 0.01)], inplace: true),
        .init(name: "ELU", kind: .elu, numbers: [("alpha", 1)], inplace: true),
        // GELU's one argument is a string, approximate='none' or 'tanh': read by `function(_:)`.
        .init(name: "GELU", kind: .gelu, numbers: [], inplace: false),
        .init(name: "SiLU", kind: .silu, numbers: [], inplace: true),
        .init(name: "Hardtanh", kind: .hardtanh, numbers: [("min_val", -1), ("max_val", 1)], inplace: true),
        .init(name: "Softplus", kind: .softplus, numbers: [("beta", 1), ("threshold", 20)], inplace: false),
        .init(name: "Identity", kind: .none, numbers: [], inplace: false),
    ]

    static func named(_ name: String) -> ActivationSyntax? { all.first { $0.name == name } }

    static func of(_ kind: ActivationFunction.Kind) -> ActivationSyntax {
        all.first { $0.kind == (kind == .geluTanh ? .gelu : kind) }!
    }

    /// The activation a call of this class gives, its arguments bound to PyTorch's names.
    func function(_ a: inout LayerArguments) throws -> ActivationFunction {
        try a.bind(numbers.map(\.name) + (kind == .gelu ? ["approximate"] : []) + (inplace ? ["inplace"] : []))
        if inplace { _ = try a.bool("inplace") }
        var kind = self.kind
        if kind == .gelu {
            switch a.given["approximate"] {
            case nil, .string("none")?: kind = .gelu
            case .string("tanh")?: kind = .geluTanh
            case let other?: throw a.error("approximate must be 'none' or 'tanh' (got \(other))")
            }
        }
        let values = try numbers.map { try a.number($0.name).map(Float.init) ?? $0.default }
        return ActivationFunction(kind, alpha: values.first ?? 0, beta: values.dropFirst().first ?? 0)
    }

    /// The arguments of PyTorch's repr of `function` (`negative_slope=0.2`, `approximate='tanh'`).
    static func arguments(_ function: ActivationFunction) -> String {
        let syntax = of(function.kind)
        if syntax.kind == .gelu { return "approximate='\(function.kind == .geluTanh ? "tanh" : "none")'" }
        return zip(syntax.numbers, [function.alpha, function.beta]).map { "\($0.name)=\($1)" }.joined(separator: ", ")
    }
}

extension ActivationFunction {
    /// PyTorch's class name of the layer (`LeakyReLU`).
    public var layerName: String { ActivationSyntax.of(kind).name }
    /// The arguments of its repr (`negative_slope=0.01`).
    var layerArguments: String { ActivationSyntax.arguments(self) }
}

extension ActivationSpec {
    /// One ONNX op where opset 17 has it; GELU, SiLU and PyTorch's Softplus (with beta and a
    /// threshold above which it is the identity) written out.
    func onnx(_ layer: ONNXLayer) throws -> String {
        let x = layer.input, alpha = function.alpha, beta = function.beta
        switch function.kind {
        case .none: return layer.node("Identity", [x])
        case .relu: return layer.node("Relu", [x])
        case .sigmoid: return layer.node("Sigmoid", [x])
        case .tanh: return layer.node("Tanh", [x])
        case .leakyReLU: return layer.node("LeakyRelu", [x], [ONNXAttribute.float("alpha", alpha)])
        case .elu: return layer.node("Elu", [x], [ONNXAttribute.float("alpha", alpha)])
        case .hardtanh: return layer.node("Clip", [x, layer.constant([alpha], shape: []), layer.constant([beta], shape: [])])
        case .silu: return layer.node("Mul", [x, layer.node("Sigmoid", [x])])
        case .gelu:
            // x/2 · (1 + erf(x/√2))
            let erf = layer.node("Erf", [layer.node("Mul", [x, layer.constant([Float(1 / 2.0.squareRoot())])])])
            return layer.node("Mul", [layer.node("Mul", [x, layer.constant([0.5])]), layer.node("Add", [erf, layer.constant([1])])])
        case .geluTanh:
            // x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
            let cube = layer.node("Mul", [layer.node("Mul", [x, x]), x])
            let inner = layer.node("Add", [x, layer.node("Mul", [cube, layer.constant([0.044715])])])
            let tanh = layer.node("Tanh", [layer.node("Mul", [inner, layer.constant([Float((2 / Double.pi).squareRoot())])])])
            return layer.node("Mul", [layer.node("Mul", [x, layer.constant([0.5])]), layer.node("Add", [tanh, layer.constant([1])])])
        case .softplus:
            // log(1 + exp(beta·x)) / beta, and x itself where beta·x > threshold.
            let bx = layer.node("Mul", [x, layer.constant([alpha])])
            let soft = layer.node("Div", [layer.node("Softplus", [bx]), layer.constant([alpha])])
            return layer.node("Where", [layer.node("Greater", [bx, layer.constant([beta])]), x, soft])
        }
    }
}
