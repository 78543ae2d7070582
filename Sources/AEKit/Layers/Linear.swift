import Compute

/// `Linear(in_features, out_features, bias=True)`.
struct LinearSpec: ProductKind {
    static let classNames = ["Linear"]
    let inFeatures: Int, outFeatures: Int, bias: Bool

    init(inFeatures: Int, outFeatures: Int, bias: Bool) {
        self.inFeatures = inFeatures; self.outFeatures = outFeatures; self.bias = bias
    }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["in_features", "out_features", "bias"])
        self.init(inFeatures: try a.int("in_features"), outFeatures: try a.int("out_features"), bias: try a.bool("bias") ?? true)
    }

    var arguments: String { "in_features=\(inFeatures), out_features=\(outFeatures)" + biasArgument }

    var problem: String? {
        LayerLimits.check("in_features", inFeatures, LayerLimits.sizes) ?? LayerLimits.check("out_features", outFeatures, LayerLimits.sizes)
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] == inFeatures else {
            throw wrong("expects \(inFeatures) features; it gets \(featuresText(input))"
                        + (input.count > 2 ? " (a Flatten() before it makes them one row)" : ""))
        }
        return [input[0], outFeatures]
    }

    var parameterCount: Int { inFeatures * outFeatures + (bias ? outFeatures : 0) }

    func multiplyAdds(input: [Int], output: [Int]) -> Int { inFeatures * outFeatures }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer {
        try Linear(inFeatures, outFeatures, bias: bias, backend: build.backend, initialization: build.initialization,
                   random: &build.random)
    }
}

/// `y = x·Wᵀ + b` on `[batch, inFeatures]`, weight `[out, in]` as PyTorch stores it.
public final class Linear: ProductLayer {
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter, bias: Parameter?
    private var input: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, backend: any Backend,
                initialization: Initialization, random: inout SeededRandom) throws {
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        (weight, self.bias) = try productParameters(weightShape: [outFeatures, inFeatures], outputs: outFeatures, bias: bias, backend: backend,
                                                    initialization: initialization, random: &random)
    }

    public var spec: LayerSpec { .linear(inFeatures, outFeatures, bias: bias != nil) }

    public func product(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: x.shape), b = context.backend
        let y = try b.tensor(shape)
        try b.gemm(transA: false, transB: true, m: shape[0], n: outFeatures, k: inFeatures, alpha: 1,
                   a: x.buffer, b: weight.value.buffer, beta: 0, c: y.buffer)
        input = x
        return y
    }

    /// One op: the GEMM with the bias, activation and dropout as its epilogue.
    public func productBiasActivation(_ x: Tensor, bias: Parameter, activation: ActivationFunction, dropout: DropoutDraw?,
                                      _ context: ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: x.shape), b = context.backend
        let y = try b.tensor(shape)
        try b.gemmBiasActivation(transA: false, transB: true, m: shape[0], n: outFeatures, k: inFeatures, a: x.buffer,
                                 b: weight.value.buffer, bias: bias.value.buffer, activation: activation, dropout: dropout,
                                 c: y.buffer)
        input = x
        return y
    }

    public func productBackward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let x = try saved(input), b = context.backend, batch = x.shape[0]
        try b.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: batch, alpha: 1,
                   a: dy.buffer, b: x.buffer, beta: 0, c: weight.gradient.buffer)
        guard needsInputGradient else { return nil }
        let dx = try b.tensor(x.shape)
        try b.gemm(transA: false, transB: false, m: batch, n: inFeatures, k: outFeatures, alpha: 1,
                   a: dy.buffer, b: weight.value.buffer, beta: 0, c: dx.buffer)
        return dx
    }
}

extension LinearSpec {
    /// Gemm: x·Wᵀ + b, W stored as PyTorch's [out, in].
    func onnx(_ layer: ONNXLayer) throws -> String {
        layer.node("Gemm", [layer.input, try layer.weight("weight")] + (bias ? [try layer.weight("bias")] : []),
                   [ONNXAttribute.int("transB", 1)])
    }
}
