import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// tensor's name to its dtype, shape and byte range, then the raw little-endian data. Only
/// F32 is written or read here. PyTorch loads it with `safetensors.torch.load_file`.
public enum SafeTensors {
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        public let values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name; self.shape = shape; self.values = values
        }
    }

    /// The file's bytes: tensors in the given order, the header padded with spaces to a
    /// multiple of 8 so the data that follows is aligned.
    public static func encode(_ entries: [Entry], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for entry in entries {
            guard entry.shape.reduce(1, *) == entry.values.count else {
                throw ModelError.checkpoint("\(entry.name): shape \(entry.shape) does not hold \(entry.values.count) values")
            }
            let bytes = entry.values.count * 4
            header[entry.name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in entries {
            entry.values.withUnsafeBytes { raw in
                // Float32 is little-endian on every platform Swift runs on here (x86-64, arm64).
                data.append(contentsOf: raw)
            }
        }
        return data
    }

    /// Tensors (in data order) and metadata of a file, every offset checked against the file.
    public static func decode(_ data: Data, path: String = "checkpoint") throws -> (entries: [Entry], metadata: [String: String]) {
        func fail(_ why: String) -> ModelError { .checkpoint("\(path): \(why)") }
        guard data.count >= 8 else { throw fail("too short to be a safetensors file (\(data.count) bytes)") }
        let headerSize = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerSize <= UInt64(data.count - 8) else { throw fail("header of \(headerSize) bytes runs past the end of the file") }
        let headerEnd = 8 + Int(headerSize)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        let metadata = header["__metadata__"] as? [String: String] ?? [:]
        var entries: [(start: Int, entry: Entry)] = []
        let payload = data.count - headerEnd
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("\(name): malformed header entry")
            }
            guard dtype == "F32" else { throw fail("\(name): dtype \(dtype); AEKit reads F32 only") }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] == offsets[0] + 4 * count, offsets[1] <= payload else {
                throw fail("\(name): byte range \(offsets) does not fit shape \(shape) in \(payload) data bytes")
            }
            let start = headerEnd + offsets[0]
            let values = data.subdata(in: start..<(start + 4 * count)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            entries.append((offsets[0], Entry(name: name, shape: shape, values: values)))
        }
        return (entries.sorted { $0.start < $1.start }.map(\.entry), metadata)
    }

    public static func read(_ path: String) throws -> (entries: [Entry], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.checkpoint("\(path): no such file or not readable")
        }
        return try decode(data, path: path)
    }
}

/// Writes `data` to `path` through a temporary file in the same folder and a rename, so the
/// file at `path` is always either the old one or the new one, never half of either.
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
        .appending(path: ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do {
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    }
}
