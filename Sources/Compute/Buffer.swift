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

/// A size-keyed free list of device memory, bounded, with the byte counts a benchmark reports.
/// Thread-safe: buffers are created and released from any thread (tests run concurrently).
///
/// A training step asks for the same sizes every time, so keeping a step's storage for the
/// next one stops allocation after the first step. But a run also evaluates, predicts and
/// draws figures at other batch sizes, and every size kept for ever would add up to more than
/// any one phase needs. So the pool gives memory back by three rules:
/// - **Idle bound**: storage in the free list (idle) never exceeds `idleLimit` bytes (an
///   eighth of the device's memory); past it, the storage idle longest is released first.
/// - **Ageing**: storage not taken again within `agingTakes` requests for buffers (thousands:
///   a training step makes a few hundred) is released, so the sizes of a phase that has ended
///   go back even under the bound.
/// - **Capacity**: live and idle storage together stay within `capacity` (the device's memory,
///   or less where a caller says so). A request past it first releases every idle storage; if
///   live buffers alone leave no room, it fails with a message naming the sizes. A device that
///   refuses an allocation the count allowed (another process holds memory) gets the same
///   treatment: everything idle released, then one retry.
///
/// An OpenCL buffer can come back here while a kernel that reads it is still queued. That is
/// safe because the backend's queue is in-order: whatever the next owner enqueues on that
/// memory (a kernel, or a blocking upload) runs after every earlier command has finished. And
/// releasing a `cl_mem` that queued commands still use is safe too: OpenCL frees it when they
/// have completed.
final class BufferPool: @unchecked Sendable {
    /// Bytes of live and idle storage together at most.
    let capacity: Int
    /// Bytes of idle storage at most.
    let idleLimit: Int
    /// The device's name, for messages.
    let device: String
    /// Requests after which idle storage that none of them took is released.
    static let agingTakes = 4096

    private let lock = NSLock()
    /// Idle storage by element count, each with the request count when it came back (the
    /// oldest first).
    private var free: [Int: [(storage: AnyObject, returned: Int)]] = [:]
    private var requests = 0
    private var idleBytes = 0
    private(set) var bytesInUse = 0
    private(set) var peakBytesInUse = 0
    private(set) var bytesAllocated = 0
    private(set) var bytesReleased = 0

    init(capacity: Int, device: String) {
        self.capacity = capacity
        self.idleLimit = capacity / 8
        self.device = device
    }

    private static func bytes(_ count: Int) -> Int { count * MemoryLayout<Float>.stride }

    /// A recycled storage of exactly `count` elements, or one made by `make`.
    func take(count: Int, make: () throws -> AnyObject) throws -> AnyObject {
        let bytes = Self.bytes(count)
        var released: [AnyObject] = []  // freed after the lock: a release may call the driver
        defer { released.removeAll() }
        lock.lock()
        requests += 1
        if requests % (Self.agingTakes / 4) == 0 {
            released += releaseIdle { requests - $0 > Self.agingTakes }
        }
        if let storage = free[count]?.popLast()?.storage {
            if free[count]!.isEmpty { free[count] = nil }
            idleBytes -= bytes
            bytesInUse += bytes
            peakBytesInUse = max(peakBytesInUse, bytesInUse)
            lock.unlock()
            return storage
        }
        if bytesAllocated + bytes > capacity { released += releaseIdle { _ in true } }
        guard bytesAllocated + bytes <= capacity else {
            let live = bytesInUse
            lock.unlock()
            throw ComputeError.deviceLimit("out of memory on \(device): a buffer of \(formatBytes(bytes)) does not fit beside "
                                           + "the \(formatBytes(live)) that live buffers hold, of \(formatBytes(capacity)); "
                                           + "use a smaller batch or model")
        }
        bytesAllocated += bytes
        bytesInUse += bytes
        peakBytesInUse = max(peakBytesInUse, bytesInUse)
        lock.unlock()
        do {
            return try make()
        } catch {
            // The device refused what the count allowed: give it everything idle and try once more.
            lock.lock(); released += releaseIdle { _ in true }; lock.unlock()
            released.removeAll()
            do {
                return try make()
            } catch {
                lock.lock(); bytesInUse -= bytes; bytesAllocated -= bytes; lock.unlock()
                throw error
            }
        }
    }

    func recycle(_ storage: AnyObject, count: Int) {
        let bytes = Self.bytes(count)
        var released: [AnyObject] = []
        lock.lock()
        free[count, default: []].append((storage, requests))
        idleBytes += bytes
        bytesInUse -= bytes
        if idleBytes > idleLimit { released = releaseOldestIdle() }
        lock.unlock()
        released.removeAll()
    }

    /// Removes the idle storage whose return `when` picks (by the request count it came back
    /// at) from the free list and the counts; the caller drops it after unlocking. Call locked.
    private func releaseIdle(when: (Int) -> Bool) -> [AnyObject] {
        var released: [AnyObject] = []
        for (count, entries) in free {
            let kept = entries.filter { !when($0.returned) }
            guard kept.count < entries.count else { continue }
            let gone = entries.count - kept.count
            released += entries.filter { when($0.returned) }.map(\.storage)
            free[count] = kept.isEmpty ? nil : kept
            release(bytes: gone * Self.bytes(count))
        }
        return released
    }

    /// Releases the storage idle longest until the idle bytes are within the bound. Call locked.
    private func releaseOldestIdle() -> [AnyObject] {
        var released: [AnyObject] = []
        while idleBytes > idleLimit,
              let count = free.min(by: { $0.value[0].returned < $1.value[0].returned })?.key {
            released.append(free[count]!.removeFirst().storage)
            if free[count]!.isEmpty { free[count] = nil }
            release(bytes: Self.bytes(count))
        }
        return released
    }

    private func release(bytes: Int) {
        idleBytes -= bytes
        bytesAllocated -= bytes
        bytesReleased += bytes
    }

    /// Counters now, for `aekit bench train`.
    var statistics: MemoryStatistics {
        lock.lock(); defer { lock.unlock() }
        return MemoryStatistics(bytesInUse: bytesInUse, peakBytesInUse: peakBytesInUse,
                                bytesAllocated: bytesAllocated, bytesIdle: idleBytes, bytesReleased: bytesReleased,
                                idleLimit: idleLimit, capacity: capacity)
    }
}

/// Device memory counters of a backend.
public struct MemoryStatistics: Sendable, Codable {
    /// Bytes held by live buffers.
    public var bytesInUse: Int
    /// The most bytes live buffers ever held at once.
    public var peakBytesInUse: Int
    /// Bytes obtained from the device and not yet given back (live or idle).
    public var bytesAllocated: Int
    /// Bytes kept in the free list for the next buffer of their size.
    public var bytesIdle: Int
    /// Bytes given back to the device so far.
    public var bytesReleased: Int
    /// The most bytes the free list keeps (see `BufferPool`).
    public var idleLimit: Int
    /// The most bytes live and idle buffers may hold together.
    public var capacity: Int
}
