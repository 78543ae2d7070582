import Compute
import Foundation

/// A training run with its folder: a `Trainer`'s epochs, each followed by validation and a
/// checkpoint (so `--resume` can continue it), then the test metrics and the figures.
public final class TrainingRun {
    public let trainer: Trainer
    public let folder: RunFolder
    public private(set) var history: [EpochRecord] = []

    /// A new run of `config` into `folder`. `data` replaces loading `config.data` (tests pass
    /// small synthetic sets).
    public init(config: TrainingConfig, backend: any Backend, folder: RunFolder,
                progress: any TrainingProgress = SilentProgress(), data: (train: Dataset, test: Dataset)? = nil) throws {
        if let problem = config.problem { throw TrainingError.configuration(problem) }
        let splits = try DataSplits(data ?? config.data.load(), config: config)
        trainer = try Trainer(config: config, backend: backend, data: splits, progress: progress)
        self.folder = folder
    }

    /// Continues the run in `folder` from its last finished epoch, on `backend`.
    public init(resuming folder: RunFolder, backend: any Backend,
                progress: any TrainingProgress = SilentProgress(), epochs: Int? = nil) throws {
        let record = try folder.readJSON(RunRecord.self, from: folder.config)
        var config = record.config
        if let epochs { config.epochs = epochs }
        if let problem = config.problem { throw TrainingError.configuration(problem) }
        let state = try folder.readJSON(RunState.self, from: folder.state)
        guard state.epochsDone < config.epochs else {
            throw TrainingError.resume("\(folder.path) already finished its \(config.epochs) epochs; pass --epochs N to train longer")
        }
        // The run's checkpoint already holds the encoder it started from (which may have moved since).
        trainer = try Trainer(config: config, backend: backend, data: DataSplits(config.data.load(), config: config),
                              progress: progress, loadEncoder: false)
        try Checkpoint.loadParameters(from: folder.model, into: trainer.model)
        let (entries, _) = try SafeTensors.read(folder.optimizer)
        try trainer.optimizer.restore(entries)
        trainer.optimizer.stepCount = state.optimizerSteps
        history = state.history
        self.folder = folder
    }

    public var config: TrainingConfig { trainer.config }

    /// Runs the remaining epochs, then evaluates on the test set; returns the test metrics.
    @discardableResult
    public func run() throws -> Evaluation {
        let backend = trainer.backend, progress = trainer.progress, data = trainer.data
        try folder.create()
        let record = RunRecord(config: config, device: backend.name, deviceDescription: backend.deviceDescription,
                               started: ISO8601DateFormatter().string(from: Date()), aekitVersion: aekitVersion)
        // Rewritten on resume too: `--epochs` may have changed the configuration.
        try folder.writeJSON(record, to: folder.config)
        progress.started(config, device: "\(backend.name) (\(backend.deviceDescription))", trainCount: data.train.count,
                         validationCount: data.validation.count, folder: folder.path)
        for epoch in (history.count + 1)...config.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let trainMetrics: Evaluation
            do {
                trainMetrics = try trainer.trainEpoch(epoch)
            } catch TrainingError.diverged(let epoch, let learningRate, _) {
                throw TrainingError.diverged(epoch: epoch, learningRate: learningRate,
                                             lastGood: history.isEmpty ? nil : folder.model)
            }
            let validationMetrics = try trainer.evaluate(data.validation)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let row = EpochRecord(epoch: epoch, train: trainMetrics, validation: validationMetrics, seconds: seconds)
            history.append(row)
            try saveCheckpoint()
            progress.epoch(row, epochs: config.epochs)
        }
        let testMetrics = try trainer.evaluate(data.test)
        try folder.writeJSON(FinalRecord(test: testMetrics, epochs: history.count, device: backend.name,
                                         secondsPerEpoch: history.map(\.seconds).reduce(0, +) / Double(max(history.count, 1)),
                                         parameters: trainer.model.parameterCount), to: folder.final)
        try writeFigures()
        progress.finished(test: testMetrics, folder: folder.path)
        return testMetrics
    }

    /// Model, optimizer state, metrics and state.json, each replaced atomically; state.json
    /// last, so it never claims an epoch whose checkpoint is not on disk.
    private func saveCheckpoint() throws {
        let optimizer = trainer.optimizer
        try Checkpoint.save(trainer.model, to: folder.model, extraMetadata: ["epoch": "\(history.count)"])
        try writeAtomically(SafeTensors.encode(try optimizer.state(trainer.parameters), metadata: ["epoch": "\(history.count)"]),
                            to: folder.optimizer)
        try writeAtomically(Data(metricsCSV(history).utf8), to: folder.metrics)
        try folder.writeJSON(RunState(epochsDone: history.count, optimizerSteps: optimizer.stepCount, history: history),
                             to: folder.state)
    }

    private func writeFigures() throws {
        let model = trainer.model, test = trainer.data.test
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
