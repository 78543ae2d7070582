import Compute
import Foundation

// The Swift API a Keras or PyTorch user reaches for first: a dataset from arrays, `fit`,
// `evaluate` (Evaluation.swift), `predict`, and `save`/`load` as PyTorch-named safetensors.

extension Dataset {
    /// Examples from arrays, not files: `images` holds `count × channels × height × width`
    /// values in [0, 1], row-major (NCHW), one image after another; `labels` one class per image
    /// (a classifier's targets; an autoencoder needs none). Throws when the sizes disagree, or
    /// when the values are not in [0, 1] (pixels of 0…255 must be divided by 255 first).
    public init(images: [Float], channels: Int = 1, height: Int, width: Int, labels: [UInt8]? = nil) throws {
        let size = channels * height * width
        guard channels > 0, height > 0, width > 0, images.count % size == 0, !images.isEmpty else {
            throw DatasetError.badFile("the images", "hold \(images.count) values, which is no whole number of "
                                       + "\(channels)×\(height)×\(width) images")
        }
        let count = images.count / size
        if let labels, labels.count != count {
            throw DatasetError.badFile("the labels", "are \(labels.count) for \(count) images; give one per image")
        }
        if let outside = images.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw DatasetError.badFile("the images", "hold \(images[outside]) at value \(outside); pixels must lie in "
                                       + "[0, 1] (divide bytes 0…255 by 255)")
        }
        self.init(values: .floats(images), labels: labels ?? [UInt8](repeating: 0, count: count), channels: channels,
                  height: height, width: width)
    }
}

extension DataSplits {
    /// The three sets as they are: train on `train`, evaluate each epoch on `validation`, and
    /// the test set at the end.
    public init(train: Dataset, validation: Dataset, test: Dataset) {
        self.train = train; self.validation = validation; self.test = test
    }
}

extension TrainingConfig {
    /// A configuration for a model trained from Swift, on data given as `Dataset`s (its data
    /// source records no files: `in-memory`).
    public init(model: ModelSpec, optimizer: OptimizerSpec = OptimizerSpec(kind: .adam, learningRate: 1e-3),
                batchSize: Int = 32, epochs: Int = 1, seed: UInt64 = 1) {
        self.init(recipe: "swift", data: DataSource(name: "in-memory"), model: model, optimizer: optimizer,
                  batchSize: batchSize, epochs: epochs, seed: seed, validation: .testSet)
    }
}

extension Sequential {
    /// Keras' `model.fit(x, epochs=…, batch_size=…, validation_data=…)`: trains this model in
    /// place on `train` (shuffled each epoch by `seed`) and returns each epoch's metrics. Each
    /// epoch is evaluated on `validation`, or on `train` in evaluation mode when none is given.
    /// The optimizer starts fresh on each call. Throws `TrainingError.diverged` when the loss
    /// stops being finite.
    @discardableResult
    public func fit(_ train: Dataset, epochs: Int, batchSize: Int = 32,
                    optimizer: OptimizerSpec = OptimizerSpec(kind: .adam, learningRate: 1e-3),
                    validation: Dataset? = nil, seed: UInt64 = 1,
                    progress: any TrainingProgress = SilentProgress()) throws -> [EpochRecord] {
        let config = TrainingConfig(model: spec, optimizer: optimizer, batchSize: batchSize, epochs: epochs, seed: seed)
        let checked = validation ?? train
        let trainer = try Trainer(model: self, config: config, data: DataSplits(train: train, validation: checked, test: checked),
                                  progress: progress)
        progress.started(config, device: backend.name, trainCount: train.count, validationCount: checked.count, folder: "")
        var history: [EpochRecord] = []
        for epoch in 1...epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let trained = try trainer.trainEpoch(epoch)
            let checkedMetrics = try trainer.evaluate(checked)
            guard checkedMetrics.loss.isFinite else {
                throw TrainingError.diverged(epoch: epoch, learningRate: optimizer.learningRate, lastGood: nil)
            }
            let record = EpochRecord(epoch: epoch, train: trained, validation: checkedMetrics,
                                     seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            history.append(record)
            progress.epoch(record, epochs: epochs)
        }
        return history
    }

    /// The model's outputs for `data` in evaluation mode (no dropout), one example after
    /// another: reconstructions (`count × 784` for 28×28 images; for a model trained on logits,
    /// `bce-with-logits`, their sigmoid) for an autoencoder, logits (`count × 10`) for a classifier.
    public func predict(_ data: Dataset, batchSize: Int = 1000) throws -> [Float] {
        let batches = try Batches(ResidentDataset(data, spec: spec, backend: backend), spec: spec, batchSize: batchSize)
        var outputs: [Float] = []
        for batch in 0..<batches.count {
            let y = try forward(batches.input(batch), ForwardContext(backend: backend, training: false))
            outputs += try backend.download((spec.isAutoencoder ? spec.reconstruction(of: y, backend: backend) : y).buffer)
        }
        return outputs
    }

    /// Saves the weights as safetensors with PyTorch's state_dict names (`0.weight`, `0.bias`, …)
    /// and this model's layer list in the metadata; written whole or not at all.
    public func save(to path: String) throws { try Checkpoint.save(self, to: path) }

    /// The model a checkpoint holds, rebuilt from its metadata alone, on `backend`.
    public static func load(_ path: String, backend: any Backend) throws -> Sequential {
        try Checkpoint.load(path, backend: backend)
    }
}
