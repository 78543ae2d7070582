import Compute
import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// tensor's name to its dtype, shape and byte range, then the raw little-endian data. F32 is
/// written and read, and I64 for counts (BatchNorm's `num_batches_tracked`, as PyTorch stores
/// it); F16, BF16 and F64, which a PyTorch state dict may hold, are read as F32. PyTorch loads
/// it with `safetensors.torch.load_file`.
public enum SafeTensors {
    public enum DType: String, Sendable {
        case f32 = "F32", i64 = "I64", f16 = "F16", bf16 = "BF16", f64 = "F64"
        var size: Int {
            switch self {
            case .f16, .bf16: 2
            case .f32: 4
            case .i64, .f64: 8
            }
        }
    }

    public struct Entry: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        /// An I64 tensor's values too, exact while they are below 2^24 (a count of batches).
        public let values: [Float]
        public let dtype: DType

        public init(name: String, shape: [Int], values: [Float], dtype: DType = .f32) {
            self.name = name; self.shape = shape; self.values = values; self.dtype = dtype
        }
    }

    /// The file's bytes: tensors in the given order, those of 8-byte types first (as the
    /// format's own writer orders them, widest first), and the header padded with spaces to a
    /// multiple of 8, so every tensor starts at a multiple of its type's size and can be mapped
    /// in place. Readers may not count on it (the format does not require it), and this one
    /// does not.
    public static func encode(_ entries: [Entry], metadata: [String: String] = [:]) throws -> Data {
        let entries = entries.filter { $0.dtype.size == 8 } + entries.filter { $0.dtype.size != 8 }
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for entry in entries {
            guard entry.shape.reduce(1, *) == entry.values.count else {
                throw ModelError.checkpoint("\(entry.name): shape \(entry.shape) does not hold \(entry.values.count) values")
            }
            let bytes = entry.values.count * entry.dtype.size
            header[entry.name] = ["dtype": entry.dtype.rawValue, "shape": entry.shape, "data_offsets": [offset, offset + bytes]]
                as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in entries {
            switch entry.dtype {
            case .f32:
                entry.values.withUnsafeBytes { raw in
                    // Float32 is little-endian on every platform Swift runs on here (x86-64, arm64).
                    data.append(contentsOf: raw)
                }
            case .i64:
                for value in entry.values { withUnsafeBytes(of: Int64(value).littleEndian) { data.append(contentsOf: $0) } }
            case .f16, .bf16, .f64:
                throw ModelError.checkpoint("\(entry.name): AEKit writes F32 and I64 tensors, not \(entry.dtype.rawValue)")
            }
        }
        return data
    }

    /// The largest header read: the format's own reference reader refuses more than 100 MB.
    static let headerLimit = 100_000_000
    /// The largest file read: far beyond any AEKit model (the widest dense preset is 2.5 MB).
    static let fileLimit = 1 << 34

    /// Tensors (in data order) and metadata of a file. Everything the header says is checked
    /// before it is used, with overflow-checked arithmetic: each shape's size against its byte
    /// range, and the ranges against each other and the file, which they must tile exactly
    /// (in bounds, no overlaps, no gaps), as the format requires. A range need not start at a
    /// multiple of its type's size (the values are copied out byte by byte, not mapped).
    public static func decode(_ data: Data, path: String = "checkpoint") throws -> (entries: [Entry], metadata: [String: String]) {
        func fail(_ why: String) -> ModelError { .checkpoint("\(path): \(why)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw fail("too short to be a safetensors file (\(bytes.count) bytes)") }
        let headerSize = littleEndianUInt64(bytes[0..<8])
        guard headerSize <= UInt64(min(bytes.count - 8, headerLimit)) else {
            throw fail("its header claims \(headerSize) bytes, more than the file (\(bytes.count) bytes) holds")
        }
        let headerEnd = 8 + Int(headerSize)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let value = header["__metadata__"] {
            guard let map = value as? [String: String] else { throw fail("__metadata__ is not a map of strings") }
            metadata = map
        }
        let payload = bytes.count - headerEnd
        var ranges: [(start: Int, end: Int, name: String, shape: [Int], dtype: DType)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("\(name): malformed header entry (it needs dtype, shape and two data_offsets, all integers)")
            }
            guard let type = DType(rawValue: dtype) else {
                throw fail("\(name): dtype \(dtype); AEKit reads F32, F16, BF16, F64 (and I64 counts); convert with tensor.float()")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("\(name): shape \(shape) has a negative size") }
            var count = 1
            for size in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow, product <= payload else { throw fail("\(name): shape \(shape) is larger than the file") }
                count = product
            }
            let (start, end) = (offsets[0], offsets[1])
            guard start >= 0, start <= end, end <= payload else {
                throw fail("\(name): byte range \(offsets) lies outside the \(payload) data bytes")
            }
            guard end - start == type.size * count else {
                throw fail("\(name): byte range \(offsets) does not hold shape \(shape) of \(dtype)")
            }
            ranges.append((start, end, name, shape, type))
        }
        ranges.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        var position = 0
        for range in ranges {
            guard range.start == position else {
                throw fail(range.start < position ? "\(range.name)'s bytes overlap another tensor's"
                                                  : "bytes \(position)..<\(range.start) of the data belong to no tensor")
            }
            position = range.end
        }
        guard position == payload else { throw fail("bytes \(position)..<\(payload) of the data belong to no tensor") }
        let entries = try ranges.map { range in
            let start = headerEnd + range.start, count = (range.end - range.start) / range.dtype.size
            func word<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
                var value = T.zero
                for b in (0..<MemoryLayout<T>.size).reversed() { value = value << 8 | T(bytes[start + i * MemoryLayout<T>.size + b]) }
                return value
            }
            switch range.dtype {
            case .f32:
                let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    // Float32 is little-endian on every platform Swift runs on here (x86-64, arm64).
                    bytes.withUnsafeBytes { raw in
                        UnsafeMutableRawBufferPointer(buffer).copyMemory(
                            from: UnsafeRawBufferPointer(rebasing: raw[start..<(headerEnd + range.end)]))
                    }
                    initialized = count
                }
                return Entry(name: range.name, shape: range.shape, values: values)
            case .f16:
                return Entry(name: range.name, shape: range.shape,
                             values: (0..<count).map { Float(Float16(bitPattern: word($0, UInt16.self))) })
            case .bf16:
                // bfloat16 is the top half of a float32.
                return Entry(name: range.name, shape: range.shape,
                             values: (0..<count).map { Float(bitPattern: UInt32(word($0, UInt16.self)) << 16) })
            case .f64:
                return Entry(name: range.name, shape: range.shape,
                             values: (0..<count).map { Float(Double(bitPattern: word($0, UInt64.self))) })
            case .i64:
                let values = try (0..<count).map { i in
                    let value = Int64(bitPattern: word(i, UInt64.self))
                    // Counts only: a float holds every whole number up to 2^24 exactly.
                    guard (-(1 << 24)...(1 << 24)).contains(value) else { throw fail("\(range.name): I64 value \(value) is too large for a count") }
                    return Float(value)
                }
                return Entry(name: range.name, shape: range.shape, values: values, dtype: .i64)
            }
        }
        return (entries, metadata)
    }

    public static func read(_ path: String) throws -> (entries: [Entry], metadata: [String: String]) {
        try decode(readRegularFile(path, limit: fileLimit), path: path)
    }
}
