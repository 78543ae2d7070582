import AEKit
import CArchive
import CImageCodecs
import Foundation

/// Files of the formats AEKit reads, written by the same libraries (libpng, libjpeg-turbo,
/// libarchive) or by the format's definition (`.npy`): the fuzz targets' seeds and the tests'
/// folders and arrays.
public enum DataFixtures {
    /// `image` (interleaved grey or RGB bytes) as a PNG file.
    public static func png(_ image: DecodedImage) throws -> Data {
        var picture = Picture(width: image.width, height: image.height, channels: image.channels)
        picture.pixels = image.bytes
        return try picture.png()
    }

    /// The kinds of PNG file libpng writes beside 8-bit grey and RGB.
    public enum PNGKind: CaseIterable, Sendable {
        /// Grey and alpha, 8 bits each.
        case greyAlpha
        /// RGB and alpha.
        case rgba
        /// 16-bit grey (libpng writes it linear, with a gAMA of 1).
        case grey16
    }

    /// `samples` (interleaved; 16-bit samples for `.grey16`) as a PNG of `kind`.
    public static func png(_ kind: PNGKind, width: Int, height: Int, samples: [UInt16]) throws -> Data {
        let format: UInt32
        switch kind {
        case .greyAlpha: format = aekit_png_format_ga
        case .rgba: format = aekit_png_format_rgba
        case .grey16: format = aekit_png_format_linear_y
        }
        let bytes: [UInt8] = kind == .grey16 ? samples.withUnsafeBytes { Array($0) } : samples.map { UInt8($0) }
        return try bytes.withUnsafeBytes { try Picture.png(width: width, height: height, format: format, samples: $0) }
    }

    /// `image` as a baseline JPEG of `quality` (4:4:4 for colour, so the colours stay sharp).
    public static func jpeg(_ image: DecodedImage, quality: Int = 95) throws -> Data {
        guard let handle = tjInitCompress() else { throw ImageFault("libjpeg-turbo did not start") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = image.channels == 3 ? TJPF_RGB : TJPF_GRAY
        let subsampling = image.channels == 3 ? TJSAMP_444 : TJSAMP_GRAY
        let status = image.bytes.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue), &buffer, &size,
                        Int32(subsampling.rawValue), Int32(quality), 0)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else { throw ImageFault("JPEG: \(String(cString: tjGetErrorStr2(handle)))") }
        return Data(bytes: buffer, count: Int(size))
    }

    /// A `.npz`: the members (`name.npy`) in a deflated zip, as `np.savez_compressed` writes.
    public static func npz(_ members: [(name: String, data: Data)]) throws -> Data {
        try archive(members.map { ($0.name + ".npy", $0.data) }) { archive in
            archive_write_set_format_zip(archive)
            archive_write_set_options(archive, "zip:compression=deflate")
        }
    }

    /// A tar.gz of `files` under `folder/`, as CIFAR-10's publisher packs its batches.
    public static func tarGz(folder: String, _ files: [(name: String, data: Data)]) throws -> Data {
        try archive(files.map { ("\(folder)/\($0.name)", $0.data) }) { archive in
            archive_write_set_format_pax_restricted(archive)
            archive_write_add_filter_gzip(archive)
        }
    }

    /// `files` as an archive of the format `configure` sets, written by libarchive in memory.
    private static func archive(_ files: [(path: String, data: Data)], configure: (OpaquePointer) -> Void) throws -> Data {
        guard let archive = archive_write_new() else { throw ImageFault("libarchive did not start") }
        defer { archive_write_free(archive) }
        configure(archive)
        var buffer = [UInt8](repeating: 0, count: files.reduce(1 << 16) { $0 + 2 * $1.data.count + 1024 })
        var used = 0
        try buffer.withUnsafeMutableBytes { raw in
            guard archive_write_open_memory(archive, raw.baseAddress, raw.count, &used) == ARCHIVE_OK else {
                throw ImageFault("libarchive: \(String(cString: archive_error_string(archive)))")
            }
            for file in files {
                let entry = archive_entry_new()
                defer { archive_entry_free(entry) }
                archive_entry_set_pathname(entry, file.path)
                archive_entry_set_size(entry, la_int64_t(file.data.count))
                archive_entry_set_filetype(entry, 0o100000)  // a regular file (AE_IFREG, a macro)
                archive_entry_set_perm(entry, 0o644)
                archive_write_header(archive, entry)
                _ = file.data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
            archive_write_close(archive)
        }
        return Data(buffer[0..<used])
    }
}
