import AEKit
import ArgumentParser
import Compute
import Foundation

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time a training epoch of a recipe on the CPU backend and on a device, side by side.",
        discussion: """
            Each backend first trains a warm-up epoch (kernel builds, buffer pool), then one timed \
            epoch; evaluation is not timed. MNIST recipes run on Fashion-MNIST unless --data is \
            given: the shapes, and so the speed, are the same.
            """)

    @Option(help: "The recipe to time: default, s0, s1, s2, s3, s4, s4-classifier.")
    var recipe = "s2"

    @Option(help: "The device to time beside the CPU backend: opencl, opencl:N or auto.")
    var device = "opencl"

    @Option(help: "A folder holding the four IDX files (default: the recipe's dataset, or Fashion-MNIST).")
    var data: String?

    @Option(help: "Time an epoch of only the first N training images.")
    var limit: Int?

    @Flag(help: "Leave out the CPU backend.")
    var noCPU = false

    @Flag(help: "Print only a JSON array of records on standard output.")
    var json = false

    func validate() throws {
        guard Recipe.names.contains(recipe) else {
            throw ValidationError("unknown recipe '\(recipe)'; use one of: \(Recipe.names.joined(separator: ", "))")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        var config = try Recipe.config(recipe, dataDirectory: data)
        if data == nil && config.data.directory.isEmpty {
            config.data = try DataSource.resolve(dataset: "fashion-mnist", directory: nil)
        }
        config.trainLimit = limit
        let dataset = try config.data.load()
        let choice = try DeviceSelection.select(device)
        var backends: [any Backend] = noCPU ? [] : [CPUBackend()]
        if !(choice.backend is CPUBackend) || backends.isEmpty { backends.append(choice.backend) }
        var records: [TrainBenchRecord] = []
        for backend in backends {
            if !json { printError("timing \(recipe) on \(backend.name) (\(backend.deviceDescription))") }
            records.append(try TrainBench.run(config, backend: backend, data: dataset))
        }
        if json { print(try jsonString(records)); return }
        var rows = [["recipe", "backend", "images", "s/epoch", "images/s", "vs cpu", "host RSS", "host peak", "device peak", "train loss"]]
        let cpuSeconds = records.first { $0.backend == "cpu" }?.secondsPerEpoch
        for r in records {
            rows.append([r.recipe, r.backend, "\(r.images)", String(format: "%.2f", r.secondsPerEpoch),
                         String(format: "%.0f", r.imagesPerSecond),
                         cpuSeconds.map { String(format: "%.2fx", $0 / r.secondsPerEpoch) } ?? "",
                         formatBytes(r.hostRSSBytes), formatBytes(r.hostPeakRSSBytes), formatBytes(r.devicePeakBytesInUse),
                         String(format: "%.5f", r.trainLoss)])
        }
        print(table(rows))
    }
}
