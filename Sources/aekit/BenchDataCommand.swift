import AEKit
import ArgumentParser
import Compute
import Foundation

struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Time an image folder's way to batches: decoding, the cache, the gather; beside torchvision's ImageFolder + DataLoader.",
        discussion: """
            AEKit decodes the training set once (all cores, no cache), writes and reads back its \
            cache (what a second run does), then uploads it and gathers a shuffled epoch of batches \
            on the device. torchvision's row runs bench/torchvision_data.py (ImageFolder, PIL, \
            ToTensor, a DataLoader with --workers processes) in the same run, where --python has \
            torch and torchvision. Times include reading the files: run twice for a warm page cache.
            """)

    @Argument(help: ArgumentHelp("An image folder (as --data takes it).", valueName: "folder"))
    var folder: String

    @OptionGroup var reading: ReadingOptions

    @Option(parsing: .unconditional, help: "Images per batch.")
    var batch = 100

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: "A Python with torch and torchvision for the reference row (default: .venv-torch/bin/python where it exists).")
    var python: String?

    @Option(help: "The reference script.")
    var reference = "bench/torchvision_data.py"

    @Option(parsing: .unconditional, help: "The reference's DataLoader worker processes.")
    var workers = 2

    @Flag(help: "Print the records as JSON.")
    var json = false

    func validate() throws {
        if reading.layout != nil { throw ValidationError("--layout reads NumPy arrays; bench data times image folders") }
        if !(1...TrainingConfig.maximumBatch).contains(batch) { throw ValidationError("--batch must be in 1...\(TrainingConfig.maximumBatch)") }
    }

    func run() throws {
        let choice = try deviceOptions.select(fallback: "cpu")
        printError("device: \(choice.reason)")
        let cache = Paths.join(FileManager.default.temporaryDirectory.path, "aekit-bench-data-\(getpid())")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let record = try DataBench.run(folder: folder, options: reading.imageOptions, cache: cache, backend: choice.backend, batchSize: batch)
        let torchvision = try referenceRecord(channels: record.shape[0])
        if json {
            print(try jsonString(Records(aekit: record, torchvision: torchvision)))
            return
        }
        let n = Double(record.images)
        func rate(_ seconds: Double) -> String { String(format: "%.0f", n / seconds) }
        func time(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
        let shape = record.shape.map(String.init).joined(separator: "×")
        print("\(record.images) training images of \(shape) from \(folder), batch \(batch), on \(choice.backend.name)")
        var rows = [["reader", "to the first batch", "images/s", "an epoch after it", "images/s"]]
        rows.append(["AEKit, decoding (all cores)", time(record.decodeSeconds + record.firstBatchSeconds),
                     rate(record.decodeSeconds + record.firstBatchSeconds), time(record.epochSeconds), rate(record.epochSeconds)])
        rows.append(["AEKit, from its cache", time(record.cachedSeconds + record.firstBatchSeconds),
                     rate(record.cachedSeconds + record.firstBatchSeconds), time(record.epochSeconds), rate(record.epochSeconds)])
        if let torchvision {
            rows.append(["torchvision ImageFolder + DataLoader (\(workers) workers)", time(torchvision.firstBatchSeconds), "-",
                         time(torchvision.epochSeconds), rate(torchvision.epochSeconds)])
        }
        print(table(rows))
        if let torchvision {
            print(String(format: "an epoch: torchvision / AEKit = %.0fx (AEKit decodes once, then gathers from memory; "
                         + "ImageFolder decodes every file every epoch)", torchvision.epochSeconds / record.epochSeconds))
        }
        print("peak resident memory \(formatBytes(record.hostPeakRSSBytes)); the set as bytes: "
              + "\(formatBytes(record.images * record.shape.reduce(1, *))), as floats it would be "
              + "\(formatBytes(4 * record.images * record.shape.reduce(1, *)))")
    }

    struct Records: Encodable {
        let aekit: DataBenchRecord
        let torchvision: TorchvisionRecord?
    }

    struct TorchvisionRecord: Codable {
        let images: Int
        let shape: [Int]
        let firstBatchSeconds: Double
        let epochSeconds: Double
        let workers: Int
        let torch: String
        enum CodingKeys: String, CodingKey {
            case images, shape, workers, torch
            case firstBatchSeconds = "first_batch_seconds", epochSeconds = "epoch_seconds"
        }
    }

    /// torchvision's figures, or nil (said on standard error) where there is no Python with it.
    func referenceRecord(channels: Int) throws -> TorchvisionRecord? {
        let python = self.python ?? (FileManager.default.isExecutableFile(atPath: ".venv-torch/bin/python") ? ".venv-torch/bin/python" : "python3")
        guard FileManager.default.fileExists(atPath: reference) else {
            printError("note: no torchvision row: \(reference) not found (run from the repository, or pass --reference)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, reference, folder, "--batch", "\(batch)", "--workers", "\(workers)", "--channels", "\(channels)"]
            + (reading.size.isEmpty ? [] : ["--size"] + reading.size.map(String.init))
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let record = try? JSONDecoder().decode(TorchvisionRecord.self, from: data) else {
            printError("note: no torchvision row: \(python) \(reference) failed (\(message.split(separator: "\n").last ?? "no output"))")
            return nil
        }
        return record
    }
}
