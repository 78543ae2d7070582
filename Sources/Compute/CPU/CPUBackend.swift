import COpenBLAS
import Foundation

/// Host memory for one CPU buffer, freed when the last reference goes.
final class CPUStorage {
    let pointer: UnsafeMutablePointer<Float>
    init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}

/// The reference backend: OpenBLAS `cblas_sgemm` for every matrix product (convolutions
/// through im2col), plain Swift loops for the rest, split across cores where a loop is large.
/// Ops run synchronously on the caller's thread, so `synchronize` has nothing to wait for.
public final class CPUBackend: Backend, @unchecked Sendable {
    // Thread-safety: the only shared state is the buffer pool, which locks itself.
    public let name = "cpu"
    let pool = BufferPool()

    public init() {}

    public var deviceDescription: String {
        "CPU: \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS \(openBLASThreads) threads"
    }

    public var openBLASThreads: Int { Int(openblas_get_num_threads()) }

    public var memoryStatistics: MemoryStatistics { pool.statistics }

    public func makeBuffer(count: Int) throws -> Buffer {
        try require(count >= 0, "buffer of \(count) elements")
        let storage = try pool.take(count: count) { CPUStorage(count: count) }
        return Buffer(count: count, storage: storage, pool: pool)
    }

    /// The host pointer behind a buffer of this backend.
    func pointer(_ buffer: Buffer, _ op: String = #function) throws -> UnsafeMutablePointer<Float> {
        guard buffer.belongs(to: pool), let storage = buffer.storage as? CPUStorage else {
            throw ComputeError.foreignBuffer(op)
        }
        return storage.pointer
    }

    public func upload(_ values: [Float], to buffer: Buffer) throws {
        try require(values.count == buffer.count, "upload of \(values.count) values into \(buffer.count)")
        let p = try pointer(buffer)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: values.count) }
    }

    public func download(_ buffer: Buffer) throws -> [Float] {
        let p = try pointer(buffer)
        return Array(UnsafeBufferPointer(start: p, count: buffer.count))
    }

    public func synchronize() throws {}
}
