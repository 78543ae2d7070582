import Compute

/// `BatchNorm1d` / `BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True,
/// track_running_stats=True, *, bias=True)`; momentum=None is the cumulative average.
/// PyTorch 2.15 prints `bias` (keyword-only, new there): `bias=True` with `affine=True`, and
/// `bias=False` for `affine=False`, both read; a scale without a shift (`affine=True,
/// bias=False`) is not one AEKit has. Written without `bias`, which older PyTorch refuses.
struct BatchNormSpec: LayerKind {
    static let classNames = ["BatchNorm1d", "BatchNorm2d"]
    let features: Int, dimensions: Int, eps: Float
    let momentum: Float?
    let affine: Bool, trackRunningStats: Bool

    init(features: Int, dimensions: Int, eps: Float, momentum: Float?, affine: Bool, trackRunningStats: Bool) {
        self.features = features; self.dimensions = dimensions; self.eps = eps; self.momentum = momentum
        self.affine = affine; self.trackRunningStats = trackRunningStats
    }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"], keywordOnly: ["bias"])
        try a.fixed("device", .name("None")); try a.fixed("dtype", .name("None"))
        if try a.bool("affine") ?? true, try a.bool("bias") == false {
            throw a.error("with affine=True and bias=False (a learned scale without a shift) is not a layer AEKit has; "
                          + "use affine=True, bias=True, or affine=False")
        }
        let momentum = a.given["momentum"] == .name("None") ? nil : Float(try a.number("momentum") ?? 0.1)
        self.init(features: try a.int("num_features"), dimensions: className == "BatchNorm1d" ? 1 : 2,
                  eps: Float(try a.number("eps") ?? 1e-5), momentum: momentum, affine: try a.bool("affine") ?? true,
                  trackRunningStats: try a.bool("track_running_stats") ?? true)
    }

    var className: String { "BatchNorm\(dimensions)d" }

    var arguments: String {
        "\(features), eps=\(eps), momentum=\(momentum.map { "\($0)" } ?? "None"), affine=\(pythonBool(affine)), "
            + "track_running_stats=\(pythonBool(trackRunningStats))"
    }

    var problem: String? {
        [LayerLimits.check("num_features", features, LayerLimits.channels),
         (1...2).contains(dimensions) ? nil : "it must be BatchNorm1d or BatchNorm2d",
         eps > 0 && eps.isFinite ? nil : "its eps must be a positive number (got \(eps))",
         momentum.flatMap { (0...1).contains($0) ? nil : "its momentum must be in [0, 1] or None (got \($0))" }]
            .compactMap { $0 }.first
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        let ranks = dimensions == 1 ? [2, 3] : [4]
        guard ranks.contains(input.count) else {
            throw wrong("expects " + (dimensions == 1 ? "[batch, features] or [batch, channels, length]" : "[batch, channels, height, width]")
                        + "; it gets \(input)")
        }
        guard input[1] == features else { throw wrong("expects \(features) channels; it gets \(input[1]) (of \(featuresText(input)))") }
        return input
    }

    var parameterCount: Int { affine ? 2 * features : 0 }
    var stateCount: Int { trackRunningStats ? 2 * features + 1 : 0 }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer {
        try BatchNorm(features, dimensions: dimensions, epsilon: eps, momentum: momentum, affine: affine,
                      trackRunningStatistics: trackRunningStats, backend: build.backend)
    }
}

/// `BatchNorm1d` and `BatchNorm2d` as PyTorch computes them: while training, each channel is
/// normalised by the batch's mean and biased variance, and the running mean and variance move
/// toward the batch's (its unbiased variance) by `momentum`, or to the average over every batch
/// when `momentum` is nil; in evaluation the running ones normalise. A layer that tracks no
/// running statistics always uses the batch's. Each direction is one op, one pass per channel.
public final class BatchNorm: Layer {
    public let features: Int, dimensions: Int, epsilon: Float, momentum: Float?
    public let tracksRunningStatistics: Bool
    /// The learned scale (`weight`, starting at 1) and shift (`bias`, at 0); nil without affine.
    public let weight: Parameter?, bias: Parameter?
    /// `running_mean` (starting at 0) and `running_var` (at 1); nil when not tracked.
    public let runningMean: Tensor?, runningVar: Tensor?
    /// `num_batches_tracked`: training batches seen (what momentum=None averages over).
    public private(set) var batchesTracked = 0
    /// What the backward pass needs from the last forward pass.
    private var saved: (input: Tensor, mean: Tensor, invStd: Tensor, shape: BatchNormShape)?

    public init(_ features: Int, dimensions: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStatistics: Bool = true, backend: any Backend) throws {
        self.features = features; self.dimensions = dimensions; self.epsilon = epsilon; self.momentum = momentum
        tracksRunningStatistics = trackRunningStatistics
        weight = affine ? try Parameter(name: "weight", value: backend.tensor([features], filledWith: 1), backend: backend) : nil
        bias = affine ? try Parameter(name: "bias", value: backend.tensor([features], filledWith: 0), backend: backend) : nil
        runningMean = trackRunningStatistics ? try backend.tensor([features], filledWith: 0) : nil
        runningVar = trackRunningStatistics ? try backend.tensor([features], filledWith: 1) : nil
    }

    public var spec: LayerSpec {
        .batchNorm(features, dimensions: dimensions, eps: epsilon, momentum: momentum, affine: weight != nil,
                   trackRunningStats: tracksRunningStatistics)
    }

    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    public var state: [LayerState] {
        guard let runningMean, let runningVar else { return [] }
        return [.tensor("running_mean", runningMean), .tensor("running_var", runningVar),
                LayerState(name: "num_batches_tracked", shape: [], isCount: true, read: { [unowned self] _ in [Float(batchesTracked)] },
                           write: { [unowned self] values, _ in batchesTracked = Int(values[0]) })]
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let shape = BatchNormShape(outer: x.shape[0], channels: features, inner: x.shape.dropFirst(2).reduce(1, *))
        let b = context.backend, mode: BatchNormMode
        if context.training || !tracksRunningStatistics {
            // As PyTorch refuses it: one value per channel has no variance to normalise by.
            guard shape.perChannel > 1 else {
                throw ModelError.shape("\(spec) needs more than one value per channel to use the batch's statistics; "
                                       + "it gets \(x.shape) (a batch of one; use a larger batch, or evaluation mode)")
            }
            var factor: Float?
            if context.training && tracksRunningStatistics {
                batchesTracked += 1
                factor = momentum ?? 1 / Float(batchesTracked)
            }
            mode = .batch(runningFactor: factor)
        } else {
            mode = .running
        }
        let y = try b.tensor(x.shape), mean = try b.tensor([features]), invStd = try b.tensor([features])
        try b.batchNormForward(x.buffer, shape: shape, scale: weight?.value.buffer, shift: bias?.value.buffer, epsilon: epsilon,
                               mode: mode, runningMean: runningMean?.buffer, runningVar: runningVar?.buffer, mean: mean.buffer,
                               invStd: invStd.buffer, output: y.buffer)
        saved = context.training ? (x, mean, invStd, shape) : nil
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let saved else { throw ModelError.backwardBeforeForward(kind) }
        let b = context.backend, dx = try b.tensor(saved.input.shape)
        // The input gradient comes out of the same pass as the weight's and bias's.
        try b.batchNormBackward(saved.input.buffer, outputGrad: dy.buffer, shape: saved.shape, scale: weight?.value.buffer,
                                mean: saved.mean.buffer, invStd: saved.invStd.buffer, inputGrad: dx.buffer,
                                scaleGrad: weight?.gradient.buffer, shiftGrad: bias?.gradient.buffer)
        return needsInputGradient ? dx : nil
    }
}

extension BatchNormSpec {
    /// BatchNormalization by the running statistics; without them (track_running_stats=False,
    /// which normalises by the batch's in evaluation too), the same arithmetic written out:
    /// (x − mean) / √(var + eps) over the batch and every position, per channel.
    func onnx(_ layer: ONNXLayer) throws -> String {
        let scale = affine ? try layer.weight("weight") : layer.constant([Float](repeating: 1, count: features))
        let shift = affine ? try layer.weight("bias") : layer.constant([Float](repeating: 0, count: features))
        if trackRunningStats {
            return layer.node("BatchNormalization", [layer.input, scale, shift, try layer.weight("running_mean"),
                                                     try layer.weight("running_var")], [ONNXAttribute.float("epsilon", eps)])
        }
        let axes = [0] + Array(2..<layer.inputShape.count)
        // Per-channel values broadcast over [N, C, …]: shaped [C, 1, …].
        let perChannel = [features] + [Int](repeating: 1, count: layer.inputShape.count - 2)
        let mean = layer.node("ReduceMean", [layer.input], [ONNXAttribute.ints("axes", axes)])
        let centred = layer.node("Sub", [layer.input, mean])
        let variance = layer.node("ReduceMean", [layer.node("Mul", [centred, centred])], [ONNXAttribute.ints("axes", axes)])
        let std = layer.node("Sqrt", [layer.node("Add", [variance, layer.constant([eps])])])
        let normalised = layer.node("Div", [centred, std])
        let scaled = layer.node("Mul", [normalised, layer.node("Reshape", [scale, layer.integers(perChannel)])])
        return layer.node("Add", [scaled, layer.node("Reshape", [shift, layer.integers(perChannel)])])
    }
}
