import Compute
import Foundation

/// One backend's figures for `aekit bench train`.
public struct TrainBenchRecord: Codable, Sendable {
    public var recipe: String
    /// The model timed, e.g. `dense-512` (a recipe's model with --hidden or --batch changed).
    public var model: String
    public var batchSize: Int
    public var backend: String
    public var device: String
    /// Images in the timed epoch (the recipe's training split, or --limit).
    public var images: Int
    /// Wall-clock seconds of one training epoch, evaluation excluded.
    public var secondsPerEpoch: Double
    public var imagesPerSecond: Double
    /// Training steps (batches) in the epoch.
    public var steps: Int
    /// The model's floating-point operations per image and step (`ModelSpec.trainingFLOPsPerExample`),
    /// and what the timed epoch achieved: those FLOPs × images ÷ seconds, in GFLOP/s.
    public var flopsPerImage: Int
    public var gigaflopsPerSecond: Double
    /// The process's resident memory after the epoch, and its peak so far (host, bytes).
    public var hostRSSBytes: Int
    public var hostPeakRSSBytes: Int
    /// Device memory the backend holds (live buffers at their peak; everything obtained).
    public var devicePeakBytesInUse: Int
    public var deviceBytesAllocated: Int
    public var trainLoss: Double
    /// With `--profile`: each op's time in a second timed epoch, run op by op (see
    /// `ProfilingBackend`), and that epoch's wall-clock seconds.
    public var profile: [OpTiming]?
    public var profiledEpochSeconds: Double?
    /// The median over the timed epoch's steps of the launches, bytes and blocking waits of
    /// one step (a device backend's; nil for the CPU backend).
    public var perStep: TransferCounters?
    /// With `--profile` on a device: the profiled epoch's launches per step of each op family
    /// (the op's kernel file: `conv`, `gemm`, `bias_activation`, …), where the next fusion is.
    public var launchesPerStepByFamily: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case recipe, model, backend, device, images
        case batchSize = "batch_size"
        case secondsPerEpoch = "seconds_per_epoch", imagesPerSecond = "images_per_second", steps
        case flopsPerImage = "flops_per_image", gigaflopsPerSecond = "gigaflops_per_second"
        case hostRSSBytes = "host_rss_bytes", hostPeakRSSBytes = "host_peak_rss_bytes"
        case devicePeakBytesInUse = "device_peak_bytes_in_use", deviceBytesAllocated = "device_bytes_allocated"
        case trainLoss = "train_loss"
        case profile, profiledEpochSeconds = "profiled_epoch_seconds", perStep = "per_step"
        case launchesPerStepByFamily = "launches_per_step_by_family"
    }
}

public enum TrainBench {
    /// Times the epoch after `warmupEpochs` (those warm up: programs built, buffers pooled) on
    /// `backend`. With `profile`, one more epoch runs with every op timed on its own.
    public static func run(_ config: TrainingConfig, backend: any Backend, data: (train: Dataset, test: Dataset),
                           warmupEpochs: Int = 1, profile: Bool = false, fused: Bool = true) throws -> TrainBenchRecord {
        let profiler = profile ? ProfilingBackend(backend) : nil
        let config = try config.fitting(data.train.shape)
        let trainer = try Trainer(config: config, backend: profiler ?? backend, data: DataSplits(data, config: config),
                                  fused: fused)
        for epoch in 0..<warmupEpochs { _ = try trainer.trainEpoch(epoch + 1) }
        // The timed epoch also counts each step's work on the device (cheap: three integers).
        var steps: [TransferCounters] = []
        var last = backend.transferCounters
        if last != nil {
            trainer.afterStep = {
                let now = backend.transferCounters
                if let now, let before = last { steps.append(now - before) }
                last = now
            }
        }
        let (seconds, metrics) = try timedEpoch(trainer, warmupEpochs + 1, backend)
        trainer.afterStep = nil
        let images = trainer.train.count, flops = try config.model.trainingFLOPsPerExample()
        let stepCount = (images + config.batchSize - 1) / config.batchSize
        var record = TrainBenchRecord(
            recipe: config.recipe, model: config.model.name, batchSize: config.batchSize,
            backend: backend.name, device: backend.deviceDescription, images: images,
            secondsPerEpoch: seconds, imagesPerSecond: Double(images) / seconds, steps: stepCount,
            flopsPerImage: flops, gigaflopsPerSecond: Double(flops) * Double(images) / seconds * 1e-9,
            hostRSSBytes: 0, hostPeakRSSBytes: 0, devicePeakBytesInUse: 0, deviceBytesAllocated: 0,
            trainLoss: metrics.loss)
        if !steps.isEmpty { record.perStep = TransferCounters.median(steps) }
        if let profiler {
            profiler.isRecording = true
            record.profiledEpochSeconds = try timedEpoch(trainer, warmupEpochs + 2, backend).seconds
            profiler.isRecording = false
            record.profile = profiler.recorded
            record.launchesPerStepByFamily = launchesByFamily(profiler.recorded, steps: stepCount)
        }
        let memory = backend.memoryStatistics, host = HostMemory.read()
        record.hostRSSBytes = host.resident
        record.hostPeakRSSBytes = host.peak
        record.devicePeakBytesInUse = memory.peakBytesInUse
        record.deviceBytesAllocated = memory.bytesAllocated
        return record
    }

    /// Each op family's launches per step in a profiled epoch of `steps` steps (nil where the
    /// backend counts no launches: the CPU's).
    static func launchesByFamily(_ profile: [OpTiming], steps: Int) -> [String: Double]? {
        guard profile.contains(where: { $0.launches != nil }) else { return nil }
        var families: [String: Double] = [:]
        for row in profile {
            guard let launches = row.launches, launches > 0 else { continue }
            let family = row.op.split(separator: " ").first.flatMap { Op(rawValue: String($0))?.kernelFile } ?? row.op
            families[family, default: 0] += Double(launches) / Double(max(steps, 1))
        }
        return families
    }

    private static func timedEpoch(_ trainer: Trainer, _ epoch: Int, _ backend: any Backend) throws
        -> (seconds: Double, metrics: Evaluation) {
        try backend.synchronize()
        let start = DispatchTime.now().uptimeNanoseconds
        let metrics = try trainer.trainEpoch(epoch)
        try backend.synchronize()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, metrics)
    }
}

/// Resident and peak resident memory of this process, from /proc/self/status (Linux).
enum HostMemory {
    static func read() -> (resident: Int, peak: Int) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func kilobytes(_ key: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "") ?? 0) * 1024
        }
        return (kilobytes("VmRSS:"), kilobytes("VmHWM:"))
    }
}
