import Compute

/// `Reparameterize(features, beta=1.0)`: AEKit's own layer, a variational autoencoder's
/// bottleneck. It takes `[batch, 2·features]`, the means μ then the log-variances log σ² (as one
/// `Linear(h, 2·features)` makes them), and gives `[batch, features]`. A few lines of
/// `nn.Module` give the same text its meaning in PyTorch (see the VAE article).
struct ReparameterizeSpec: LayerKind {
    static let classNames = ["Reparameterize"]
    let features: Int
    /// The weight of the KL term in the loss (Higgins et al.'s β-VAE; 1 is Kingma and Welling's).
    let beta: Float

    init(features: Int, beta: Float = 1) { self.features = features; self.beta = beta }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["features", "beta"])
        self.init(features: try a.int("features"), beta: Float(try a.number("beta") ?? 1))
    }

    var arguments: String { "features=\(features), beta=\(beta)" }

    var problem: String? {
        if features < 1 { return "its features must be at least 1 (got \(features))" }
        if !(beta >= 0 && beta.isFinite) { return "its beta must be a number ≥ 0 (got \(beta))" }
        return nil
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] == 2 * features else {
            throw wrong("expects [batch, \(2 * features)] (\(features) means, then \(features) log-variances); it gets \(input)")
        }
        return [input[0], features]
    }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer { Reparameterize(features: features, beta: beta) }
}

/// z = μ + σ·ε while training (ε standard normal, drawn by `GaussianDraw` from the context's
/// seed and step, so every backend draws the same), z = μ in evaluation; and β·KL(N(μ, σ²) ‖
/// N(0, I)) per example, averaged over the batch, added to the loss (`ForwardContext.lossTerms`)
/// with its gradient added to the statistics' in the backward pass.
///
/// pytorch/examples' VAE samples in evaluation too (its `reparameterize` does not look at
/// `self.training`); `Sequential.evaluate(_:sampling:)` does that, for its figure.
public final class Reparameterize: Layer {
    public let features: Int
    public let beta: Float
    /// The last forward pass's statistics and noise (nil: it gave the mean).
    private var saved: (stats: Tensor, noise: GaussianDraw?)?

    init(features: Int, beta: Float) { self.features = features; self.beta = beta }

    public var spec: LayerSpec { .reparameterize(features, beta: beta) }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let b = context.backend, rows = x.shape[0]
        // GaussianDraw's stream is its own, apart from the dropout masks of the same seed and step.
        let noise = context.training || context.sampling ? GaussianDraw(seed: context.seed, step: context.step) : nil
        let z = try b.tensor([rows, features])
        try b.reparameterizeForward(x.buffer, rows: rows, features: features, noise: noise, output: z.buffer)
        // The KL term's value (its gradient waits for the backward pass).
        if let terms = context.lossTerms {
            try b.gaussianKL(x.buffer, rows: rows, features: features, scale: beta / Float(rows), gradient: nil,
                             lossAccumulator: terms.buffer)
        }
        saved = context.training ? (x, noise) : nil
        return z
    }

    public func backward(_ dz: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let saved, let noise = saved.noise else { throw ModelError.backwardBeforeForward(kind) }
        let b = context.backend, rows = dz.shape[0], dstats = try b.tensor(saved.stats.shape)
        try b.reparameterizeBackward(saved.stats.buffer, outputGrad: dz.buffer, rows: rows, features: features, noise: noise,
                                     inputGrad: dstats.buffer)
        // The KL term's gradient, added (its value, counted by the forward pass, goes to a scratch).
        try b.gaussianKL(saved.stats.buffer, rows: rows, features: features, scale: beta / Float(rows), gradient: dstats.buffer,
                         lossAccumulator: b.tensor([1], filledWith: 0).buffer)
        return needsInputGradient ? dstats : nil
    }
}

extension ModelSpec {
    /// The same model with every `Reparameterize` layer's β set to `beta` (`--beta`).
    public func withBeta(_ beta: Float) -> ModelSpec {
        var copy = self
        copy.layers = layers.map { layer in
            guard let bottleneck = layer.definition as? ReparameterizeSpec else { return layer }
            return .reparameterize(bottleneck.features, beta: beta)
        }
        return copy
    }
}

extension ReparameterizeSpec {
    /// Evaluation gives the means: the first `features` columns.
    func onnx(_ layer: ONNXLayer) throws -> String {
        layer.node("Slice", [layer.input, layer.integers([0]), layer.integers([features]), layer.integers([1])])
    }
}
