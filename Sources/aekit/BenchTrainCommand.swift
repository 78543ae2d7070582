import AEKit
import Reports
import ArgumentParser
import Compute
import Foundation

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time a training epoch of a recipe on the CPU backend and on a device, side by side.",
        discussion: """
            Each backend first trains a warm-up epoch (kernel builds, buffer pool), then one timed \
            epoch; evaluation is not timed. MNIST recipes run on Fashion-MNIST unless --data or \
            --dataset is given: the shapes, and so the speed, are the same.
            """)

    @Option(help: "The recipe to time: default, s0, s1, s2, s3, s4, s4-classifier.")
    var recipe = "s2"

    @OptionGroup var modelOptions: ModelOptions

    @Option(parsing: .unconditional, help: "Images per batch, overriding the recipe's.")
    var batch: Int?

    @OptionGroup var deviceOptions: DeviceOptions

    @OptionGroup var dataOptions: TrainingDataOptions

    @Flag(help: "After the timed epoch, run one more with every op timed on its own and print where the time goes.")
    var profile = false

    @OptionGroup var fusion: FusionOption

    @Flag(help: "Leave out the CPU backend.")
    var noCPU = false

    @OptionGroup var output: JSONOutputOption

    func validate() throws {
        guard Recipe.names.contains(recipe) else {
            throw ValidationError("unknown recipe '\(recipe)'; use one of: \(Recipe.names.joined(separator: ", "))")
        }
    }

    /// The recipe's configuration with this command's overrides, checked as `aekit train` checks them.
    private func makeConfig() throws -> TrainingConfig {
        var config = try dataOptions.config(recipe: recipe)
        if !dataOptions.namesData && config.data.name == "mnist" { config.data = DataSource(name: "fashion-mnist") }
        try modelOptions.apply(to: &config)
        if let batch { config.batchSize = batch }
        // The timed epoch is every image --limit names: a validation split (S2 keeps 10 000)
        // would only shrink it, and PyTorch's reference epoch trains on all of them.
        config.validation = .testSet
        if let problem = config.problem { throw ValidationError(problem) }
        return config
    }

    func run() throws {
        let config = try makeConfig()
        printBLASWarning()
        let dataset = try config.data.load()
        let threads = try deviceOptions.threads()
        let choice = try deviceOptions.select(fallback: "opencl")
        var backends: [any Backend] = noCPU ? [] : [CPUBackend(threads: threads)]
        if !(choice.backend is CPUBackend) || backends.isEmpty { backends.append(choice.backend) }
        var records: [TrainBenchRecord] = []
        for backend in backends {
            if !output.json { printError("timing \(recipe) on \(backend.name) (\(backend.deviceDescription))") }
            records.append(try TrainBench.run(config, backend: backend, data: dataset, profile: profile, fused: fusion.fused))
        }
        if output.json { print(try jsonString(records)); return }
        var rows = [["recipe", "model", "batch", "backend", "images", "s/epoch", "images/s", "vs cpu", "MFLOP/image", "GFLOP/s",
                     "host RSS", "host peak", "device peak", "train loss"]]
        let cpuSeconds = records.first { $0.backend == "cpu" }?.secondsPerEpoch
        for r in records {
            rows.append([r.recipe, r.model, "\(r.batchSize)", r.backend, "\(r.images)", String(format: "%.2f", r.secondsPerEpoch),
                         String(format: "%.0f", r.imagesPerSecond),
                         cpuSeconds.map { String(format: "%.2fx", $0 / r.secondsPerEpoch) } ?? "",
                         String(format: "%.2f", Double(r.flopsPerImage) * 1e-6), String(format: "%.1f", r.gigaflopsPerSecond),
                         formatBytes(r.hostRSSBytes), formatBytes(r.hostPeakRSSBytes), formatBytes(r.devicePeakBytesInUse),
                         String(format: "%.5f", r.trainLoss)])
        }
        print(table(rows))
        for record in records { if let profile = record.profile { printProfile(profile, of: record) } }
    }

    /// The ops of a profiled epoch, the most time first, as torch.profiler's op table.
    private func printProfile(_ profile: [OpTiming], of record: TrainBenchRecord) {
        let epoch = record.profiledEpochSeconds ?? 0
        let inOps = profile.reduce(0) { $0 + $1.seconds }
        if let step = record.perStep {
            // The median step of the plain (not profiled) timed epoch, in the form issue 9 fixed.
            print("\nper step: \(step.launches) kernel launches, \(step.bytes) bytes host<->device, "
                  + "\(step.blockingWaits) blocking waits")
        }
        if let families = record.launchesPerStepByFamily {
            let sorted = families.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            print("launches per step by op family (profiled epoch): "
                  + sorted.map { "\($0.key) \(String(format: $0.value == $0.value.rounded() ? "%.0f" : "%.1f", $0.value))" }
                    .joined(separator: ", "))
        }
        print("\nprofile of \(record.backend): one epoch op by op, \(String(format: "%.2f", epoch)) s " +
              "(\(String(format: "%.2f", inOps)) s in ops; each op waited for, so above the plain epoch's " +
              "\(String(format: "%.2f", record.secondsPerEpoch)) s)")
        let counted = profile.contains { $0.launches != nil }
        var rows = [["op", "calls", "total ms", "ms/call", "% of epoch"] + (counted ? ["kernels/call"] : [])]
        func percent(_ seconds: Double) -> String { epoch > 0 ? String(format: "%.1f", 100 * seconds / epoch) : "" }
        for op in profile {
            let kernels = op.launches.map { op.calls > 0 ? String(format: "%.0f", Double($0) / Double(op.calls)) : "" }
            rows.append([op.op, "\(op.calls)", String(format: "%.1f", op.seconds * 1e3),
                         String(format: "%.3f", op.millisecondsPerCall), percent(op.seconds)] + (counted ? [kernels ?? ""] : []))
        }
        rows.append(["(host work between ops: batches, bookkeeping)", "", String(format: "%.1f", (epoch - inOps) * 1e3),
                     "", percent(epoch - inOps)])
        print(table(rows))
    }
}
