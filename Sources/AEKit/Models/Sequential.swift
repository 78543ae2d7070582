import Compute
import Foundation

/// Layers applied in order, named as PyTorch's `nn.Sequential` names them: every layer takes
/// an index, parameter-free ones too, so parameters are `0.weight`, `0.bias`, `3.weight`, …
public final class Sequential: @unchecked Sendable {
    // Thread-safety: a model is trained or evaluated by one thread at a time.
    public let spec: ModelSpec
    public let layers: [any Layer]
    public let backend: any Backend
    /// Every parameter and gradient, in one flat buffer each (the layers' are views of them).
    public let parameters: ParameterStore
    /// What the forward and backward passes run, in order: the layers as the fusion pass
    /// grouped them (`Fusion.blocks`), or one per layer when unfused.
    let stages: [any Differentiable]
    /// Whether the layers run fused, and the optimizer steps all parameters in one launch.
    public let isFused: Bool
    /// The seed the weights were drawn from; `forward(_:training:)` draws dropout masks from it.
    public let seed: UInt64
    /// `forward(_:training:)`'s training passes so far and its last context, which
    /// `backward(_:)` and `loss(_:target:)` reuse (TrainingLoop.swift).
    var loop = (trainingPasses: UInt32(0), context: ForwardContext?.none)

    /// The model `spec` describes, on `backend`, with weights drawn from `seed` in layer order
    /// (by `spec.initialization`). Throws, naming the layer, when the list does not fit together.
    /// `fused: false` runs every layer on its own and steps each parameter in a launch of its
    /// own: the same numbers, more launches (`--no-fuse`, for comparison).
    public init(_ spec: ModelSpec, backend: any Backend, seed: UInt64, fused: Bool = true) throws {
        if let problem = spec.problem { throw ModelError.shape(problem) }
        // Each kind builds its own layer, in order, drawing from one random stream.
        var build = LayerBuild(backend: backend, initialization: spec.initialization, random: SeededRandom(seed: seed))
        let layers = try spec.layers.map { try $0.definition.makeLayer(&build) }
        self.layers = layers
        stages = fused ? Fusion.blocks(spec.layers).map { Fusion.stage(layers[$0]) } : layers
        parameters = try ParameterStore(layers.enumerated().flatMap { index, layer in
            layer.parameters.map { ("\(index).\($0.name)", $0) }
        }, backend: backend, stepsTogether: fused)
        self.spec = spec; self.backend = backend; self.seed = seed; isFused = fused
    }

    /// `Sequential([...])` as in Keras and PyTorch: the layers, one example's shape, the loss;
    /// `name` labels it in summaries and figures.
    ///
    ///     let model = try Sequential([.conv2d(1, 16, kernel: 3, padding: .same), .relu, .maxPool2d(kernel: 2), …],
    ///                                input: [1, 28, 28], backend: CPUBackend(), seed: 1)
    public convenience init(_ layers: [LayerSpec], input: [Int], loss: ModelSpec.Loss = .mse,
                            initialization: Initialization = .pytorch, name: String? = nil, backend: any Backend,
                            seed: UInt64 = 1) throws {
        try self.init(ModelSpec(input: input, loss: loss, initialization: initialization, layers: layers, label: name),
                      backend: backend, seed: seed)
    }

    /// Parameters with their PyTorch state_dict names, in order.
    public var namedParameters: [(name: String, parameter: Parameter)] { parameters.named }

    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// The layers' buffers (BatchNorm's running statistics) with their state_dict names
    /// (`1.running_mean`), in order: saved and loaded with the parameters, never trained.
    public var namedState: [(name: String, state: LayerState)] {
        layers.enumerated().flatMap { index, layer in layer.state.map { ("\(index).\($0.name)", $0) } }
    }

    /// Shapes after each layer for a batch of `batch`.
    public func shapes(batch: Int) throws -> [[Int]] { try spec.shapes(batch: batch) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        try stages.reduce(x) { try $1.forward($0, context) }
    }

    /// Backpropagates `outputGrad` through every layer, writing every parameter's gradient.
    /// The first layer's input gradient is not computed: nothing upstream needs it.
    public func backward(_ outputGrad: Tensor, _ context: ForwardContext) throws {
        var grad = outputGrad
        for (index, stage) in stages.enumerated().reversed() {
            guard let next = try stage.backward(grad, needsInputGradient: index > 0, context) else { break }
            grad = next
        }
    }

    /// A table as Keras' `summary()`: layer, output shape, parameters; then the totals.
    public func summary(batch: Int = 1) throws -> String {
        let shapes = try shapes(batch: batch)
        var rows = [["#", "layer", "output shape", "parameters"]]
        rows.append(["", "input", "\([batch] + spec.input)", ""])
        for (index, layer) in layers.enumerated() {
            let count = layer.parameters.reduce(0) { $0 + $1.value.count }
            rows.append(["\(index)", "\(layer.spec)", "\(shapes[index])", count == 0 ? "" : "\(count)"])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        let lines = rows.map { row in
            row.enumerated().map { c, cell in
                c == 3 ? String(repeating: " ", count: widths[c] - cell.count) + cell
                    : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: lines[0].count)
        return ([lines[0], rule] + lines.dropFirst() + [rule, "total parameters: \(parameterCount)"]).joined(separator: "\n")
    }
}
