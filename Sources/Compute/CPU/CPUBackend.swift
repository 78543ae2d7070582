import COpenBLAS
import CPUKernels
import Foundation

/// Host memory for one CPU buffer, freed when the last reference goes; or a view of part of
/// another's, which keeps that one alive.
final class CPUStorage {
    let pointer: UnsafeMutablePointer<Float>
    private let parent: CPUStorage?
    /// Zeroed memory for `count` floats; throws where the host refuses it (Swift's own
    /// allocator would stop the process instead).
    init(count: Int) throws {
        guard let memory = calloc(max(count, 1), MemoryLayout<Float>.stride) else {
            throw ComputeError.deviceLimit("out of memory on cpu: the host refused \(formatBytes(count * MemoryLayout<Float>.stride)); "
                                           + "use a smaller batch or model")
        }
        pointer = memory.bindMemory(to: Float.self, capacity: max(count, 1))
        parent = nil
    }
    init(viewOf parent: CPUStorage, offset: Int) {
        pointer = parent.pointer + offset
        self.parent = parent
    }
    deinit { if parent == nil { free(pointer) } }
}

/// The reference backend: OpenBLAS `cblas_sgemm` for every matrix product (convolutions
/// through im2col, or direct loops where those are faster), plain Swift and C loops for the
/// rest, split across `threads` where a loop is large. Ops run synchronously on the caller's
/// thread, so `synchronize` has nothing to wait for.
public final class CPUBackend: Backend, @unchecked Sendable {
    // Thread-safety: the only shared state is the buffer pool, which locks itself.
    public let name = "cpu"
    let pool: BufferPool
    /// How many threads an op may use (`Parallel.swift` cuts the work for them).
    public let threads: ThreadBudget
    /// How convolutions are computed (`CPUBackend+Convolution.swift`): `.automatic` but in
    /// tests and `aekit bench kernels`, which hold the two algorithms against each other.
    public let convolution: ConvolutionAlgorithm

    /// The host memory buffers may hold together: `HostMemoryCapacity`, or less where a
    /// caller gives less (tests, to reach the limit).
    public let memoryCapacity: Int

    public init(threads: ThreadBudget = .standard, convolution: ConvolutionAlgorithm = .automatic,
                memoryCapacity: Int? = nil) {
        self.threads = threads
        self.convolution = convolution
        self.memoryCapacity = memoryCapacity ?? HostMemoryCapacity.bytes
        pool = BufferPool(capacity: self.memoryCapacity, device: name)
        _ = Self.serialBLAS
        Self.flushSubnormals()
    }

    /// Sets the calling thread to flush subnormal floats to zero; every thread that runs this
    /// backend's ops calls it (here, and each worker in `runChunks`). Training drives some
    /// values into the subnormal range (Adam's second moments, the gradients of nearly dead
    /// units), and on Intel CPUs each subnormal operation takes a microcode assist of about a
    /// hundred cycles: an epoch of the dense preset (784-64-784, Adam, batch 64) took 4.9 s with
    /// them, 1.5 s flushed, with the same losses to every printed digit (Xeon "Emerald Rapids").
    /// TensorFlow flushes
    /// for the same reason, and GPUs flush single-precision subnormals in their fast paths.
    /// A per-thread register: cheap to set again.
    @inline(__always)
    static func flushSubnormals() { _ = cpu_flush_subnormals() }

    /// OpenBLAS runs on the calling thread only; this backend splits a product across its own
    /// threads (`CPUBackend+GEMM.swift`). OpenBLAS' threads wait for work by spinning and
    /// yielding: beside one busy process they made a conv-linear epoch 5.7x slower than alone,
    /// against 1.4x with OpenBLAS on one thread (`aekit bench train` on 20 000 images;
    /// scripts/bench-contention). Process-wide, so set once.
    static let serialBLAS: Void = openblas_set_num_threads(1)

    public var deviceDescription: String {
        "CPU: \(threads), \(BLASInfo.current.description) on each thread"
    }

    public var memoryStatistics: MemoryStatistics { pool.statistics }

    public var transferCounters: TransferCounters? { nil }

    public func makeBuffer(count: Int) throws -> Buffer {
        try require(count >= 0, "buffer of \(count) elements")
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, bytes <= memoryCapacity else {
            throw ComputeError.deviceLimit("a buffer of \(count) floats is more than \(name)'s \(formatBytes(memoryCapacity)) "
                                           + "of memory; use a smaller batch or model")
        }
        let storage = try pool.take(count: count) { try CPUStorage(count: count) }
        return Buffer(count: count, storage: storage, pool: pool)
    }

    /// A cache line: a view is free to start anywhere, but a parameter that starts on a cache
    /// line shares none with its neighbour.
    public var viewAlignment: Int { 16 }

    public func view(_ buffer: Buffer, offset: Int, count: Int) throws -> Buffer {
        try checkView(buffer, offset: offset, count: count)
        _ = try pointer(buffer)
        let root = buffer.parent ?? buffer
        return Buffer(viewOf: root, offset: buffer.offset + offset, count: count,
                      storage: CPUStorage(viewOf: root.storage as! CPUStorage, offset: buffer.offset + offset))
    }

    /// The host pointer behind a buffer of this backend.
    func pointer(_ buffer: Buffer, _ op: String = #function) throws -> UnsafeMutablePointer<Float> {
        guard buffer.belongs(to: pool), let storage = buffer.storage as? CPUStorage else {
            throw ComputeError.foreignBuffer(op)
        }
        return storage.pointer
    }

    public func upload(bytes: UnsafeRawBufferPointer, to buffer: Buffer) throws {
        try require(bytes.count <= 4 * buffer.count, "upload of \(bytes.count) bytes into \(buffer.count) floats")
        guard let source = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(try pointer(buffer)).copyMemory(from: source, byteCount: bytes.count)
    }

    public func download(_ buffer: Buffer) throws -> [Float] {
        let p = try pointer(buffer)
        return Array(UnsafeBufferPointer(start: p, count: buffer.count))
    }

    public func synchronize() throws {}
}
