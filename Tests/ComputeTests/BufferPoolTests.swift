@testable import Compute
import Foundation
import Testing

/// The free list's three rules (`BufferPool`): an idle bound, ageing, and the capacity, on both
/// backends with their memory lowered so the rules are reached with small buffers.
@Suite struct BufferPoolTests {
    static let mebibyte = 1 << 20
    static let floatsPerMebibyte = mebibyte / MemoryLayout<Float>.stride

    static func backends(capacity: Int) throws -> [any Backend] {
        [CPUBackend(memoryCapacity: capacity),
         try OpenCLBackend(device: openCL().device, cacheDirectory: nil, memoryCapacity: capacity)]
    }

    /// Every byte obtained is either held by a live buffer or idle, and idle ones stay bounded.
    static func checkBalanced(_ backend: any Backend) {
        let memory = backend.memoryStatistics
        #expect(memory.bytesAllocated == memory.bytesInUse + memory.bytesIdle, "\(backend.name): \(memory)")
        #expect(memory.bytesIdle <= memory.idleLimit, "\(backend.name): \(memory)")
    }

    @Test func idleMemoryStaysWithinTheBound() throws {
        // 64 MiB of device: at most 8 MiB idle. "Training" holds six 1 MiB buffers, then an
        // "evaluation" four of 2 MiB: kept for ever, the two phases would leave 14 MiB idle.
        for backend in try Self.backends(capacity: 64 * Self.mebibyte) {
            var held = try (0..<6).map { i in try backend.makeBuffer(count: Self.floatsPerMebibyte + i) }
            held.removeAll()
            #expect(backend.memoryStatistics.bytesIdle > 6 * Self.mebibyte - 1)
            held = try (0..<4).map { i in try backend.makeBuffer(count: 2 * Self.floatsPerMebibyte - 16 - i) }
            held.removeAll()
            Self.checkBalanced(backend)
            let memory = backend.memoryStatistics
            #expect(memory.bytesReleased >= 6 * Self.mebibyte, "\(backend.name): the oldest (training's) sizes go first")
            #expect(memory.bytesIdle >= 7 * Self.mebibyte, "\(backend.name): the newest sizes stay: \(memory)")
        }
    }

    @Test func sizesUnusedForAWhileAreGivenBack() throws {
        let backend = CPUBackend(memoryCapacity: 1 << 30)
        _ = try backend.makeBuffer(count: 1000)  // released at once: idle
        #expect(backend.memoryStatistics.bytesIdle == 4000)
        for _ in 0..<2 * BufferPool.agingTakes {  // another size, over and over (a later phase)
            _ = try backend.makeBuffer(count: 10)
        }
        _ = try backend.makeBuffer(count: 10)
        let memory = backend.memoryStatistics
        #expect(memory.bytesIdle == 40, "only the size in use stays: \(memory)")
        #expect(memory.bytesReleased == 4000)
    }

    @Test func memoryPastTheCapacityIsRefusedByName() throws {
        for backend in try Self.backends(capacity: 16 * Self.mebibyte) {
            let floats = 6 * Self.floatsPerMebibyte
            var first: Buffer? = try backend.makeBuffer(count: floats)
            let second = try backend.makeBuffer(count: floats + 1)
            #expect(throws: ComputeError.self) { try backend.makeBuffer(count: floats + 2) }
            do {
                _ = try backend.makeBuffer(count: floats + 2)
            } catch {
                let message = "\(error)"
                #expect(message.contains("out of memory on \(backend.name)") && message.contains("smaller batch"), "\(message)")
            }
            Self.checkBalanced(backend)
            first = nil  // its 6 MiB are over the idle bound, so they go back at once
            let third = try backend.makeBuffer(count: floats + 2)
            Self.checkBalanced(backend)
            #expect(backend.memoryStatistics.bytesInUse == 2 * floats * 4 + 12)
            _ = (first, second, third)
        }
    }

    @Test func aRefusedAllocationReleasesTheIdleAndRetriesOnce() throws {
        let pool = BufferPool(capacity: 1 << 30, device: "test")
        final class Storage {}
        let kept = try pool.take(count: 100) { Storage() }
        pool.recycle(kept, count: 100)
        var attempts = 0
        let made = try pool.take(count: 200) {
            attempts += 1
            if attempts == 1 { throw ComputeError.deviceLimit("refused") }
            return Storage()
        }
        #expect(attempts == 2)
        #expect(pool.statistics.bytesIdle == 0 && pool.statistics.bytesReleased == 400)
        pool.recycle(made, count: 200)
        #expect(throws: ComputeError.self) { try pool.take(count: 300) { throw ComputeError.deviceLimit("refused") } }
        #expect(pool.statistics.bytesAllocated == 0 && pool.statistics.bytesInUse == 0, "\(pool.statistics)")
    }
}
