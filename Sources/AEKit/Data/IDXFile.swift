import Compute
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
        case tooLarge(String, dimensions: [Int])
        case cannotHold(String, expected: Int)

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
            case .tooLarge(let path, let dimensions):
                return "\(path): its header gives dimensions \(dimensions), over \(IDXFile.maximumElements) elements; "
                    + "the header is damaged"
            case .cannotHold(let path, let expected):
                return "\(path): truncated: the header promises \(expected) bytes, more than the file can hold"
            }
        }
    }

    public init(dimensions: [Int], bytes: [UInt8]) {
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// The most elements a file may claim: MNIST's largest file holds 47 M. The bound keeps a
    /// damaged header from asking for more memory than any real dataset needs.
    public static let maximumElements = 1 << 32
    /// deflate's best ratio is about 1032:1, so a `.gz` file of n bytes holds at most ~1032·n.
    static let maximumCompressionRatio = 1100

    /// Reads and checks a whole file, plain or gzip-compressed. The header is read first and
    /// its size checked (overflow-checked, against the file's size) before the elements are
    /// allocated.
    public init(contentsOf path: String) throws {
        let file: RegularFile
        do { file = try RegularFile(path) } catch FileError.missing { throw Fault.missing(path) }
        // zlib reads plain files through the same calls, so one path serves both.
        guard let stream = gzdopen(file.release(), "rb") else { throw Fault.unreadable(path, "zlib cannot open it") }
        defer { gzclose(stream) }
        let compressed = gzdirect(stream) == 0
        let (bound, overflow) = file.size.multipliedReportingOverflow(by: compressed ? IDXFile.maximumCompressionRatio : 1)
        try self.init(path: path, sizeBound: overflow ? Int.max : bound) { count in
            var chunk = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let read = chunk.withUnsafeMutableBytes { gzread(stream, $0.baseAddress! + done, UInt32(min(count - done, 1 << 30))) }
                if read < 0 {
                    var code: Int32 = 0
                    let message = gzerror(stream, &code).map { String(cString: $0) } ?? "zlib error \(code)"
                    throw Fault.unreadable(path, "\(message): the file is truncated or corrupt")
                }
                if read == 0 { break }
                done += Int(read)
            }
            return Array(chunk[0..<done])
        }
    }

    /// Parses the bytes of a plain (uncompressed) IDX file.
    public init(decoding data: Data, path: String = "IDX data") throws {
        var position = 0
        try self.init(path: path, sizeBound: data.count) { count in
            let end = min(data.count, position + count)
            defer { position = end }
            return Array(data[data.startIndex + position ..< data.startIndex + end])
        }
    }

    /// The parser, over `read(n)`, which returns up to n bytes (fewer only at the end).
    /// `sizeBound` is the most bytes the file can hold; a header that claims more is refused
    /// before the elements are allocated.
    private init(path: String, sizeBound: Int, read: (Int) throws -> [UInt8]) throws {
        let magicBytes = try read(4)
        guard magicBytes.count == 4 else { throw Fault.truncated(path, expected: 4, found: magicBytes.count) }
        let magic = magicBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        // 0x08 = unsigned byte; the last byte is the number of dimensions.
        guard magic >> 8 == 0x08, (1...4).contains(magic & 0xff) else { throw Fault.wrongMagic(path, found: magic) }
        let rank = Int(magic & 0xff), headerSize = 4 + 4 * rank
        let dimensionBytes = try read(4 * rank)
        guard dimensionBytes.count == 4 * rank else {
            throw Fault.truncated(path, expected: headerSize, found: 4 + dimensionBytes.count)
        }
        let dimensions = (0..<rank).map { d in dimensionBytes[(4 * d)..<(4 * d + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var elements = 1
        for d in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= IDXFile.maximumElements else { throw Fault.tooLarge(path, dimensions: dimensions) }
            elements = product
        }
        guard headerSize + elements <= sizeBound else { throw Fault.cannotHold(path, expected: headerSize + elements) }
        let bytes = try read(elements)
        guard bytes.count == elements else { throw Fault.truncated(path, expected: headerSize + elements, found: headerSize + bytes.count) }
        let extra = try read(1 << 16).count
        if extra > 0 { throw Fault.trailingBytes(path, extra) }
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// The file's bytes, uncompressed.
    public func encoded() -> Data {
        var data: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { data += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        return Data(data + bytes)
    }

    /// Writes the file (gzip-compressed when `path` ends in `.gz`), for tests and tools.
    public func write(to path: String) throws {
        let data = encoded()
        if path.hasSuffix(".gz") {
            guard let file = gzopen(path, "wb") else { throw Fault.unreadable(path, "cannot create") }
            let written = data.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
            guard written == data.count else { throw Fault.unreadable(path, "short write") }
        } else {
            try writeAtomically(Data(data), to: path)
        }
    }
}
