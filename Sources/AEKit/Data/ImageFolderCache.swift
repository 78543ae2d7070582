import Compute
import Foundation

/// An image folder decoded once: its sets as bytes in one file of the data store
/// (`<store>/cache/images-<key>.bin`), keyed by the SHA-256 of the folder's listing (every
/// file's path, size and modification time) and the options, and written atomically (a
/// temporary file and a rename), so a second run with the same folder decodes nothing and a
/// run killed while writing leaves no half a cache. A file that does not read back whole is
/// decoded again.
///
/// The file: a line `AEKIT-IMAGES 3`, a line of JSON (the shape, counts, class names and what
/// reading skipped), then the training images, its labels, the test images and its labels.
public enum ImageFolderCache {
    static let magic = "AEKIT-IMAGES 3"

    struct Manifest: Codable {
        var channels: Int, height: Int, width: Int, trainCount: Int, testCount: Int
        var classNames: [String]?
        var skipped: [String], ignored: [String]
    }

    /// The data store's `cache/` folder.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Paths.join(DataStore.root(environment: environment), "cache")
    }

    /// The cache file in `folder` for these listings and options.
    static func path(in folder: String, listings: [ImageFolder.Listing], options: ImageFolder.Options) -> String {
        var text = "\(magic)\n\(options.size ?? [])|\(options.channels ?? 0)|\(options.skipBad)\n"
        for (set, listing) in listings.enumerated() {
            for file in listing.files {
                var info = stat()
                let known = stat(file.path, &info) == 0
                text += "\(set) \(file.label) \(known ? info.st_size : -1) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(file.path)\n"
            }
            text += "ignored \(listing.ignored.count)\n"
        }
        let key = sha256Hex(Data(text.utf8)).prefix(24)
        return Paths.join(folder, "images-\(key).bin")
    }

    /// The sets in the cache file, or nil where there is none that reads back whole. Each part
    /// is read straight into its array (no second copy of the set in memory).
    static func read(_ path: String) -> (train: Dataset, test: Dataset, report: ImageFolder.Report)? {
        guard let file = try? RegularFile(path) else { return nil }
        // The two text lines: at most 1 MiB (class names and skipped files included).
        guard let head = try? file.bytes(min(file.size, 1 << 20), at: 0),
              let firstEnd = head.firstIndex(of: 0x0a), String(decoding: head[..<firstEnd], as: UTF8.self) == magic,
              let secondEnd = head[(firstEnd + 1)...].firstIndex(of: 0x0a),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(head[(firstEnd + 1)..<secondEnd])) else { return nil }
        // The manifest's numbers multiplied without overflow: a damaged one is a miss, not a trap.
        func product(_ values: [Int]) -> Int? {
            values.reduce(Optional(1)) { total, value in
                guard let total, value > 0 else { return nil }
                let (result, overflow) = total.multipliedReportingOverflow(by: value)
                return overflow || result > file.size ? nil : result
            }
        }
        guard let image = product([manifest.channels, manifest.height, manifest.width]),
              let trainBytes = product([manifest.trainCount, image]), let testBytes = product([manifest.testCount, image]),
              file.size - (secondEnd + 1) == trainBytes + manifest.trainCount + testBytes + manifest.testCount else { return nil }
        let sizes = [trainBytes, manifest.trainCount, testBytes, manifest.testCount]
        var offset = secondEnd + 1
        guard let parts = try? sizes.map({ size -> [UInt8] in
            defer { offset += size }
            return try file.bytes(size, at: offset)
        }) else { return nil }
        func set(_ pixels: [UInt8], _ labels: [UInt8]) -> Dataset {
            Dataset(values: .bytes(pixels), labels: labels, channels: manifest.channels, height: manifest.height,
                    width: manifest.width, classNames: manifest.classNames)
        }
        let report = ImageFolder.Report(skipped: manifest.skipped, ignored: manifest.ignored, cached: true)
        return (set(parts[0], parts[1]), set(parts[2], parts[3]), report)
    }

    /// Writes the sets to `path` (atomically; the folder is made if needed), from their arrays.
    static func write(_ train: Dataset, _ test: Dataset, report: ImageFolder.Report, to path: String) throws {
        let manifest = Manifest(channels: train.channels, height: train.height, width: train.width, trainCount: train.count,
                                testCount: test.count, classNames: train.classNames, skipped: report.skipped,
                                ignored: report.ignored)
        var head = Data("\(magic)\n".utf8)
        head.append(try JSONEncoder().encode(manifest))
        head.append(0x0a)
        try FileManager.default.createDirectory(atPath: Paths.parent(path), withIntermediateDirectories: true)
        try writeAtomically(to: path) { append in
            try head.withUnsafeBytes { try append($0) }
            for set in [train, test] {
                guard case .bytes(let bytes) = set.values else { preconditionFailure("an image folder's sets are bytes") }
                try bytes.withUnsafeBytes { try append($0) }
                try set.labels.withUnsafeBytes { try append($0) }
            }
        }
    }
}
