import Compute
import Foundation

/// `aekit bench data`: how fast an image folder becomes batches on a backend.
public struct DataBenchRecord: Codable, Sendable {
    public var images: Int
    public var shape: [Int]
    /// Reading every file and decoding it (no cache), in seconds.
    public var decodeSeconds: Double
    /// Reading the cache file the decode wrote.
    public var cachedSeconds: Double
    /// From the decoded set to the first batch on the backend: the upload and one gather.
    public var firstBatchSeconds: Double
    /// Every batch of an epoch gathered (shuffled) on the backend, the set already there.
    public var epochSeconds: Double
    /// The process's peak resident memory (host, bytes) and the backend's peak in use.
    public var hostPeakRSSBytes: Int
    public var devicePeakBytesInUse: Int
}

public enum DataBench {
    /// Decodes the image folder at `folder` (both sets, without the cache), caches it into
    /// `cache` and reads it back, then batches its training set on `backend`.
    public static func run(folder: String, options: ImageFolder.Options, cache: String, backend: any Backend,
                           batchSize: Int) throws -> DataBenchRecord {
        let reader = ImageFolder(folder, options: options)
        var start = Date()
        // The decoded sets go before the cache is read back, as in a second run.
        let decodeSeconds: Double = try {
            let decoded = try reader.load(cache: nil)
            let seconds = Date().timeIntervalSince(start)
            try ImageFolderCache.write(decoded.train, decoded.test, report: decoded.report,
                                       to: ImageFolderCache.path(in: cache, listings: try reader.listings(), options: options))
            return seconds
        }()
        start = Date()
        let cached = try reader.load(cache: cache)
        let cachedSeconds = Date().timeIntervalSince(start)
        guard cached.report.cached else { throw DatasetError.badFile(cache, "did not hold the cache just written") }

        let train = cached.train
        // An autoencoder on flat images: the gather alone, no model.
        let spec = ModelSpec(input: [train.imageSize], layers: [])
        start = Date()
        let resident = try ResidentDataset(train, spec: spec, backend: backend)
        let batches = try Batches(resident, spec: spec, batchSize: batchSize, shuffleSeed: 1)
        _ = try backend.download(try batches.input(0).buffer)
        let firstBatchSeconds = Date().timeIntervalSince(start)
        start = Date()
        for batch in 0..<batches.count { _ = try batches.input(batch) }
        try backend.synchronize()
        let epochSeconds = Date().timeIntervalSince(start)
        return DataBenchRecord(images: train.count, shape: train.shape, decodeSeconds: decodeSeconds, cachedSeconds: cachedSeconds,
                               firstBatchSeconds: firstBatchSeconds, epochSeconds: epochSeconds,
                               hostPeakRSSBytes: HostMemory.read().peak,
                               devicePeakBytesInUse: backend.memoryStatistics.peakBytesInUse)
    }
}
