import CArchive
import Compute
import Foundation

/// Unpacking a fetched dataset archive (CIFAR-10's `.tar.gz`) with libarchive: only regular
/// files under the one folder the dataset names, no path that climbs out of it, into a
/// temporary folder renamed into place when whole, so a kill leaves no half dataset.
enum ArchiveUnpacking {
    /// The largest member unpacked (CIFAR-10's batches are 30 MB each).
    static let memberLimit = 1 << 30

    static func unpack(_ archivePath: String, folder: String, into parent: String) throws {
        let target = Paths.join(parent, folder)
        let temporary = Paths.join(parent, ".\(folder).unpacking-\(getpid())")
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        do {
            let count = try extract(archivePath, folder: folder, into: temporary)
            guard count > 0 else { throw DatasetError.badFile(archivePath, "holds no files under \(folder)/") }
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Writes the archive's files under `folder/` into `destination`; returns how many.
    private static func extract(_ archivePath: String, folder: String, into destination: String) throws -> Int {
        guard let archive = archive_read_new() else { throw DatasetError.badFile(archivePath, "cannot be opened (libarchive)") }
        defer { archive_read_free(archive) }
        archive_read_support_format_tar(archive)
        archive_read_support_filter_gzip(archive)
        func failure() -> DatasetError {
            DatasetError.badFile(archivePath, "is a damaged archive (\(archive_error_string(archive).map { String(cString: $0) } ?? "libarchive"))")
        }
        guard archive_read_open_filename(archive, archivePath, 1 << 16) == ARCHIVE_OK else { throw failure() }
        var count = 0
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw failure() }
            let path = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let parts = path.split(separator: "/").map(String.init)
            // Regular files directly in the dataset's folder; anything else is skipped.
            guard archive_entry_filetype(entry) == 0o100000, parts.count == 2, parts[0] == folder,
                  !parts[1].hasPrefix(".") else { continue }
            let size = Int(archive_entry_size(entry))
            guard size <= memberLimit else { throw DatasetError.badFile(archivePath, "holds \(path) of \(size) bytes, over 1 GiB") }
            var data = Data(count: size), read = 0
            while read < size {
                let got = data.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress! + read, size - read) }
                guard got > 0 else { throw failure() }
                read += got
            }
            try writeAtomically(data, to: Paths.join(destination, parts[1]))
            count += 1
        }
        return count
    }
}
