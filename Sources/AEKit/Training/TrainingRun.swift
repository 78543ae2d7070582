import Compute
import Foundation

/// A training run with its folder: a `Trainer`'s epochs, each followed by validation and a
/// checkpoint (so `--resume` can continue it), then the test metrics and the figures. The run
/// holds its folder's lock from its start to the end of `run()`.
///
/// Each epoch commits in three steps, so that a kill at any instant loses at most the epoch
/// in progress and never leaves a folder that resumes wrongly:
/// 1. `checkpoint/epoch-N/` is written whole under a temporary name, then renamed.
/// 2. `state.json` is replaced (one atomic rename): it names epoch N, its history and the
///    SHA-256 of both checkpoint files. This is the commit.
/// 3. `model.safetensors` and `metrics.csv` are published from it, and epoch N − 1's folder
///    is removed.
/// `--resume` reads `state.json`, checks the files' digests, removes whatever a kill left
/// beyond the commit, and publishes again.
public final class TrainingRun {
    public let trainer: Trainer
    public let folder: RunFolder
    public private(set) var history: [EpochRecord] = []
    /// What resuming found that the user should hear of (no committed epoch); nil otherwise.
    public private(set) var notice: String?
    private let lock: RunLock

    /// A new run of `config` into `folder`, which it claims (see `RunFolder.claim`). `data`
    /// replaces loading `config.data` (tests pass small synthetic sets); `fused: false` trains
    /// the model unfused (`Sequential`'s `fused`).
    public init(config: TrainingConfig, backend: any Backend, folder: RunFolder, claim: RunFolder.Claim = .new,
                progress: any TrainingProgress = SilentProgress(), data: (train: Dataset, test: Dataset)? = nil,
                fused: Bool = true) throws {
        if let problem = config.problem { throw TrainingError.configuration(problem) }
        let lock = try folder.claim(claim)
        do {
            let data = try data ?? progress.load(config.data)
            // A preset takes the data's image shape (a colour or larger set); config.json records it so.
            let config = try config.fitting(data.train.shape)
            try TrainingRun.checkMemory(config, backend: backend)
            let splits = try DataSplits(data, config: config)
            trainer = try Trainer(config: config, backend: backend, data: splits, progress: progress, fused: fused)
        } catch {
            lock.abandon()
            throw error
        }
        self.lock = lock
        self.folder = folder
    }

    /// Continues the run in `folder` from its last committed epoch, on `backend`; a run that
    /// committed none starts again from epoch 1 (and `notice` says so).
    public init(resuming folder: RunFolder, backend: any Backend,
                progress: any TrainingProgress = SilentProgress(), epochs: Int? = nil, fused: Bool = true) throws {
        lock = try folder.lockExisting()
        let record: RunRecord
        do {
            record = try folder.readJSON(RunRecord.self, from: folder.config)
        } catch {
            lock.abandon()  // where this made the lock file (no run was there), it goes again
            throw error
        }
        var config = record.config
        if let epochs { config.epochs = epochs }
        if let problem = config.problem { throw TrainingError.configuration("\(folder.config): \(problem)") }
        try TrainingRun.checkMemory(config, backend: backend)
        let splits = try DataSplits(progress.load(config.data), config: config)
        self.folder = folder
        guard FileManager.default.fileExists(atPath: folder.state) else {
            notice = "\(folder.path) has no committed epoch (it was stopped during its first); training it from epoch 1"
            trainer = try Trainer(config: config, backend: backend, data: splits, progress: progress, fused: fused)
            try removeUncommitted(keeping: nil)
            return
        }
        let state = try folder.readJSON(RunState.self, from: folder.state)
        if let problem = state.problem { throw TrainingError.resume("\(folder.state) is not a sound record: \(problem)") }
        // A run killed after its last commit but before its test metrics still needs those.
        let finished = state.epochsDone == config.epochs && FileManager.default.fileExists(atPath: folder.final)
        guard state.epochsDone <= config.epochs, !finished else {
            throw TrainingError.resume("\(folder.path) already finished \(state.epochsDone) epochs; pass --epochs N "
                                       + "(more than \(state.epochsDone)) to train longer")
        }
        let batches = (splits.train.count + config.batchSize - 1) / config.batchSize
        guard state.optimizerSteps == state.epochsDone * batches else {
            throw TrainingError.resume("\(folder.state) records \(state.optimizerSteps) optimizer steps, but \(state.epochsDone) "
                                       + "epochs of \(batches) batches make \(state.epochsDone * batches)")
        }
        // The run's checkpoint already holds the encoder it started from (which may have moved since).
        trainer = try Trainer(config: config, backend: backend, data: splits, progress: progress, loadEncoder: false,
                              fused: fused)
        let files = RunState.files(epoch: state.epochsDone)
        let modelData = try verified(files.model, state), optimizerData = try verified(files.optimizer, state)
        let model = try Checkpoint.Contents(modelData, path: folder.file(files.model))
        guard model.spec == config.model else {
            throw TrainingError.resume("\(folder.file(files.model)) holds \(model.spec.name), but \(folder.config) configures "
                                       + "\(config.model.name)")
        }
        try Checkpoint.loadParameters(model.entries, path: folder.file(files.model), into: trainer.model)
        let optimizer = try SafeTensors.decode(optimizerData, path: folder.file(files.optimizer))
        try trainer.optimizer.restore(optimizer.entries, parameters: trainer.parameters)
        trainer.optimizer.stepCount = state.optimizerSteps
        history = state.history
        try removeUncommitted(keeping: state.epochsDone)
        try publish(model: modelData)
    }

    public var config: TrainingConfig { trainer.config }

    /// Runs the remaining epochs, then evaluates on the test set; returns the test metrics.
    @discardableResult
    public func run() throws -> Evaluation {
        defer { lock.release() }
        let backend = trainer.backend, progress = trainer.progress, data = trainer.data
        let record = RunRecord(config: config, device: backend.name, deviceDescription: backend.deviceDescription,
                               started: ISO8601DateFormatter().string(from: Date()), aekitVersion: aekitVersion)
        // Rewritten on resume too: `--epochs` may have changed the configuration.
        try folder.writeJSON(record, to: folder.config)
        progress.started(config, device: "\(backend.name) (\(backend.deviceDescription))", trainCount: data.train.count,
                         validationCount: data.validation.count, folder: folder.path)
        for epoch in stride(from: history.count + 1, through: config.epochs, by: 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            let lastGood = history.isEmpty ? nil : folder.model
            let trainMetrics: Evaluation
            do {
                trainMetrics = try trainer.trainEpoch(epoch)
            } catch TrainingError.diverged(let epoch, let learningRate, _) {
                throw TrainingError.diverged(epoch: epoch, learningRate: learningRate, lastGood: lastGood)
            }
            let validationMetrics = try trainer.evaluate(data.validation)
            guard validationMetrics.loss.isFinite else {
                throw TrainingError.diverged(epoch: epoch, learningRate: config.optimizer.learningRate, lastGood: lastGood)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let row = EpochRecord(epoch: epoch, train: trainMetrics, validation: validationMetrics, seconds: seconds)
            history.append(row)
            try commitEpoch()
            // A VAE's draws from the prior after each epoch, the last one kept.
            if trainer.model.bottleneckIndex != nil {
                try writeAtomically(Figures.samples(trainer.model).png(), to: folder.file("samples.png"))
            }
            progress.epoch(row, epochs: config.epochs)
        }
        var testMetrics = try trainer.evaluate(data.test)
        if config.model.hasLossTerms { testMetrics.sampledLoss = try trainer.evaluate(data.test, sampling: true).loss }
        try writeFigures()
        // Last: a folder with final.json is a finished run, figures and all.
        try folder.writeJSON(FinalRecord(test: testMetrics, epochs: history.count, parameters: trainer.model.parameterCount,
                                         device: backend.name,
                                         secondsPerEpoch: history.map(\.seconds).reduce(0, +) / Double(max(history.count, 1))),
                             to: folder.final)
        progress.finished(test: testMetrics, folder: folder.path)
        return testMetrics
    }

    /// Refuses a run whose model and batch do not fit the device, before anything is allocated.
    static func checkMemory(_ config: TrainingConfig, backend: any Backend) throws {
        let bytes = try MemoryEstimate(config.model).trainingBytes(batch: config.batchSize, optimizerSlots: config.optimizer.slots)
        try MemoryEstimate.check(bytes, on: backend, for: "training \(config.model.name) with batches of \(config.batchSize)",
                                 advice: "Use a smaller --hidden or --batch.")
    }

    /// Commits the epoch just trained (see the type's comment for the three steps).
    private func commitEpoch() throws {
        let epoch = history.count, files = RunState.files(epoch: epoch)
        let modelData = try Checkpoint.encode(trainer.model, extraMetadata: ["epoch": "\(epoch)"])
        let optimizerData = try SafeTensors.encode(try trainer.optimizer.state(trainer.parameters), metadata: ["epoch": "\(epoch)"])

        // 1. The checkpoint folder, whole before it takes its name.
        try createFolders(folder.checkpoints)
        let target = folder.file(RunFolder.checkpoint(epoch: epoch))
        let staging = Paths.join(folder.checkpoints, ".epoch-\(epoch)\(temporaryMarker)\(getpid())")
        for leftover in [staging, target] where FileManager.default.fileExists(atPath: leftover) {
            try FileManager.default.removeItem(atPath: leftover)
        }
        try createFolders(staging, intermediate: false)
        try writeAtomically(modelData, to: Paths.join(staging, RunFolder.modelFile), durable: true)
        KillPoint.reach(.modelStaged, epoch: epoch)
        try writeAtomically(optimizerData, to: Paths.join(staging, RunFolder.optimizerFile), durable: true)
        guard rename(staging, target) == 0 else { throw FileError.unwritable(target, FileError.errnoText()) }
        try syncFolder(folder.checkpoints)
        KillPoint.reach(.staged, epoch: epoch)

        // 2. The commit.
        let state = RunState(epochsDone: epoch, optimizerSteps: trainer.optimizer.stepCount, history: history,
                             files: [files.model: sha256Hex(modelData), files.optimizer: sha256Hex(optimizerData)])
        try folder.writeJSON(state, to: folder.state, durable: true)
        KillPoint.reach(.committed, epoch: epoch)

        // 3. What people read, and the end of the previous epoch's checkpoint.
        try publish(model: modelData)
        KillPoint.reach(.published, epoch: epoch)
        try removeUncommitted(keeping: epoch)
    }

    /// `model.safetensors` and `metrics.csv` of the committed epoch.
    private func publish(model: Data) throws {
        try writeAtomically(model, to: folder.model)
        try writeAtomically(Data(metricsCSV(history).utf8), to: folder.metrics)
    }

    /// Removes what is not part of the committed epoch (`nil`: none is): other epochs'
    /// checkpoint folders and the temporary files of killed writes; with no commit, also what
    /// the first epoch published. Safe only while holding the lock, as a run does.
    private func removeUncommitted(keeping epoch: Int?) throws {
        let fileManager = FileManager.default
        removeTemporaryFiles(in: folder.path)
        let keep = epoch.map { Paths.name(RunFolder.checkpoint(epoch: $0)) }
        for name in (try? fileManager.contentsOfDirectory(atPath: folder.checkpoints)) ?? [] where name != keep {
            try fileManager.removeItem(atPath: Paths.join(folder.checkpoints, name))
        }
        // A finished run being extended is no longer finished.
        let stale = [folder.final] + (epoch == nil ? [folder.model, folder.metrics, folder.state] : [])
        for path in stale where fileManager.fileExists(atPath: path) { try fileManager.removeItem(atPath: path) }
    }

    /// A checkpoint file's bytes, after checking them against the digest `state` records.
    private func verified(_ relative: String, _ state: RunState) throws -> Data {
        let path = folder.file(relative)
        let data: Data
        do { data = try readRegularFile(path, limit: SafeTensors.fileLimit) } catch FileError.missing {
            throw TrainingError.resume("\(path) is missing, though \(folder.state) vouches for it; the folder was changed "
                                       + "after its last commit. Start the run again with --overwrite")
        }
        guard sha256Hex(data) == state.files[relative] else {
            throw TrainingError.resume("\(path) does not match the SHA-256 that \(folder.state) records for it; the folder "
                                       + "was changed after its last commit. Start the run again with --overwrite")
        }
        return data
    }

    private func writeFigures() throws {
        try Figures.writeRunFigures(folder: folder, config: config, history: history, model: trainer.model,
                                    test: trainer.data.test)
    }
}
