import COpenCL
import Foundation

/// Builds OpenCL programs, keeping each device binary on disk so a second process starts
/// without compiling. The key is the device name, driver version, build options and a hash
/// of the source; a cached binary that fails to load is rebuilt from source and replaced.
public struct ProgramCache: Sendable {
    /// `$XDG_CACHE_HOME/aekit`, else `~/.cache/aekit`. Nil disables the disk cache.
    let directory: String?

    public static var defaultDirectory: String? {
        let env = ProcessInfo.processInfo.environment
        // The XDG spec: a relative XDG_CACHE_HOME is invalid, and is ignored.
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return Paths.join(xdg, "aekit") }
        if let home = env["HOME"], !home.isEmpty { return Paths.join(home, ".cache/aekit") }
        return nil
    }

    /// Where the binary of this source for this device would be.
    func binaryPath(device: OpenCLDevice, name: String, source: String, options: String) -> String? {
        let key = "\(device.name)|\(device.driverVersion)|\(device.platform)|\(options)|\(source)"
        let hex = String(fnv1a64(key), radix: 16)
        return directory.map { Paths.join($0, "\(name)-\(String(repeating: "0", count: 16 - hex.count) + hex).bin") }
    }

    /// The built program: from the disk cache when it holds a good binary, else from source.
    func program(context: CLContext, device: OpenCLDevice, name: String, source: String,
                 options: String) throws -> (program: CLProgram, fromCache: Bool) {
        let path = binaryPath(device: device, name: name, source: source, options: options)
        if let path, let binary = ProgramCache.verifiedBinary(at: path) {
            if let program = try? ProgramCache.load(binary: binary, context: context, options: options) {
                return (program, true)
            }
        }
        let program = try ProgramCache.compile(source: source, name: name, context: context, options: options)
        if let path { try? store(ProgramCache.binary(of: program), at: path) }
        return (program, false)
    }

    /// A cache file is `magic`, the binary's length (8 bytes, little-endian), its SHA-256
    /// (64 hex digits), then the binary. Drivers trust the binaries they are given: PoCL
    /// crashed on a truncated one, in every later run, until the file was removed by hand. So
    /// a file is checked before the driver sees it, and one that fails is removed (and the
    /// program rebuilt and stored again).
    static let magic = Data("AEKITCL1".utf8)
    static let fileLimit = 1 << 30

    static func verifiedBinary(at path: String) -> Data? {
        guard let file = try? readRegularFile(path, limit: fileLimit) else {
            if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
            return nil
        }
        let headerSize = magic.count + 8 + 64
        let bytes = [UInt8](file)
        let length = bytes.count >= headerSize
            ? littleEndianUInt64(bytes[magic.count..<(magic.count + 8)]) : 0
        let binary = Data(bytes.dropFirst(headerSize))
        guard bytes.count >= headerSize, Data(bytes.prefix(magic.count)) == magic, length == UInt64(binary.count),
              String(decoding: bytes[(magic.count + 8)..<headerSize], as: UTF8.self) == sha256Hex(binary) else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        return binary
    }

    /// The cache file's bytes for `binary`.
    static func framed(_ binary: Data) -> Data {
        var file = magic
        withUnsafeBytes(of: UInt64(binary.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(Data(sha256Hex(binary).utf8))
        file.append(binary)
        return file
    }

    /// Compiles OpenCL C; a failure carries the compiler's log.
    static func compile(source: String, name: String, context: CLContext, options: String) throws -> CLProgram {
        let program = CLProgram(handle: try clCreate("creating program \(name)") { error in
            source.withCString { text in
                var pointer: UnsafePointer<CChar>? = text
                var length = strlen(text)
                return clCreateProgramWithSource(context.handle, 1, &pointer, &length, error)
            }
        })
        try build(program, context: context, options: options, what: "building kernels \(name).cl")
        return program
    }

    private static func load(binary: Data, context: CLContext, options: String) throws -> CLProgram {
        var status: cl_int = 0
        var device = Optional(context.device)
        let program = CLProgram(handle: try clCreate("loading a cached program") { error in
            binary.withUnsafeBytes { raw in
                var pointer: UnsafePointer<UInt8>? = raw.bindMemory(to: UInt8.self).baseAddress
                var length = binary.count
                return clCreateProgramWithBinary(context.handle, 1, &device, &length, &pointer, &status, error)
            }
        })
        try checkCL(status, "loading a cached program")
        try build(program, context: context, options: options, what: "linking a cached program")
        return program
    }

    private static func build(_ program: CLProgram, context: CLContext, options: String, what: String) throws {
        var device = Optional(context.device)
        let status = clBuildProgram(program.handle, 1, &device, options, nil, nil)
        guard status == CL_SUCCESS else {
            throw ComputeError.openCL(OpenCLError(code: status, operation: what,
                                                  buildLog: buildLog(program, device: context.device)))
        }
    }

    private static func buildLog(_ program: CLProgram, device: cl_device_id) -> String {
        var size = 0
        clGetProgramBuildInfo(program.handle, device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size)
        var bytes = [CChar](repeating: 0, count: size + 1)
        clGetProgramBuildInfo(program.handle, device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &bytes, nil)
        return cString(bytes).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func binary(of program: CLProgram) throws -> Data {
        var size = 0
        try checkCL(clGetProgramInfo(program.handle, cl_program_info(CL_PROGRAM_BINARY_SIZES),
                                     MemoryLayout<Int>.size, &size, nil), "reading a program's binary size")
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            try checkCL(clGetProgramInfo(program.handle, cl_program_info(CL_PROGRAM_BINARIES),
                                         MemoryLayout<UnsafeMutablePointer<UInt8>?>.size, &pointer, nil),
                        "reading a program's binary")
        }
        return Data(bytes)
    }

    /// Stores the binary framed with its length and digest, atomically.
    private func store(_ binary: Data, at path: String) throws {
        guard !binary.isEmpty else { return }
        try createFolders(Paths.parent(path))
        try writeAtomically(ProgramCache.framed(binary), to: path)
    }
}

/// 64-bit FNV-1a of a string's UTF-8 bytes: the same in every process (unlike Swift's seeded
/// `hashValue`), for cache keys and seeds, not as a checksum against tampering.
func fnv1a64(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}
