import Compute

// The pieces of a training loop of one's own, written as PyTorch's is: batches of a dataset
// on the device (`Batches`), `forward(_:training:)`, `loss(_:target:)`, `backward(_:)` and an
// optimizer's `step(_:)`. `fit` and `aekit train` (`Trainer`) run the same ops with a running
// loss kept on the device instead of read back each step.

extension Sequential {
    /// PyTorch's `model(x)` after `model.train()` (`training: true`) or `model.eval()`. A
    /// training pass draws its dropout masks (and a VAE's samples) from `seed` and the count of
    /// training passes so far, advanced by each, so no two steps share a mask; a VAE's KL term
    /// is kept for `loss(_:target:)`. Not for two threads at once, like a PyTorch module.
    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        var context = ForwardContext(backend: backend, training: training, seed: UInt32(truncatingIfNeeded: seed),
                                     step: loop.trainingPasses)
        if training { loop.trainingPasses &+= 1 }
        if spec.hasLossTerms { context.lossTerms = try backend.tensor([1], filledWith: 0) }
        loop.context = context
        return try forward(x, context)
    }

    /// PyTorch's `loss.backward()` for the last `forward(_:training:)`: writes every
    /// parameter's gradient from `outputGradient` (the gradient `loss(_:target:)` gives). The
    /// gradients are overwritten, not added to, so there is no `zero_grad()` to call.
    public func backward(_ outputGradient: Tensor) throws {
        guard let context = loop.context else {
            throw ModelError.shape("backward(_:) follows a forward(_:training:); none has run on this model")
        }
        try backward(outputGradient, context)
    }

    /// The model's loss (`spec.loss`: MSE, BCE, L1 …; a classifier's softmax cross-entropy) of
    /// `output` against `target` — the input itself for an autoencoder, one-hot labels
    /// `[n, 10]` for a classifier (`Batches.targets`) — as the batch's mean, with its gradient
    /// with respect to `output`. A VAE's β·KL from the last forward pass is part of the value
    /// (its gradient flows in `backward`). Reads the value back from the device: one wait per
    /// call, as PyTorch's `loss.item()`.
    public func loss(_ output: Tensor, target: Tensor) throws -> (value: Float, gradient: Tensor) {
        guard spec.loss != .none else { throw ModelError.shape(ModelSpec.partProblem(spec.name)) }
        let expected = spec.isAutoencoder ? output.shape : [output.shape[0], ModelSpec.classes]
        guard target.shape == expected else {
            throw ModelError.shape("the target is \(target.shape); for this model's output \(output.shape) it must be \(expected)"
                                   + (spec.isAutoencoder ? " (the input itself)" : " (one-hot labels)"))
        }
        let gradient = try backend.tensor(output.shape), value = try backend.tensor([1], filledWith: 0)
        try spec.addLoss(output: output, target: target, gradient: gradient, into: value, backend: backend)
        let terms = try loop.context?.lossTerms.map { try backend.scalar($0.buffer) } ?? 0
        return (try backend.scalar(value.buffer) + terms, gradient)
    }
}

extension Batches {
    /// `dataset` on `model`'s device in batches of `batchSize`, in order or shuffled by
    /// `shuffleSeed`: PyTorch's `DataLoader`. The images are uploaded once; each batch is
    /// gathered on the device. `reshuffled(seed:)` gives the next epoch's order over the
    /// same upload.
    public init(_ dataset: Dataset, for model: Sequential, batchSize: Int, shuffleSeed: UInt64? = nil) throws {
        guard batchSize > 0 else { throw TrainingError.configuration("the batch size must be 1 or more (got \(batchSize))") }
        try self.init(ResidentDataset(dataset, spec: model.spec, backend: model.backend), spec: model.spec,
                      batchSize: batchSize, shuffleSeed: shuffleSeed)
    }

    /// The same data and batch size in the order `seed` shuffles it to.
    public func reshuffled(seed: UInt64) throws -> Batches {
        try Batches(data, spec: spec, batchSize: batchSize, shuffleSeed: seed)
    }
}
