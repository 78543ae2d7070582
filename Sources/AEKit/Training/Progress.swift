import Foundation

/// What a training run reports while it runs.
public protocol TrainingProgress: AnyObject {
    /// `folder` is the run folder, or empty where nothing is written (`fit`).
    func started(_ config: TrainingConfig, device: String, trainCount: Int, validationCount: Int, folder: String)
    /// After each batch; `loss` is the running mean of the epoch so far, when it was read.
    func batch(epoch: Int, epochs: Int, batch: Int, batches: Int, images: Int, seconds: Double, loss: Double?)
    func epoch(_ record: EpochRecord, epochs: Int)
    func finished(test: Evaluation, folder: String)
    /// Where the data came from (an image folder: decoded or cached, files skipped).
    func dataNote(_ text: String)
    /// An image folder's decoding: `done` images of `total` (one thread at a time).
    func decoding(done: Int, total: Int)
}

extension TrainingProgress {
    public func dataNote(_ text: String) {}
    public func decoding(done: Int, total: Int) {}

    /// `DataSource.load` reporting to this progress: where the data came from, and an image
    /// folder's decoding.
    public func load(_ source: DataSource) throws -> (train: Dataset, test: Dataset) {
        let reporter = UncheckedProgress(self)
        return try source.load(note: dataNote) { reporter.base.decoding(done: $0, total: $1) }
    }
}

/// A progress object handed to the decoding threads, which call it one at a time.
private struct UncheckedProgress: @unchecked Sendable {
    let base: any TrainingProgress
    init(_ base: any TrainingProgress) { self.base = base }
}

/// A progress bar redrawn in place on a terminal (standard error): epoch, batch, loss,
/// images/s and ETA; one summary line per epoch on standard output.
public final class TerminalProgress: TrainingProgress {
    private var lastDraw = 0.0
    private var epochStart = 0.0
    public init() {}

    public func started(_ config: TrainingConfig, device: String, trainCount: Int, validationCount: Int, folder: String) {
        printLine(startedLine(config, trainCount: trainCount, validationCount: validationCount)
                  + "; \(config.optimizer.kind.rawValue) lr \(config.optimizer.learningRate), batch \(config.batchSize), "
                  + "\(config.epochs) epochs; device \(device)")
        if !folder.isEmpty { printLine("writing \(folder)") }
    }

    public func batch(epoch: Int, epochs: Int, batch: Int, batches: Int, images: Int, seconds: Double, loss: Double?) {
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw > 0.1 || batch == batches else { return }
        lastDraw = now
        let width = 24, filled = width * batch / batches
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let rate = seconds > 0 ? Double(images) / seconds : 0
        let eta = rate > 0 ? Double(images) / Double(batch) * Double(batches - batch) / rate : 0
        var line = String(format: "\r  epoch %d/%d %@ %d/%d", epoch, epochs, bar, batch, batches)
        if let loss { line += String(format: "  loss %.5f", loss) }
        line += String(format: "  %.0f img/s  eta %@\u{1b}[K", rate, formatDuration(eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    public func epoch(_ record: EpochRecord, epochs: Int) {
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
        printLine(epochLine(record, epochs: epochs))
    }

    public func finished(test: Evaluation, folder: String) { printLine(finishedLine(test, folder: folder)) }

    public func dataNote(_ text: String) { FileHandle.standardError.write(Data("\r\u{1b}[K\(text)\n".utf8)) }

    public func decoding(done: Int, total: Int) {
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw > 0.1 || done == total else { return }
        lastDraw = now
        FileHandle.standardError.write(Data("\r  decoding images \(done)/\(total)\u{1b}[K".utf8))
    }
}

/// One plain line per epoch, for logs and pipes.
public final class LineProgress: TrainingProgress {
    public init() {}

    public func started(_ config: TrainingConfig, device: String, trainCount: Int, validationCount: Int, folder: String) {
        printLine(startedLine(config, trainCount: trainCount, validationCount: validationCount)
                  + "; device \(device)" + (folder.isEmpty ? "" : "; writing \(folder)"))
    }

    public func batch(epoch: Int, epochs: Int, batch: Int, batches: Int, images: Int, seconds: Double, loss: Double?) {}

    public func epoch(_ record: EpochRecord, epochs: Int) { printLine(epochLine(record, epochs: epochs)) }

    public func finished(test: Evaluation, folder: String) { printLine(finishedLine(test, folder: folder)) }

    public func dataNote(_ text: String) { printLine(text) }
}

/// Reports nothing (tests, benchmarks).
public final class SilentProgress: TrainingProgress {
    public init() {}
    public func started(_ config: TrainingConfig, device: String, trainCount: Int, validationCount: Int, folder: String) {}
    public func batch(epoch: Int, epochs: Int, batch: Int, batches: Int, images: Int, seconds: Double, loss: Double?) {}
    public func epoch(_ record: EpochRecord, epochs: Int) {}
    public func finished(test: Evaluation, folder: String) {}
}

/// Prints a line and flushes: standard output is block-buffered when it is a file or pipe,
/// and a log should show each epoch as it ends.
func printLine(_ text: String) {
    print(text)
    fflush(nil)  // every output stream; naming `stdout` is not concurrency-safe in Swift 6
}

/// What is trained on what: the start of both progress styles' first line.
func startedLine(_ config: TrainingConfig, trainCount: Int, validationCount: Int) -> String {
    "training \(config.model.name) (\(config.recipe)) on \(config.data.title): \(trainCount) train, "
        + "\(validationCount) validation (\(config.validation))"
}

func epochLine(_ r: EpochRecord, epochs: Int) -> String {
    var line = String(format: "epoch %d/%d  train loss %.5f  val loss %.5f", r.epoch, epochs, r.train.loss, r.validation.loss)
    if let t = r.train.lossTerms, let v = r.validation.lossTerms {
        line += String(format: " (KL %.3f, %.3f)", t, v)
    }
    if let m = r.train.metric, let v = r.validation.metric {
        line += String(format: "  train %@ %.4f  val %@ %.4f", m.name, m.value, v.name, v.value)
    }
    return line + String(format: "  %.1f s", r.seconds)
}

func finishedLine(_ test: Evaluation, folder: String) -> String {
    var line = String(format: "test loss %.5f", test.loss)
    if let kl = test.lossTerms { line += String(format: " (KL %.3f)", kl) }
    if let sampled = test.sampledLoss { line += String(format: ", %.5f decoding a sampled z", sampled) }
    if let m = test.metric { line += String(format: "  test %@ %.4f", m.name, m.value) }
    return line + " (\(test.examples) test images)" + (folder.isEmpty ? "" : "; results in \(folder)")
}

func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
