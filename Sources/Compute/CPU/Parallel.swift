import Foundation
import Synchronization

// The CPU backend's loops over large buffers run as many chunks, which the backend's threads
// claim one at a time until none is left.
//
// Why not one equal chunk per core: on a shared machine a thread can lose its core for a whole
// time slice (milliseconds, longer than most ops), and every op then waits for it. With many
// chunks, the threads that do run take the chunks the stalled one would have had, and the op
// waits for at most one chunk. `aekit bench train` beside a busy process shows the difference
// (scripts/bench-contention).
//
// Where chunks are cut depends only on the loop's size, never on the thread count, so every
// result, sums included, is the same whatever `--threads` says.

/// The smallest chunk of a memory-bound loop worth handing to a thread (elements).
let parallelGrain = 1 << 15

/// Chunk `index` of `chunks` equal (to within one) contiguous ranges of `0..<count`.
@inline(__always)
func chunk(_ index: Int, of chunks: Int, _ count: Int) -> Range<Int> {
    (index * count / chunks)..<((index + 1) * count / chunks)
}

/// The next chunk index to hand out; shared by the threads of one parallel loop.
private final class ChunkCounter: Sendable {
    private let next = Atomic<Int>(0)
    func claim() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Runs `body(worker, chunk)` once for every chunk in `0..<chunks`, on at most `workers`
/// threads (the caller's among them). `worker` is in `0..<min(workers, chunks)` and no two
/// threads have the same one at once, so it can index per-thread scratch memory.
func runChunks(_ chunks: Int, workers: Int, _ body: (_ worker: Int, _ chunk: Int) -> Void) {
    let threads = min(workers, chunks)
    CPUBackend.flushSubnormals()
    if threads <= 1 {
        for c in 0..<chunks { body(0, c) }
        return
    }
    let counter = ChunkCounter()
    // `body` writes only what its chunk owns (or its worker's scratch).
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
        // Dispatch's pool threads are not ours to have set up.
        CPUBackend.flushSubnormals()
        while true {
            let c = counter.claim()
            if c >= chunks { return }
            body(worker, c)
        }
    }
}

extension CPUBackend {
    /// Runs `body` over `0..<count` in chunks of at least `grain` elements, across the
    /// backend's threads.
    func parallelChunks(_ count: Int, grain: Int = parallelGrain, _ body: (Range<Int>) -> Void) {
        let chunks = max(1, count / max(grain, 1))
        runChunks(chunks, workers: threads.count) { _, c in body(chunk(c, of: chunks, count)) }
    }

    /// Σ over `0..<count` of `partial(range)` in chunks of at least `grain` elements; the
    /// chunks' sums are added in order, so the result does not depend on the threads.
    func parallelSum(_ count: Int, grain: Int = parallelGrain, _ partial: (Range<Int>) -> Double) -> Double {
        let chunks = max(1, count / max(grain, 1))
        if chunks == 1 { return partial(0..<count) }
        var sums = [Double](repeating: 0, count: chunks)
        sums.withUnsafeMutableBufferPointer { sums in
            // Each chunk writes only its own slot.
            nonisolated(unsafe) let sums = sums
            runChunks(chunks, workers: threads.count) { _, c in sums[c] = partial(chunk(c, of: chunks, count)) }
        }
        return sums.reduce(0, +)
    }
}
