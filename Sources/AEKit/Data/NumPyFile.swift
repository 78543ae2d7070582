import CArchive
import Compute
import Foundation

/// One array of a NumPy `.npy` file (format versions 1 to 3): the header, a Python dict
/// literal giving the dtype, the order and the shape, then the elements. Read are the types a
/// dataset holds: images as uint8 (0…255) or float32 (in [0, 1]), labels as any integer type.
public struct NumPyArray: Sendable {
    public enum Elements: Sendable {
        case uint8([UInt8])
        case float32([Float])
        /// Any integer dtype, widened.
        case integers([Int])
    }

    public let shape: [Int]
    public let elements: Elements

    /// The most elements an array may hold: 2^34 (a header claiming more is damaged).
    public static let maximumElements = 1 << 34

    /// The dtypes read, and their sizes in bytes.
    static let itemSizes = ["|u1": 1, "<u1": 1, "<f4": 4, "|i1": 1, "<i1": 1, "<i2": 2, "<u2": 2, "<i4": 4, "<u4": 4,
                            "<i8": 8, "<u8": 8]

    /// The header's dtype, order and shape, and where the elements start.
    struct Header: Equatable {
        let dtype: String, fortranOrder: Bool, shape: [Int], dataOffset: Int

        var itemSize: Int { NumPyArray.itemSizes[dtype]! }
        var count: Int { shape.reduce(1, *) }
    }

    /// The array in `data`, `name` naming it in errors.
    public init(decoding data: Data, name: String) throws {
        let header = try Self.header(data, name: name)
        let body = data.count - header.dataOffset, expected = header.count * header.itemSize
        guard body == expected else {
            throw DatasetError.badFile(name, body < expected
                ? "is truncated: its header gives shape \(header.shape) of \(header.dtype), \(expected) bytes; the file holds \(body)"
                : "has \(body - expected) bytes after the \(expected) its header (shape \(header.shape) of \(header.dtype)) describes")
        }
        shape = header.shape
        let bytes = data.subdata(in: (data.startIndex + header.dataOffset)..<data.endIndex)
        func integers<T: FixedWidthInteger>(_: T.Type) -> [Int] {
            bytes.withUnsafeBytes { raw in (0..<header.count).map { Int(T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * T.bitWidth / 8, as: T.self))) } }
        }
        switch header.dtype {
        case "|u1", "<u1": elements = .uint8([UInt8](bytes))
        case "<f4":
            elements = .float32(bytes.withUnsafeBytes { raw in
                (0..<header.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            })
        case "|i1", "<i1": elements = .integers(integers(Int8.self))
        case "<i2": elements = .integers(integers(Int16.self))
        case "<u2": elements = .integers(integers(UInt16.self))
        case "<i4": elements = .integers(integers(Int32.self))
        case "<u4": elements = .integers(integers(UInt32.self))
        case "<i8": elements = .integers(integers(Int64.self))
        case "<u8": elements = .integers(bytes.withUnsafeBytes { raw in
            (0..<header.count).map { Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        })
        default: preconditionFailure("header() admits only the dtypes of itemSizes")
        }
    }

    /// The array in the `.npy` file at `path`.
    public init(contentsOf path: String) throws {
        try self.init(decoding: try Self.readFile(path), name: path)
    }

    static func readFile(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.notFound("\(path): no such file", hint: "") }
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw DatasetError.badFile(path, "cannot be read (\(error.localizedDescription))")
        }
    }

    /// The header, checked: magic, version, a dict with exactly 'descr', 'fortran_order' and
    /// 'shape', C order, and a shape whose size is not absurd.
    static func header(_ data: Data, name: String) throws -> Header {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes.starts(with: [0x93] + Array("NUMPY".utf8)) else {
            throw DatasetError.badFile(name, "is not a NumPy .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        guard (1...3).contains(major) else { throw DatasetError.badFile(name, "is .npy format version \(major); AEKit reads 1 to 3") }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw DatasetError.badFile(name, "is truncated in its header") }
        let length = bytes[8..<(8 + lengthBytes)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let start = 8 + lengthBytes
        guard data.count >= start + length else {
            throw DatasetError.badFile(name, "is truncated: its header of \(length) bytes runs past the file's end")
        }
        let text = String(decoding: data[(data.startIndex + start)..<(data.startIndex + start + length)], as: UTF8.self)
        let dict = try PythonDict(text, name: name)
        guard let dtype = dict.strings["descr"], let fortran = dict.bools["fortran_order"], let shape = dict.tuples["shape"],
              dict.count == 3 else {
            throw DatasetError.badFile(name, "has a header that is not a .npy one ('descr', 'fortran_order', 'shape'): \(text)")
        }
        guard !fortran else {
            throw DatasetError.badFile(name, "is in Fortran (column-major) order; save it with np.ascontiguousarray first")
        }
        guard itemSizes[dtype] != nil else {
            throw DatasetError.badFile(name, "holds dtype '\(dtype)'; AEKit reads uint8 or float32 images and integer labels, "
                                       + "little-endian (save it with .astype(np.uint8) or .astype('<f4'))")
        }
        var count = 1
        for side in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: max(side, 1))
            guard side >= 0, !overflow, product <= maximumElements else {
                throw DatasetError.badFile(name, "has a header giving shape \(shape), over \(maximumElements) elements; it is damaged")
            }
            count = product
        }
        let header = Header(dtype: dtype, fortranOrder: fortran, shape: shape, dataOffset: start + length)
        let memory = ProcessInfo.processInfo.physicalMemory
        guard UInt64(header.count) * UInt64(max(header.itemSize, 1)) <= memory else {
            throw DatasetError.badFile(name, "has a header giving shape \(shape) of \(dtype), more bytes than this machine's "
                                       + "\(memory >> 30) GiB of memory; refused before reading it")
        }
        return header
    }
}

/// `.npy` files written: codes and scores for NumPy (`aekit encode`), and the tests' arrays.
extension NumPyArray {
    /// A `.npy` (format 1.0) of `dtype` and `shape` holding `body`, its header padded as NumPy
    /// pads it (to a multiple of 64 bytes, ending in a newline).
    public static func encoded(dtype: String, shape: [Int], body: Data, fortranOrder: Bool = false) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(dtype)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(body)
        return data
    }

    /// A `.npy` of uint8 values.
    public static func encoded(_ bytes: [UInt8], shape: [Int]) -> Data { encoded(dtype: "|u1", shape: shape, body: Data(bytes)) }

    /// A `.npy` of float32 values.
    public static func encoded(_ floats: [Float], shape: [Int]) -> Data {
        encoded(dtype: "<f4", shape: shape, body: floats.withUnsafeBytes { Data($0) })
    }

    /// A `.npy` of int64 labels.
    public static func encoded(labels: [Int], shape: [Int]) -> Data {
        encoded(dtype: "<i8", shape: shape, body: labels.map { Int64($0) }.withUnsafeBytes { Data($0) })
    }
}

/// The small Python literal of a `.npy` header: `{'key': 'text' | True | False | (1, 2,), …}`,
/// parsed strictly (anything else is a damaged header).
private struct PythonDict {
    var strings: [String: String] = [:], bools: [String: Bool] = [:], tuples: [String: [Int]] = [:]
    var count: Int { strings.count + bools.count + tuples.count }

    init(_ text: String, name: String) throws {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        func fail() -> DatasetError { DatasetError.badFile(name, "has a damaged header: \(text.prefix(200))") }
        func skipSpaces() { rest = rest.drop { $0 == " " } }
        func take(_ token: String) -> Bool {
            skipSpaces()
            guard rest.hasPrefix(token) else { return false }
            rest = rest.dropFirst(token.count); return true
        }
        func quoted() throws -> String {
            skipSpaces()
            guard let quote = rest.first, quote == "'" || quote == "\"" else { throw fail() }
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: quote) else { throw fail() }
            defer { rest = rest[rest.index(after: end)...] }
            return String(rest[..<end])
        }
        guard take("{") else { throw fail() }
        while !take("}") {
            let key = try quoted()
            guard take(":") else { throw fail() }
            if take("True") { bools[key] = true } else if take("False") { bools[key] = false } else if take("(") {
                var values: [Int] = []
                while !take(")") {
                    skipSpaces()
                    let digits = rest.prefix { $0.isNumber }
                    guard !digits.isEmpty, digits.count <= 18, let value = Int(digits) else { throw fail() }
                    values.append(value); rest = rest.dropFirst(digits.count)
                    _ = take(",") || take("L,")
                }
                tuples[key] = values
            } else {
                strings[key] = try quoted()
            }
            _ = take(",")
            if count > 16 { throw fail() }
        }
        guard rest.allSatisfy(\.isWhitespace) else { throw fail() }
    }
}

/// The arrays of a NumPy `.npz` (a zip of `.npy` files, as `np.savez` writes it), by name
/// without `.npy`; opened by libarchive.
public enum NumPyArchive {
    /// Every member, read; a member larger than its `.npy` header says is refused before it
    /// is read whole.
    public static func arrays(in data: Data, name: String) throws -> [String: NumPyArray] {
        guard let archive = archive_read_new() else { throw DatasetError.badFile(name, "cannot be opened (libarchive)") }
        defer { archive_read_free(archive) }
        archive_read_support_format_zip(archive)
        var arrays: [String: NumPyArray] = [:]
        try data.withUnsafeBytes { raw in
            guard archive_read_open_memory(archive, raw.baseAddress, raw.count) == ARCHIVE_OK else {
                throw DatasetError.badFile(name, "is not a .npz (zip) archive (\(message(archive)))")
            }
            var entry: OpaquePointer?
            while true {
                let status = archive_read_next_header(archive, &entry)
                if status == ARCHIVE_EOF { break }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                    throw DatasetError.badFile(name, "is a damaged .npz archive (\(message(archive)))")
                }
                let member = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
                guard member.hasSuffix(".npy") else { continue }
                let key = String(member.dropLast(4))
                arrays[key] = try NumPyArray(decoding: readMember(archive, name: "\(name):\(member)"), name: "\(name):\(member)")
            }
        }
        guard !arrays.isEmpty else { throw DatasetError.badFile(name, "holds no .npy arrays") }
        return arrays
    }

    /// One member's bytes: its `.npy` header first, then exactly as many bytes as it promises
    /// (and one more, to catch a member that is longer than its header says).
    private static func readMember(_ archive: OpaquePointer, name: String) throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var limit = Int.max
        while data.count < limit {
            let count = archive_read_data(archive, &chunk, min(chunk.count, limit - data.count))
            guard count >= 0 else { throw DatasetError.badFile(name, "is damaged (\(message(archive)))") }
            if count == 0 { break }
            data.append(contentsOf: chunk[0..<count])
            if limit == Int.max, data.count >= 16, let header = try? NumPyArray.header(data, name: name) {
                limit = header.dataOffset + header.count * header.itemSize + 1
            }
        }
        return data
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "no reason given"
    }
}
