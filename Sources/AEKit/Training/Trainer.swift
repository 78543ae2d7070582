import Compute
import Foundation

/// Trains one model by one configuration on one backend, writing its run folder as it goes.
public final class Trainer {
    public let config: TrainingConfig
    public let backend: any Backend
    public let folder: RunFolder
    public let model: Sequential
    let optimizer: any Optimizer
    let parameters: [(name: String, parameter: Parameter)]
    public let train: Dataset, validation: Dataset, test: Dataset
    public private(set) var history: [EpochRecord] = []
    let progress: any TrainingProgress
    /// How often the running loss is read back during an epoch (each read waits for the device).
    var lossReadInterval = 0.5

    /// A new run. `data` replaces loading `config.data` (tests pass small synthetic sets).
    public convenience init(config: TrainingConfig, backend: any Backend, folder: RunFolder,
                            progress: any TrainingProgress = SilentProgress(), data: (train: Dataset, test: Dataset)? = nil) throws {
        try self.init(config: config, backend: backend, folder: folder, progress: progress, data: data, loadEncoder: true)
    }

    /// `loadEncoder: false` when the run's own checkpoint is loaded over the model anyway (resuming).
    private init(config: TrainingConfig, backend: any Backend, folder: RunFolder, progress: any TrainingProgress,
                 data: (train: Dataset, test: Dataset)?, loadEncoder: Bool) throws {
        if let problem = config.problem { throw TrainingError.configuration(problem) }
        self.config = config; self.backend = backend; self.folder = folder; self.progress = progress
        var (all, test) = try data ?? config.data.load()
        if let limit = config.trainLimit { all = all.prefix(limit) }
        let validationCount = config.validation.count(of: all.count)
        guard validationCount < all.count else {
            throw TrainingError.configuration("a validation split of \(validationCount) leaves no training examples "
                                              + "out of \(all.count)")
        }
        if validationCount > 0 {
            (train, validation) = all.split(validationCount: validationCount, seed: config.seed)
        } else {
            (train, validation) = (all, test)
        }
        self.test = test
        model = try Sequential.build(config.model, backend: backend, seed: config.seed)
        if loadEncoder, let encoder = config.encoderCheckpoint {
            try Checkpoint.loadParameters(from: encoder, into: model, layers: ModelSpec.convLinearEncoderLayers)
        }
        optimizer = config.optimizer.make(backend: backend)
        parameters = model.namedParameters
    }

    /// Continues the run in `folder` from its last finished epoch, on `backend`.
    public convenience init(resuming folder: RunFolder, backend: any Backend,
                            progress: any TrainingProgress = SilentProgress(), epochs: Int? = nil) throws {
        let record = try folder.readJSON(RunRecord.self, from: folder.config)
        var config = record.config
        if let epochs { config.epochs = epochs }
        // The run's checkpoint already holds the encoder it started from (which may have moved since).
        try self.init(config: config, backend: backend, folder: folder, progress: progress, data: nil, loadEncoder: false)
        let state = try folder.readJSON(RunState.self, from: folder.state)
        guard state.epochsDone < config.epochs else {
            throw TrainingError.resume("\(folder.path) already finished its \(config.epochs) epochs; pass --epochs N to train longer")
        }
        try Checkpoint.loadParameters(from: folder.model, into: model)
        let (entries, _) = try SafeTensors.read(folder.optimizer)
        try optimizer.restore(entries)
        optimizer.stepCount = state.optimizerSteps
        history = state.history
    }

    /// Runs the remaining epochs, then evaluates on the test set; returns the test metrics.
    @discardableResult
    public func run() throws -> Evaluation {
        try folder.create()
        let record = RunRecord(config: config, device: backend.name, deviceDescription: backend.deviceDescription,
                               started: ISO8601DateFormatter().string(from: Date()), aekitVersion: aekitVersion)
        // Rewritten on resume too: `--epochs` may have changed the configuration.
        try folder.writeJSON(record, to: folder.config)
        progress.started(config, device: "\(backend.name) (\(backend.deviceDescription))", trainCount: train.count,
                         validationCount: validation.count, folder: folder.path)
        for epoch in (history.count + 1)...config.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let trainMetrics = try trainEpoch(epoch)
            let validationMetrics = try model.evaluate(validation, batchSize: evaluationBatch)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let row = EpochRecord(epoch: epoch, train: trainMetrics, validation: validationMetrics, seconds: seconds)
            history.append(row)
            try saveCheckpoint()
            progress.epoch(row, epochs: config.epochs)
        }
        let testMetrics = try model.evaluate(test, batchSize: evaluationBatch)
        try folder.writeJSON(FinalRecord(test: testMetrics, epochs: history.count, device: backend.name,
                                         secondsPerEpoch: history.map(\.seconds).reduce(0, +) / Double(max(history.count, 1)),
                                         parameters: model.parameterCount), to: folder.final)
        try writeFigures()
        progress.finished(test: testMetrics, folder: folder.path)
        return testMetrics
    }

    private var evaluationBatch: Int { max(config.batchSize, 500) }

    /// One pass over the shuffled training set; the metrics are those of the training passes
    /// themselves (dropout on), as a PyTorch loop that sums batch losses reports them.
    func trainEpoch(_ epoch: Int) throws -> Evaluation {
        let b = backend
        let batches = Batches(train, spec: config.model, batchSize: config.batchSize,
                              shuffleSeed: config.seed &+ UInt64(epoch) &* 0x9e37_79b9_7f4a_7c15)
        let lossSum = try b.tensor([1], filledWith: 0), agreement = try b.tensor([1], filledWith: 0)
        var correct = 0, images = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var lastRead = 0.0
        var runningLoss: Double?
        for index in 0..<batches.count {
            let indices = batches.indices(index)
            let context = ForwardContext(backend: b, training: true, seed: UInt32(truncatingIfNeeded: config.seed),
                                         step: UInt32(truncatingIfNeeded: optimizer.stepCount))
            let x = try batches.input(indices, backend: b)
            let y = try model.forward(x, context)
            let gradient = try b.tensor(y.shape)
            if config.model.isAutoencoder {
                try b.mseLoss(prediction: y.buffer, target: x.buffer, gradient: gradient.buffer, lossAccumulator: lossSum.buffer)
                try b.binaryAgreementSum(y.buffer, x.buffer, scale: 1 / Float(train.count * train.imageSize),
                                         into: agreement.buffer)
            } else {
                let target = try batches.oneHot(indices, backend: b)
                try b.softmaxCrossEntropy(logits: y.buffer, target: target.buffer, rows: indices.count,
                                          classes: ModelSpec.classes, gradient: gradient.buffer, lossAccumulator: lossSum.buffer)
                let predicted = predictions(try b.download(y.buffer), classes: ModelSpec.classes)
                correct += zip(predicted, indices).filter { $0 == Int(train.labels[$1]) }.count
            }
            try model.backward(gradient, context)
            try optimizer.step(parameters)
            images += indices.count

            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if seconds - lastRead >= lossReadInterval || index == batches.count - 1 {
                lastRead = seconds
                let loss = Double(try b.scalar(lossSum.buffer)) / Double(index + 1)
                guard loss.isFinite else { throw diverged(epoch) }
                runningLoss = loss
            }
            progress.batch(epoch: epoch, epochs: config.epochs, batch: index + 1, batches: batches.count,
                           images: images, seconds: seconds, loss: runningLoss)
        }
        var metrics = Evaluation(loss: runningLoss ?? .nan, examples: train.count)
        if config.model.isAutoencoder {
            metrics.binaryAccuracy = Double(try b.scalar(agreement.buffer))
        } else {
            metrics.accuracy = Double(correct) / Double(train.count)
        }
        return metrics
    }

    private func diverged(_ epoch: Int) -> TrainingError {
        .diverged(epoch: epoch, learningRate: config.optimizer.learningRate,
                  lastGood: history.isEmpty ? nil : folder.model)
    }

    /// Model, optimizer state, metrics and state.json, each replaced atomically; state.json
    /// last, so it never claims an epoch whose checkpoint is not on disk.
    private func saveCheckpoint() throws {
        try Checkpoint.save(model, to: folder.model, extraMetadata: ["epoch": "\(history.count)"])
        try writeAtomically(SafeTensors.encode(try optimizer.state(parameters), metadata: ["epoch": "\(history.count)"]),
                            to: folder.optimizer)
        try writeAtomically(Data(metricsCSV(history).utf8), to: folder.metrics)
        try folder.writeJSON(RunState(epochsDone: history.count, optimizerSteps: optimizer.stepCount, history: history),
                             to: folder.state)
    }

    private func writeFigures() throws {
        let lossName = config.model.isAutoencoder ? "MSE" : "cross-entropy"
        let validationName = config.validation == .testSet ? "test" : "validation"
        let loss = Figures.curves([("train", history.map(\.train.loss)), (validationName, history.map(\.validation.loss))],
                                  title: "\(config.model.name) on \(config.data.name)", yLabel: lossName, logScale: true)
        try writeAtomically(Data(loss.utf8), to: folder.file("loss.svg"))
        if let metric = history.first?.train.metric?.name {
            let curves = Figures.curves([("train", history.map { $0.train.metric?.value ?? .nan }),
                                         (validationName, history.map { $0.validation.metric?.value ?? .nan })],
                                        title: "\(config.model.name): \(metric)", yLabel: metric)
            try writeAtomically(Data(curves.utf8), to: folder.file("\(metric).svg"))
        }
        if config.model.isAutoencoder {
            try writeAtomically(Figures.reconstructions(model, test).png(), to: folder.file("reconstructions.png"))
            try writeAtomically(Figures.saltAndPepper(model, test).png(), to: folder.file("salt-and-pepper.png"))
        }
    }
}
