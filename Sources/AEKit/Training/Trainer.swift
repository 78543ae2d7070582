import Compute
import Foundation

/// Trains one model by one configuration on one backend: epochs over the training set, and
/// metrics on the other sets. It writes nothing; `TrainingRun` keeps the run folder.
public final class Trainer {
    public let config: TrainingConfig
    public let backend: any Backend
    public let model: Sequential
    let optimizer: any Optimizer
    let parameters: ParameterStore
    public let data: DataSplits
    let progress: any TrainingProgress
    /// How often the running loss is read back during an epoch (each read waits for the device).
    var lossReadInterval = 0.5
    /// The training set in the backend's memory, uploaded on the first epoch.
    private var residentTrain: ResidentDataset?
    /// Called after each training step (a benchmark counts the backend's work per step).
    var afterStep: (() -> Void)?

    /// A fresh model (and, for a classifier, the encoder `config` names; or the initial weights
    /// it names) on `backend`. `loadEncoder: false` where the caller loads a whole checkpoint
    /// over the model anyway;
    /// `fused: false` runs the model unfused (`Sequential`'s `fused`).
    public convenience init(config: TrainingConfig, backend: any Backend, data: DataSplits,
                            progress: any TrainingProgress = SilentProgress(), loadEncoder: Bool = true,
                            fused: Bool = true) throws {
        if let problem = config.problem { throw TrainingError.configuration(problem) }
        let model = try Sequential(config.model, backend: backend, seed: config.seed, fused: fused)
        if loadEncoder, let encoder = config.encoderCheckpoint {
            try Checkpoint.loadEncoder(from: encoder, into: model)
        }
        if loadEncoder, let weights = config.initialWeights {
            try Checkpoint.loadWeights(from: weights, into: model)
        }
        try self.init(model: model, config: config, data: data, progress: progress)
    }

    /// Trains `model` as it is (on its own backend) by `config`'s optimizer, batch, epochs and
    /// seed; `config.model` must be `model.spec`.
    public init(model: Sequential, config: TrainingConfig, data: DataSplits,
                progress: any TrainingProgress = SilentProgress()) throws {
        if let problem = config.problem { throw TrainingError.configuration(problem) }
        guard config.model == model.spec else {
            throw TrainingError.configuration("the configuration's model (\(config.model.name)) is not the model given (\(model.spec.name))")
        }
        // Every batch size an epoch will have, checked before anything trains: the full one, and
        // the last, partial one.
        let last = data.train.count % config.batchSize
        if let problem = config.model.trainingBatchProblem(batch: min(config.batchSize, data.train.count)) {
            throw TrainingError.configuration("--batch \(config.batchSize): \(problem); use a larger --batch")
        }
        if last > 0, let problem = config.model.trainingBatchProblem(batch: last) {
            throw TrainingError.configuration("the last batch of each epoch holds \(last) of the \(data.train.count) training "
                                              + "images: \(problem); pick a --batch that leaves more")
        }
        // And the evaluation's, where a BatchNorm without running statistics uses the batch's.
        for (name, set) in [("validation", data.validation), ("test", data.test)] where set.count > 0 {
            let size = Trainer.evaluationBatch(config), last = set.count % size
            for batch in [min(size, set.count), last] where batch > 0 {
                if let problem = config.model.evaluationBatchProblem(batch: batch) {
                    throw TrainingError.configuration("the \(name) set's \(set.count) images are evaluated in batches of "
                                                      + "\(size), the last of \(last == 0 ? size : last): \(problem); pick a "
                                                      + "--batch that leaves more, or track_running_stats=True")
                }
            }
        }
        self.config = config; self.backend = model.backend; self.data = data; self.progress = progress
        self.model = model
        optimizer = config.optimizer.make()
        parameters = model.parameters
    }

    public var train: Dataset { data.train }

    /// One pass over the shuffled training set; the metrics are those of the training passes
    /// themselves (dropout on), as a PyTorch loop that sums batch losses reports them. Throws
    /// `TrainingError.diverged` when the running loss stops being finite.
    public func trainEpoch(_ epoch: Int) throws -> Evaluation {
        let b = backend
        optimizer.learningRate = config.optimizer.learningRate(epoch: epoch)
        let objective = try Objective(config.model, dataset: train, backend: b)
        let resident = try residentTrain ?? ResidentDataset(train, spec: config.model, backend: b)
        residentTrain = resident
        let batches = try Batches(resident, spec: config.model, batchSize: config.batchSize,
                                  shuffleSeed: config.seed &+ UInt64(epoch) &* 0x9e37_79b9_7f4a_7c15)
        var images = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var lastRead = 0.0
        var runningLoss: Double?
        for index in 0..<batches.count {
            var context = ForwardContext(backend: b, training: true, seed: UInt32(truncatingIfNeeded: config.seed),
                                         step: UInt32(truncatingIfNeeded: optimizer.stepCount))
            context.lossTerms = try objective.lossTerms(training: true)
            let x = try batches.input(index)
            let y = try model.forward(noisy(x, context), context)
            let gradient = try b.tensor(y.shape)
            try objective.add(output: y, input: x, batch: index, source: batches, gradient: gradient)
            try model.backward(gradient, context)
            try optimizer.step(parameters)
            images += batches.range(index).count

            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if seconds - lastRead >= lossReadInterval || index == batches.count - 1 {
                lastRead = seconds
                let loss = try objective.runningLoss()
                guard loss.isFinite else {
                    throw TrainingError.diverged(epoch: epoch, learningRate: optimizer.learningRate, lastGood: nil)
                }
                runningLoss = loss
            }
            progress.batch(epoch: epoch, epochs: config.epochs, batch: index + 1, batches: batches.count,
                           images: images, seconds: seconds, loss: runningLoss)
            afterStep?()
        }
        return try objective.result(trainingLoss: runningLoss ?? .nan)
    }

    /// The training input: `x` itself, or for a denoising run `x` with salt-and-pepper noise,
    /// drawn on the device from the same (seed, step) as the dropout masks (another stream).
    private func noisy(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        guard let amount = config.noise else { return x }
        let noisy = try backend.tensor(x.shape)
        try backend.saltAndPepper(x.buffer, output: noisy.buffer, amount: amount, seed: context.seed, step: context.step)
        return noisy
    }

    /// The model's metrics on `dataset` (no dropout), in batches of `evaluationBatch`; with
    /// `sampling`, a VAE decodes a sampled z (drawn from the run's seed) instead of the mean.
    public func evaluate(_ dataset: Dataset, sampling: Bool = false) throws -> Evaluation {
        try model.evaluate(dataset, batchSize: Trainer.evaluationBatch(config), sampling: sampling,
                           seed: UInt32(truncatingIfNeeded: config.seed))
    }

    /// Evaluation batches: the training batch, at least 500.
    static func evaluationBatch(_ config: TrainingConfig) -> Int { max(config.batchSize, 500) }
}
