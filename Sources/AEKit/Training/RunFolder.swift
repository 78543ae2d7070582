import Compute
import Foundation

/// The folder a training run writes, and the one process that may write it (`RunLock`).
///
/// | file | |
/// |---|---|
/// | `config.json` | the configuration |
/// | `state.json` | the commit record: the last whole epoch, its history, and the SHA-256 of each checkpoint file |
/// | `checkpoint/epoch-NNNN/` | that epoch's `model.safetensors` and `optimizer.safetensors` |
/// | `model.safetensors`, `metrics.csv` | the committed epoch's model and metrics, published for people and PyTorch |
/// | `final.json`, figures | after the last epoch |
///
/// An epoch is committed by replacing `state.json` (one atomic rename) once its checkpoint
/// folder is whole; the previous epoch's folder goes only after that. So a kill at any
/// instant leaves a `state.json` whose files are all there: `TrainingRun` explains the order.
public struct RunFolder: Sendable {
    public let path: String
    /// Folders this process created for the run (`runs/`, `runs/vae`): what a run that fails
    /// before writing anything removes again (`RunLock.abandon`).
    var created: [String] = []

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { Paths.join(path, name) }

    public var config: String { file("config.json") }
    public var metrics: String { file("metrics.csv") }
    public var model: String { file("model.safetensors") }
    public var state: String { file("state.json") }
    public var final: String { file("final.json") }
    public var checkpoints: String { file(RunFolder.checkpointFolder) }

    static let checkpointFolder = "checkpoint"
    static let modelFile = "model.safetensors", optimizerFile = "optimizer.safetensors"

    /// `checkpoint/epoch-0006`, relative to the run folder (as `state.json` names it).
    static func checkpoint(epoch: Int) -> String {
        "\(checkpointFolder)/" + String(format: "epoch-%04d", epoch)
    }

    /// `runs/<name>`, or `runs/<name>-2`, `-3`, … if taken, claimed by creating it: `mkdir`
    /// fails for all but one of two processes that pick the same name at once.
    public static func fresh(base: String = "runs", name: String) throws -> RunFolder {
        let createdBase = try createFolders(base)
        for suffix in 1... {
            let candidate = Paths.join(base, suffix == 1 ? name : "\(name)-\(suffix)")
            if mkdir(candidate, 0o755) == 0 {
                var folder = RunFolder(path: candidate)
                folder.created = createdBase + [candidate]
                return folder
            }
            guard errno == EEXIST else { throw FileError.unwritable(candidate, FileError.errnoText()) }
        }
        fatalError("unreachable: the loop above returns or throws")
    }

    /// What to do with a folder that already holds a run.
    public enum Claim: Sendable { case new, overwrite }

    /// Takes the folder for a new run: creates it if needed and locks it. A folder holding a
    /// run is refused unless `overwrite`, which removes that run's files; a folder holding
    /// other files is refused either way, so nothing of the user's is deleted.
    public func claim(_ claim: Claim) throws -> RunLock {
        let created = self.created + (try createFolders(path))
        let lock = try RunLock(folder: path, created: created)
        do {
            try replaceable(claim)
        } catch {
            lock.abandon()
            throw error
        }
        return lock
    }

    /// Checks that the folder may take a new run, and with `overwrite` removes the run it holds.
    private func replaceable(_ claim: Claim) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0 != ".lock" }
        // (Part of) a run: what --out may not silently replace.
        let holdsRun = [config, state, checkpoints].contains { names.contains(Paths.name($0)) }
        if holdsRun && claim != .overwrite {
            throw TrainingError.configuration("\(path) already holds a run; pass --resume \(path) to continue it, "
                                              + "--overwrite to replace it, or choose another --out")
        }
        // Checked before anything is removed: --overwrite replaces a run, never someone's files.
        let others = names.filter { !RunFolder.isRunFile($0) }.sorted()
        guard others.isEmpty else {
            throw TrainingError.configuration("\(path) holds files that are not an AEKit run (\(others.prefix(3).joined(separator: ", ")))"
                                              + "; choose another --out")
        }
        for name in names { try FileManager.default.removeItem(atPath: file(name)) }
    }

    /// Creates the folder if needed and locks it, whatever it holds (a study's folder, which
    /// a study continues).
    public func lockCreating() throws -> RunLock {
        try createFolders(path)
        return try RunLock(folder: path)
    }

    /// Locks an existing run folder (to resume it).
    public func lockExisting() throws -> RunLock {
        guard isFolder(path) else {
            throw TrainingError.resume(FileManager.default.fileExists(atPath: path) ? "\(path) is not a folder" : "\(path) does not exist")
        }
        return try RunLock(folder: path)
    }

    /// The names AEKit writes in a run folder (what `--overwrite` removes).
    static func isRunFile(_ name: String) -> Bool {
        ["config.json", "state.json", "metrics.csv", modelFile, optimizerFile, "final.json", checkpointFolder].contains(name)
            || name.hasSuffix(".svg") || name.hasSuffix(".png") || isTemporaryFile(name)
    }

    package func writeJSON<T: Encodable>(_ value: T, to file: String, durable: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0a)
        try writeAtomically(data, to: file, durable: durable)
    }

    /// A JSON file of the run folder, decoded; an error names the file and what is wrong in it.
    package func readJSON<T: Decodable>(_ type: T.Type, from file: String) throws -> T {
        let data: Data
        do {
            data = try readRegularFile(file, limit: RunFolder.jsonLimit)
        } catch FileError.missing {
            throw TrainingError.resume("\(file) is missing; is \(path) a run folder?")
        }
        return try decodeJSON(type, from: data, file: file)
    }

    /// The records a run folder holds, as `readRecord` knows them.
    public static let recordNames = ["config.json", "state.json"]

    /// One of the folder's records (`config.json` or `state.json`) as AEKit reads it back: decoded, checked as `--resume` and `aekit
    /// reproduce` check it, and the paths it names resolved against the folder (the data
    /// folder's files, the encoder, the checkpoint files). Any bytes either pass or throw: the
    /// run-folder fuzz target feeds it mutated records full of awkward paths.
    public func readRecord(_ data: Data, named name: String) throws {
        let file = self.file(name)
        switch name {
        case "config.json":
            let config = try decodeJSON(RunRecord.self, from: data, file: file).config
            if let problem = config.problem { throw TrainingError.configuration("\(file): \(problem)") }
            _ = try config.data.path("train-images-idx3-ubyte")
            if let encoder = config.encoderCheckpoint { _ = try RegularFile(encoder) }
            if let weights = config.initialWeights { _ = try RegularFile(weights) }
        case "state.json":
            let state = try decodeJSON(RunState.self, from: data, file: file)
            if let problem = state.problem { throw TrainingError.resume("\(file) is not a sound record: \(problem)") }
            for relative in state.files.keys { _ = try RegularFile(self.file(relative)) }
        default:
            throw FileError.unreadable(file, "AEKit writes no record of that name")
        }
    }

    /// Far beyond any config.json or state.json (100 000 epochs of history is ~30 MB).
    static let jsonLimit = 64 << 20
}

/// `data` decoded as `T`; a failure is a `FileError` naming `file` and the field at fault,
/// in words rather than `DecodingError`'s dump.
package func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, file: String,
                               advice: String = "the file is damaged or was not written by this version of AEKit") throws -> T {
    do {
        return try JSONDecoder().decode(type, from: data)
    } catch let error as DecodingError {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "at the top level"
                : "at " + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".")
        }
        let why: String
        switch error {
        // The file's form is right; its layers are not ones AEKit can build: that, without advice on the form.
        case .dataCorrupted(let context) where context.underlyingError is LayerListError:
            throw ModelError.invalid("\(file): \(context.debugDescription)")
        case .dataCorrupted(let context) where context.codingPath.isEmpty: why = "it is not valid JSON"
        // A value's own reader (a layer's text) says what is wrong with it.
        case .dataCorrupted(let context): why = "a bad value \(at(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): why = "'\(key.stringValue)' is missing \(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): why = "a value of the wrong type \(at(context.codingPath))"
        @unknown default: why = "\(error)"
        }
        throw FileError.unreadable(file, "\(why); \(advice)")
    }
}

/// `config.json`: the configuration and where it ran.
struct RunRecord: Codable {
    var config: TrainingConfig
    /// The backend's name (`cpu`, `opencl:0`), its device in words, the start time (ISO 8601)
    /// and the AEKit version that trained.
    var device, deviceDescription, started, aekitVersion: String
}

/// `final.json`: the test-set metrics after training.
struct FinalRecord: Codable {
    var test: Evaluation
    var epochs, parameters: Int
    var device: String
    var secondsPerEpoch: Double
}

/// AEKit's version: what `aekit --version` prints and `config.json` records.
public let aekitVersion = "0.2.0"

/// `state.json`: the commit record of a run's last whole epoch, for `--resume`.
struct RunState: Codable {
    var epochsDone: Int
    var optimizerSteps: Int
    var history: [EpochRecord]
    /// SHA-256 (hex, as `sha256sum` prints it) of each file of the epoch's checkpoint, by path
    /// relative to the run folder.
    var files: [String: String]

    /// The checkpoint files an epoch's record vouches for.
    static func files(epoch: Int) -> (model: String, optimizer: String) {
        let folder = RunFolder.checkpoint(epoch: epoch)
        return ("\(folder)/\(RunFolder.modelFile)", "\(folder)/\(RunFolder.optimizerFile)")
    }

    /// What makes the record impossible (for any configuration); nil when it is sound.
    var problem: String? {
        guard epochsDone >= 1, epochsDone <= TrainingConfig.maximumEpochs else { return "epochsDone is \(epochsDone)" }
        guard history.count == epochsDone else {
            return "it records \(epochsDone) epochs but a history of \(history.count)"
        }
        if let row = history.enumerated().first(where: { $0.element.epoch != $0.offset + 1 }) {
            return "history row \(row.offset + 1) is numbered \(row.element.epoch)"
        }
        let expected = RunState.files(epoch: epochsDone)
        guard Set(files.keys) == [expected.model, expected.optimizer] else {
            return "it names the files \(files.keys.sorted()); epoch \(epochsDone) has \(expected.model) and \(expected.optimizer)"
        }
        guard files.values.allSatisfy({ $0.count == 64 && $0.allSatisfy(\.isHexDigit) }) else { return "a digest is not SHA-256 hex" }
        return nil
    }
}

/// One row of `metrics.csv`.
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int
    public var train: Evaluation
    public var validation: Evaluation
    public var seconds: Double
}

/// `metrics.csv`: `epoch,train_loss,val_loss,train_<metric>,val_<metric>,seconds`; for a model
/// whose layers add terms of their own (a VAE), the losses (which include them) split after
/// them into `train_reconstruction,val_reconstruction,train_kl,val_kl`.
func metricsCSV(_ history: [EpochRecord]) -> String {
    let metric = history.first?.train.metric?.name, terms = history.first?.train.lossTerms != nil
    var header = "epoch,train_loss,val_loss"
    if terms { header += ",train_reconstruction,val_reconstruction,train_kl,val_kl" }
    if let metric { header += ",train_\(metric),val_\(metric)" }
    header += ",seconds\n"
    return history.reduce(header) { text, row in
        var line = "\(row.epoch),\(row.train.loss),\(row.validation.loss)"
        if terms {
            let (t, v) = (row.train.lossTerms ?? .nan, row.validation.lossTerms ?? .nan)
            line += ",\(row.train.loss - t),\(row.validation.loss - v),\(t),\(v)"
        }
        if metric != nil { line += ",\(row.train.metric?.value ?? .nan),\(row.validation.metric?.value ?? .nan)" }
        return text + line + String(format: ",%.3f\n", row.seconds)
    }
}

public enum TrainingError: Error, CustomStringConvertible {
    case diverged(epoch: Int, learningRate: Float, lastGood: String?)
    case resume(String)
    case configuration(String)
    /// Another process holds the run folder's lock.
    case busy(folder: String, holder: String)

    public var description: String {
        switch self {
        case .diverged(let epoch, let lr, let lastGood):
            return "training diverged: the loss became NaN or infinite in epoch \(epoch). "
                + (lastGood.map { "The last good checkpoint is \($0). " } ?? "No epoch finished, so no checkpoint was written. ")
                + "Try a lower learning rate, e.g. --lr \(lr / 10)."
        case .resume(let why): return "cannot resume: \(why)"
        case .configuration(let why): return why
        case .busy(let folder, let holder):
            return "\(folder) is in use by \(holder); wait for it to finish, or choose another folder"
        }
    }
}
