import CZlib
import Foundation

/// An IDX file (the MNIST format): a magic number giving the element type and the number of
/// dimensions, the dimensions as big-endian 32-bit integers, then the elements. Read through
/// zlib, which reads gzip-compressed and plain files alike.
public struct IDXFile: Sendable {
    public let dimensions: [Int]
    /// The elements as unsigned bytes (the only type MNIST and Fashion-MNIST use).
    public let bytes: [UInt8]

    /// What can be wrong with a file; each error names the file.
    public enum Fault: Error, CustomStringConvertible, Equatable {
        case missing(String)
        case unreadable(String, String)
        case truncated(String, expected: Int, found: Int)
        case wrongMagic(String, found: UInt32)
        case trailingBytes(String, Int)

        public var description: String {
            switch self {
            case .missing(let path): return "\(path): no such file"
            case .unreadable(let path, let why): return "\(path): cannot be read (\(why))"
            case .truncated(let path, let expected, let found):
                return "\(path): truncated: the header promises \(expected) bytes, the file has \(found)"
            case .wrongMagic(let path, let found):
                return "\(path): not an IDX file of unsigned bytes (magic number 0x\(String(found, radix: 16)), "
                    + "expected 0x801 for labels or 0x803 for images)"
            case .trailingBytes(let path, let extra):
                return "\(path): \(extra) bytes after the last element; the file is not the one its header describes"
            }
        }
    }

    public init(dimensions: [Int], bytes: [UInt8]) {
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads and checks a whole file.
    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Fault.missing(path) }
        let data = try IDXFile.readAll(path)
        guard data.count >= 4 else { throw Fault.truncated(path, expected: 4, found: data.count) }
        let magic = data[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        // 0x08 = unsigned byte; the last byte is the number of dimensions.
        guard magic >> 8 == 0x08, (1...4).contains(magic & 0xff) else { throw Fault.wrongMagic(path, found: magic) }
        let rank = Int(magic & 0xff)
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else { throw Fault.truncated(path, expected: headerSize, found: data.count) }
        dimensions = (0..<rank).map { d in
            data[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) }
        }
        let expected = headerSize + dimensions.reduce(1, *)
        if data.count < expected { throw Fault.truncated(path, expected: expected, found: data.count) }
        if data.count > expected { throw Fault.trailingBytes(path, data.count - expected) }
        bytes = Array(data[headerSize...])
    }

    private static func readAll(_ path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw Fault.unreadable(path, String(cString: strerror(errno))) }
        defer { gzclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<Int(count)])
        }
        // A cut-off or damaged .gz stream ends the loop early with an error set.
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        if code != Z_OK && code != Z_STREAM_END {
            throw Fault.unreadable(path, "\(message.isEmpty ? "zlib error \(code)" : message): the file is truncated or corrupt")
        }
        return result
    }

    /// Writes the file (gzip-compressed when `path` ends in `.gz`), for tests and tools.
    public func write(to path: String) throws {
        var data: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { data += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        data += bytes
        if path.hasSuffix(".gz") {
            guard let file = gzopen(path, "wb") else { throw Fault.unreadable(path, "cannot create") }
            let written = data.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
            guard written == data.count else { throw Fault.unreadable(path, "short write") }
        } else {
            try Data(data).write(to: URL(fileURLWithPath: path))
        }
    }
}
