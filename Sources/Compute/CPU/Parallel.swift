import Foundation

// The CPU backend's loops over large buffers run in contiguous chunks, one per core, when the
// loop is large enough to pay for the threads; `grain` is the smallest chunk worth a thread.

/// How many chunks `0..<count` is cut into.
private func chunkCount(_ count: Int, grain: Int) -> Int {
    min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / grain))
}

/// Chunk `index` of `chunks` equal (to within one) contiguous ranges of `0..<count`.
private func chunk(_ index: Int, of chunks: Int, _ count: Int) -> Range<Int> {
    (index * count / chunks)..<((index + 1) * count / chunks)
}

/// Runs `body` over `0..<count`, a chunk per core.
func parallelChunks(_ count: Int, grain: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let chunks = chunkCount(count, grain: grain)
    if chunks <= 1 { body(0..<count); return }
    // Each chunk touches its own range of the buffers `body` captured.
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: chunks) { body(chunk($0, of: chunks, count)) }
}

/// Σ over `0..<count` of `partial(range)`, a chunk per core; the chunks' sums are added in
/// order, so the result does not depend on which thread finished first.
func parallelSum(_ count: Int, grain: Int = 1 << 15, _ partial: (Range<Int>) -> Double) -> Double {
    let chunks = chunkCount(count, grain: grain)
    if chunks <= 1 { return partial(0..<count) }
    var sums = [Double](repeating: 0, count: chunks)
    sums.withUnsafeMutableBufferPointer { sums in
        // Each chunk writes only its own slot.
        nonisolated(unsafe) let (sums, partial) = (sums, partial)
        DispatchQueue.concurrentPerform(iterations: chunks) { sums[$0] = partial(chunk($0, of: chunks, count)) }
    }
    return sums.reduce(0, +)
}
