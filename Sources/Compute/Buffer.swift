import Foundation

/// Float32 memory on one backend's device. The memory itself (`storage`) belongs to the
/// backend; when the last reference to a `Buffer` goes away its storage goes back to the
/// backend's free list, so a training step that asks for the same sizes every time stops
/// allocating after the first step.
///
/// A buffer may be a view of part of another (`Backend.view`): the same memory, so a model's
/// parameters can be views of one flat buffer that an optimizer steps in one launch. A view
/// keeps its parent alive and gives nothing back to the free list itself.
public final class Buffer: @unchecked Sendable {
    /// Number of Float32 elements.
    public let count: Int
    /// The backend's own handle (`CPUStorage` or `CLMemory`).
    let storage: AnyObject
    private let pool: BufferPool
    /// The buffer this one is a view of, and where in it the view starts (floats).
    public let parent: Buffer?
    public let offset: Int

    init(count: Int, storage: AnyObject, pool: BufferPool) {
        self.count = count
        self.storage = storage
        self.pool = pool
        parent = nil; offset = 0
    }

    init(viewOf parent: Buffer, offset: Int, count: Int, storage: AnyObject) {
        self.count = count
        self.storage = storage
        self.pool = parent.pool
        self.parent = parent; self.offset = offset
    }

    deinit { if parent == nil { pool.recycle(storage, count: count) } }

    /// Whether `backend` owns this buffer's memory.
    func belongs(to owner: BufferPool) -> Bool { pool === owner }
}

/// A size-keyed free list of device memory, with the byte counts a benchmark reports.
/// Thread-safe: buffers are created and released from any thread (tests run concurrently).
///
/// An OpenCL buffer can come back here while a kernel that reads it is still queued. That is
/// safe because the backend's queue is in-order: whatever the next owner enqueues on that
/// memory (a kernel, or a blocking upload) runs after every earlier command has finished.
final class BufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Int: [AnyObject]] = [:]
    private(set) var bytesInUse = 0
    private(set) var peakBytesInUse = 0
    private(set) var bytesAllocated = 0

    /// A recycled storage of exactly `count` elements, or one made by `make`.
    func take(count: Int, make: () throws -> AnyObject) throws -> AnyObject {
        lock.lock()
        let bytes = count * MemoryLayout<Float>.stride
        bytesInUse += bytes
        peakBytesInUse = max(peakBytesInUse, bytesInUse)
        if let storage = free[count]?.popLast() {
            lock.unlock()
            return storage
        }
        bytesAllocated += bytes
        lock.unlock()
        do {
            return try make()
        } catch {
            lock.lock(); bytesInUse -= bytes; bytesAllocated -= bytes; lock.unlock()
            throw error
        }
    }

    func recycle(_ storage: AnyObject, count: Int) {
        lock.lock()
        free[count, default: []].append(storage)
        bytesInUse -= count * MemoryLayout<Float>.stride
        lock.unlock()
    }

    /// Counters now, for `aekit bench train`.
    var statistics: MemoryStatistics {
        lock.lock(); defer { lock.unlock() }
        return MemoryStatistics(bytesInUse: bytesInUse, peakBytesInUse: peakBytesInUse,
                                bytesAllocated: bytesAllocated)
    }
}

/// Device memory counters of a backend.
public struct MemoryStatistics: Sendable, Codable {
    /// Bytes held by live buffers.
    public var bytesInUse: Int
    /// The most bytes live buffers ever held at once.
    public var peakBytesInUse: Int
    /// Bytes obtained from the device (live or in the free list).
    public var bytesAllocated: Int
}
