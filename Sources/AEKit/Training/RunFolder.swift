import Foundation

/// The folder a training run writes: `config.json`, `metrics.csv`, `model.safetensors`,
/// `optimizer.safetensors` + `state.json` (for `--resume`), `final.json` and the figures.
/// Every file is replaced atomically, so an interrupted run leaves the last complete epoch.
public struct RunFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public var config: String { file("config.json") }
    public var metrics: String { file("metrics.csv") }
    public var model: String { file("model.safetensors") }
    public var optimizer: String { file("optimizer.safetensors") }
    public var state: String { file("state.json") }
    public var final: String { file("final.json") }

    /// `runs/<name>`, or `runs/<name>-2`, `-3`, … if taken: a second run never overwrites a first.
    public static func fresh(base: String = "runs", name: String) -> RunFolder {
        var candidate = (base as NSString).appendingPathComponent(name), suffix = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = (base as NSString).appendingPathComponent("\(name)-\(suffix)")
            suffix += 1
        }
        return RunFolder(path: candidate)
    }

    func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func writeJSON<T: Encodable>(_ value: T, to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(value)
        data.append(0x0a)
        try writeAtomically(data, to: file)
    }

    func readJSON<T: Decodable>(_ type: T.Type, from file: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TrainingError.resume("\(file) is missing; is \(path) a run folder?")
        }
        return try JSONDecoder().decode(type, from: data)
    }
}

/// `config.json`: the configuration and where it ran.
struct RunRecord: Codable {
    var config: TrainingConfig
    var device: String
    var deviceDescription: String
    var started: String
    var aekitVersion: String
}

/// `final.json`: the test-set metrics after training.
struct FinalRecord: Codable {
    var test: Evaluation
    var epochs: Int
    var device: String
    var secondsPerEpoch: Double
    var parameters: Int
}

/// The version `config.json` records.
public let aekitVersion = "0.1.0"

/// `state.json`: how far a run got, for `--resume`.
struct RunState: Codable {
    var epochsDone: Int
    var optimizerSteps: Int
    var history: [EpochRecord]
}

/// One row of `metrics.csv`.
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int
    public var train: Evaluation
    public var validation: Evaluation
    public var seconds: Double
}

/// `metrics.csv`: `epoch,train_loss,val_loss,train_<metric>,val_<metric>,seconds`.
func metricsCSV(_ history: [EpochRecord]) -> String {
    let metric = history.first?.train.metric?.name
    var header = "epoch,train_loss,val_loss"
    if let metric { header += ",train_\(metric),val_\(metric)" }
    header += ",seconds\n"
    return history.reduce(header) { text, row in
        var line = "\(row.epoch),\(row.train.loss),\(row.validation.loss)"
        if metric != nil { line += ",\(row.train.metric?.value ?? .nan),\(row.validation.metric?.value ?? .nan)" }
        return text + line + String(format: ",%.3f\n", row.seconds)
    }
}

public enum TrainingError: Error, CustomStringConvertible {
    case diverged(epoch: Int, learningRate: Float, lastGood: String?)
    case resume(String)
    case configuration(String)

    public var description: String {
        switch self {
        case .diverged(let epoch, let lr, let lastGood):
            return "training diverged: the loss became NaN or infinite in epoch \(epoch). "
                + (lastGood.map { "The last good checkpoint is \($0). " } ?? "No epoch finished, so no checkpoint was written. ")
                + "Try a lower learning rate, e.g. --lr \(lr / 10)."
        case .resume(let why): return "cannot resume: \(why)"
        case .configuration(let why): return why
        }
    }
}
