@testable import Compute
import Foundation
import Synchronization
import Testing

/// The CPU backend's chunked loops: every chunk runs once, and no result depends on how many
/// threads ran them.
@Suite struct ParallelTests {
    @Test(arguments: [(1, 1), (7, 1), (7, 3), (64, 2), (3, 8)])
    func everyChunkRunsOnceOnAKnownWorker(_ chunks: Int, _ workers: Int) {
        let runs = Mutex([Int](repeating: 0, count: chunks))
        let workersSeen = Mutex(Set<Int>())
        runChunks(chunks, workers: workers) { worker, c in
            runs.withLock { $0[c] += 1 }
            workersSeen.withLock { _ = $0.insert(worker) }
        }
        #expect(runs.withLock { $0 } == Array(repeating: 1, count: chunks))
        #expect(workersSeen.withLock { $0 }.isSubset(of: Set(0..<min(workers, chunks))))
    }

    /// The same op on backends of 1, 2 and 3 threads, over sizes that are cut into many chunks.
    private func sameOnEveryThreadCount(_ op: (CPUBackend) throws -> [Float]) throws {
        let results = try [1, 2, 3].map { try op(CPUBackend(threads: ThreadBudget(count: $0, source: .option))) }
        for (threads, result) in zip([2, 3], results.dropFirst()) {
            let differing = zip(results[0], result).filter { $0 != $1 }.count
            #expect(differing == 0, "\(differing) of \(result.count) elements differ between 1 and \(threads) threads")
        }
    }

    @Test func sumsDoNotDependOnThreads() throws {
        var random = SeededRandom(seed: 3)
        let x = random.uniforms(1_000_003), y = random.uniforms(1_000_003)
        try sameOnEveryThreadCount { cpu in
            let a = try cpu.tensor([x.count], values: x), b = try cpu.tensor([y.count], values: y)
            let total = try cpu.tensor([3], filledWith: 0)
            try cpu.sum(a.buffer, scale: 1, into: total.buffer)
            let out = try cpu.tensor([1], filledWith: 0)
            try cpu.squaredDifferenceSum(a.buffer, b.buffer, scale: 1, into: out.buffer)
            return try cpu.download(total.buffer) + cpu.download(out.buffer)
        }
    }

    @Test func convolutionWeightGradientDoesNotDependOnThreads() throws {
        // S4's second convolution at batch 100: cut into runs of samples, a partial sum each.
        let g = ConvGeometry(batch: 100, inChannels: 16, inHeight: 13, inWidth: 13,
                             outChannels: 32, kernelHeight: 3, kernelWidth: 3)
        #expect(sharedCPU.sampleChunkCount(g) > 3)
        var random = SeededRandom(seed: 4)
        let x = random.uniforms(g.inputCount), dy = random.uniforms(g.outputCount)
        try sameOnEveryThreadCount { cpu in
            let input = try cpu.tensor([g.inputCount], values: x), outputGrad = try cpu.tensor([g.outputCount], values: dy)
            let weightGrad = try cpu.tensor([g.weightCount])
            try cpu.conv2dBackwardWeights(g, input: input.buffer, outputGrad: outputGrad.buffer, weightGrad: weightGrad.buffer)
            return try cpu.download(weightGrad.buffer)
        }
    }

    /// The product cut into blocks of rows (m ≥ n) or of columns (m < n), against a Double loop,
    /// in every transpose case.
    @Test(arguments: [(515, 193, 97), (193, 515, 97)], [(false, false), (false, true), (true, false), (true, true)])
    func blockedGEMMMatchesALoop(_ shape: (Int, Int, Int), _ transposes: (Bool, Bool)) throws {
        let (m, n, k) = shape, (transA, transB) = transposes
        var random = SeededRandom(seed: 5)
        let a = random.uniforms(m * k), b = random.uniforms(k * n), c0 = random.uniforms(m * n)
        let alpha: Float = 0.75, beta: Float = 0.5
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * m + i] : a[i * k + p], y = transB ? b[j * k + p] : b[p * n + j]
                    total += Double(x) * Double(y)
                }
                expected[i * n + j] = Float(Double(alpha) * total + Double(beta) * Double(c0[i * n + j]))
            }
        }
        try sameOnEveryThreadCount { cpu in
            let ta = try cpu.tensor([m * k], values: a), tb = try cpu.tensor([k * n], values: b)
            let tc = try cpu.tensor([m * n], values: c0)
            try cpu.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: ta.buffer, b: tb.buffer, beta: beta, c: tc.buffer)
            let c = try cpu.download(tc.buffer)
            let worst = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4, "gemm \(m)x\(n)x\(k) transA \(transA) transB \(transB): off by \(worst)")
            return c
        }
    }
}
