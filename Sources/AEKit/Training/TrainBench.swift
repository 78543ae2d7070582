import Compute
import Foundation

/// One backend's figures for `aekit bench train`.
public struct TrainBenchRecord: Codable, Sendable {
    public var recipe: String
    public var backend: String
    public var device: String
    /// Images in the timed epoch (the recipe's training split, or --limit).
    public var images: Int
    /// Wall-clock seconds of one training epoch, evaluation excluded.
    public var secondsPerEpoch: Double
    public var imagesPerSecond: Double
    /// The process's resident memory after the epoch, and its peak so far (host, bytes).
    public var hostRSSBytes: Int
    public var hostPeakRSSBytes: Int
    /// Device memory the backend holds (live buffers at their peak; everything obtained).
    public var devicePeakBytesInUse: Int
    public var deviceBytesAllocated: Int
    public var trainLoss: Double

    enum CodingKeys: String, CodingKey {
        case recipe, backend, device, images
        case secondsPerEpoch = "seconds_per_epoch", imagesPerSecond = "images_per_second"
        case hostRSSBytes = "host_rss_bytes", hostPeakRSSBytes = "host_peak_rss_bytes"
        case devicePeakBytesInUse = "device_peak_bytes_in_use", deviceBytesAllocated = "device_bytes_allocated"
        case trainLoss = "train_loss"
    }
}

public enum TrainBench {
    /// Times epoch `epochs` of `config` (the ones before it warm up: programs built, buffers
    /// pooled) on `backend`, in a temporary run folder that is removed afterwards.
    public static func run(_ config: TrainingConfig, backend: any Backend, data: (train: Dataset, test: Dataset),
                           warmupEpochs: Int = 1) throws -> TrainBenchRecord {
        let folder = FileManager.default.temporaryDirectory.appending(path: "aekit-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trainer = try Trainer(config: config, backend: backend, folder: RunFolder(path: folder), data: data)
        for epoch in 0..<warmupEpochs { _ = try trainer.trainEpoch(epoch + 1) }
        try backend.synchronize()
        let start = DispatchTime.now().uptimeNanoseconds
        let metrics = try trainer.trainEpoch(warmupEpochs + 1)
        try backend.synchronize()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let memory = backend.memoryStatistics, host = HostMemory.read()
        return TrainBenchRecord(recipe: config.recipe, backend: backend.name, device: backend.deviceDescription,
                                images: trainer.train.count, secondsPerEpoch: seconds,
                                imagesPerSecond: Double(trainer.train.count) / seconds,
                                hostRSSBytes: host.resident, hostPeakRSSBytes: host.peak,
                                devicePeakBytesInUse: memory.peakBytesInUse, deviceBytesAllocated: memory.bytesAllocated,
                                trainLoss: metrics.loss)
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
