import Compute
import Foundation

/// Metrics of a model on a dataset (or of one training epoch).
public struct Evaluation: Codable, Sendable {
    /// MSE for an autoencoder (mean over pixels and images), cross-entropy for a classifier.
    public var loss: Double
    /// Binary accuracy: pixels of input and reconstruction rounded to 0/1 that agree.
    public var binaryAccuracy: Double?
    /// The part of `loss` the layers add themselves (a VAE's β·KL); the rest is the
    /// reconstruction's.
    public var lossTerms: Double?
    /// A VAE's loss with a sampled z decoded instead of the mean (as pytorch/examples' test pass
    /// does; `loss` is the mean's): the test set's, after training.
    public var sampledLoss: Double?
    /// Fraction of images classified correctly.
    public var accuracy: Double?
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]?
    public var examples: Int

    enum CodingKeys: String, CodingKey {
        case loss, accuracy, confusion, examples
        case binaryAccuracy = "binary_accuracy"
        case lossTerms = "kl"
        case sampledLoss = "sampled_loss"
    }

    /// The metric beside the loss that the model's reports follow.
    public var metric: (name: String, value: Double)? {
        if let accuracy { return ("accuracy", accuracy) }
        if let binaryAccuracy { return ("binary_accuracy", binaryAccuracy) }
        return nil
    }
}

extension Sequential {
    /// The model's metrics on `dataset`, in evaluation mode (no dropout); `keepingDropout`
    /// leaves dropout on, as a PyTorch model evaluated without `model.eval()` is (masks drawn
    /// from `seed`, one step per batch); `sampling` has a VAE decode a sampled z instead of the
    /// mean, as pytorch/examples' test pass does.
    public func evaluate(_ dataset: Dataset, batchSize: Int = 1000, keepingDropout: Bool = false, sampling: Bool = false,
                         seed: UInt32 = 0) throws -> Evaluation {
        let objective = try Objective(spec, dataset: dataset, backend: backend)
        let batches = try Batches(ResidentDataset(dataset, spec: spec, backend: backend), spec: spec, batchSize: batchSize)
        for batch in 0..<batches.count {
            var context = ForwardContext(backend: backend, training: keepingDropout, seed: seed, step: UInt32(batch))
            context.sampling = sampling
            context.lossTerms = try objective.lossTerms(training: false)
            let x = try batches.input(batch)
            try objective.add(output: forward(x, context), input: x, batch: batch, source: batches, gradient: nil)
        }
        return try objective.result()
    }
}
