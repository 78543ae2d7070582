import Foundation

/// OpenBLAS' SGEMM on a large square product, the CPU's practical peak for the arithmetic a
/// training step is made of: what `aekit bench sgemm` prints and `scripts/bench-vs-pytorch`
/// divides an epoch's achieved GFLOP/s by ("% of SGEMM"). It runs through the CPU backend's
/// `gemm`, so on several threads it is the backend's own split (one OpenBLAS call per thread).
public enum SGEMMReference {
    public struct Record: Codable, Sendable {
        public var size: Int
        public var threads: Int
        /// The fastest of the timed runs.
        public var gigaflopsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case size, threads
            case gigaflopsPerSecond = "gigaflops_per_second"
        }
    }

    /// C = A·B for n×n matrices on `threads`: one warm-up, then the fastest of `repeats` runs.
    public static func measure(size n: Int = 1024, threads: ThreadBudget, repeats: Int = 5) throws -> Record {
        let backend = CPUBackend(threads: threads)
        var random = SeededRandom(seed: 1)
        let a = try backend.tensor([n, n], values: random.uniforms(n * n)).buffer
        let b = try backend.tensor([n, n], values: random.uniforms(n * n)).buffer
        let c = try backend.makeBuffer(count: n * n)
        var best = Double.infinity
        for run in 0...max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            try backend.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, b: b, beta: 0, c: c)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if run > 0 { best = min(best, seconds) }
        }
        return Record(size: n, threads: threads.count, gigaflopsPerSecond: 2 * Double(n * n * n) / best * 1e-9)
    }
}
