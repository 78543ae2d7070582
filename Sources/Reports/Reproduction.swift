import AEKit
import Compute
import Foundation

/// One report's experiment grid in one folder: every run an ordinary run folder under it
/// (`DIR/<run name>`), trained, resumed or read back by `run`, and the tables and figures
/// written by `collect` once all of them have finished.
public struct Reproduction {
    public let report: ReportID
    public let scale: ReproductionScale
    public let folder: String
    public let runs: [GridRun]

    /// The record at the folder's root that says which grid it holds.
    struct Marker: Codable, Equatable {
        var report: ReportID
        var scale: ReproductionScale
    }

    public init(report: ReportID, scale: ReproductionScale, folder: String, studyRuns: Int? = nil) throws {
        self.report = report; self.scale = scale; self.folder = folder
        runs = try ReproductionGrid.runs(report, scale: scale, studyRuns: studyRuns).map { run in
            // A classifier pre-trained from the grid's own autoencoder.
            var run = run
            if let encoder = run.needs.first { run.config.encoderCheckpoint = Paths.join(folder, "\(encoder)/model.safetensors") }
            return run
        }
    }

    public func runFolder(_ run: GridRun) -> RunFolder { RunFolder(path: Paths.join(folder, run.name)) }

    /// The runs task `task` of `tasks` trains: every `tasks`-th of the grid, from `task`.
    public func share(task: Int, of tasks: Int) throws -> [GridRun] {
        guard tasks >= 1, (0..<tasks).contains(task) else {
            throw TrainingError.configuration("--task \(task) is not one of the \(tasks) tasks (0...\(max(tasks - 1, 0)))")
        }
        return runs.enumerated().filter { $0.offset % tasks == task }.map(\.element)
    }

    /// `aekit train` commands, one per run, that train exactly what `run` trains.
    public func plan(device: String?) throws -> [String] {
        try runs.map { run in
            let c = run.config, o = c.optimizer
            guard let model = ModelPreset(recognizing: c.model) else {
                throw TrainingError.configuration("\(run.name)'s model is no preset, which `aekit train` flags cannot name")
            }
            var words = ["aekit", "train", "--recipe", c.recipe, "--model", model.architecture.rawValue,
                         "--hidden", "\(model.hidden)", "--dropout", "\(model.dropout)",
                         "--output", model.output.rawValue, "--initialization", model.initialization.rawValue,
                         "--optimizer", o.kind.rawValue, "--lr", "\(o.learningRate)", "--momentum", "\(o.momentum)",
                         o.nesterov ? "--nesterov" : "--no-nesterov", "--weight-decay", "\(o.weightDecay)",
                         "--batch", "\(c.batchSize)", "--epochs", "\(c.epochs)", "--seed", "\(c.seed)",
                         "--validation", c.validation.argument]
            if let limit = c.trainLimit { words += ["--limit", "\(limit)"] }
            if let noise = c.noise { words += ["--noise", "\(noise)"] }
            if let channels = model.codeChannels { words += ["--code-channels", "\(channels)"] }
            if let logits = model.logits { words += ["--logits", logits.rawValue] }
            if let encoder = c.encoderCheckpoint { words += ["--encoder", encoder] }
            if let device { words += ["--device", device] }
            words += ["--out", runFolder(run).path]
            return words.map(Reproduction.quoted).joined(separator: " ")
        }
    }

    private static func quoted(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:+".contains($0) } ? word : "'\(word.replacingOccurrences(of: "'", with: "'\\''"))'"
    }

    /// Makes `folder` this grid's, or checks that it is: a folder that holds another report's
    /// or scale's grid, or files that are no grid's, is refused before anything is written.
    ///
    /// The tasks of a job array start at once and claim the same folder, so another task's
    /// marker may be half-written (its temporary file is there) or may land between this
    /// task's looks. Hence the order: list the folder first, ignoring temporary files; a task
    /// renames its marker into place before it makes its run folder, so a listing that holds
    /// anything else is checked against a marker read after it.
    /// A grid's `reproduction.json` decoded as `claimFolder` reads it, for the run-folder fuzz
    /// target: any bytes either pass or throw.
    public static func readMarker(_ data: Data, file: String) throws {
        _ = try decodeJSON(Marker.self, from: data, file: file)
    }

    public func claimFolder() throws {
        let marker = Paths.join(folder, "reproduction.json")
        let mine = Marker(report: report, scale: scale)
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !isTemporaryFile($0) }
        if present.isEmpty {
            try createFolders(folder)
            // Every task of the grid writes the same bytes, each in one rename.
            try RunFolder(path: folder).writeJSON(mine, to: marker)
            return
        }
        guard FileManager.default.fileExists(atPath: marker) else {
            throw TrainingError.configuration("\(folder) holds files but no reproduction.json: it is not a grid's folder; "
                                              + "choose another --out")
        }
        let theirs = try RunFolder(path: folder).readJSON(Marker.self, from: marker)
        guard theirs == mine else {
            throw TrainingError.configuration("\(folder) holds the \(theirs.scale.rawValue)-scale grid of \(theirs.report.rawValue), "
                                              + "not \(scale.rawValue)-scale \(report.rawValue); choose another --out")
        }
    }

    /// Trains (or reads back, or resumes) `runs`; a run whose encoder run has not finished is
    /// left for later and named in the result. `announce` hears of each run before it starts.
    public func train(_ runs: [GridRun], backend: any Backend, progress: any TrainingProgress,
                      announce: (String) -> Void) throws -> (done: [String], waiting: [String]) {
        var data: [String: (train: Dataset, test: Dataset)] = [:]
        var done: [String] = [], waiting: [String] = []
        for run in runs {
            if let missing = run.needs.first(where: { !FileManager.default.fileExists(atPath: Paths.join(folder, "\($0)/final.json")) }) {
                waiting.append("\(run.name) (needs \(missing))")
                continue
            }
            let owned = OwnedRun(config: run.config, folder: runFolder(run), owner: "this reproduction")
            if try owned.finished() == nil {
                announce("\(run.name): \(run.label) (\(run.config.epochs) epochs)")
                let name = run.config.data.name
                if data[name] == nil { data[name] = try run.config.data.load() }
                _ = try owned.result(backend: backend, data: data[name], progress: progress)
            } else {
                try owned.checkSameRun()
            }
            done.append(run.name)
        }
        return (done, waiting)
    }

    /// Every run's history and test metrics; throws naming the runs that have not finished.
    public func finishedRuns() throws -> [String: (history: [EpochRecord], test: Evaluation)] {
        var results: [String: (history: [EpochRecord], test: Evaluation)] = [:], missing: [String] = []
        for run in runs {
            let owned = OwnedRun(config: run.config, folder: runFolder(run), owner: "this reproduction")
            try owned.checkSameRun()
            if let result = try owned.finished() { results[run.name] = result } else { missing.append(run.name) }
        }
        guard missing.isEmpty else {
            throw TrainingError.configuration("\(report.rawValue): \(missing.count) of \(runs.count) runs have not finished "
                                              + "(\(missing.joined(separator: ", "))); run `aekit reproduce \(report.rawValue)` "
                                              + "without --task to train them")
        }
        return results
    }
}
