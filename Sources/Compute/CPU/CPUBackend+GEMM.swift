import COpenBLAS

// One product is cut into blocks of rows (or columns) of C, each an OpenBLAS call on one
// thread, claimed by the backend's threads as `Parallel.swift` describes. Every element of C
// is still one OpenBLAS dot product over all of k, so the cut changes no result.

/// The fewest multiply-adds worth a block of its own (about 0.1 ms on one core).
private let gemmBlockWork = 1 << 22

/// The fewest rows (or columns) in a block: OpenBLAS packs the other operand again for every
/// block, which a thin block does not repay.
private let gemmBlockWidth = 64

/// Blocks per thread: enough that a thread that loses its core holds up little of the product.
private let gemmBlocksPerThread = 4

extension CPUBackend {
    /// The GEMM, then `biasActivationForward` over C: OpenBLAS has no epilogue.
    public func gemmBiasActivation(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: Buffer, b: Buffer, bias: Buffer,
                                   activation: ActivationFunction, dropout: DropoutDraw?, c: Buffer) throws {
        try checkGEMMBiasActivation(m: m, n: n, k: k, a: a, b: b, bias: bias, activation: activation, dropout: dropout, c: c)
        try gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0, c: c)
        try biasActivationForward(c, bias: bias, channels: n, inner: 1, activation: activation, dropout: dropout, output: c)
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        try checkGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
        let a = try pointer(a), b = try pointer(b), c = try pointer(c)
        let blocks = max(1, min(gemmBlocksPerThread * threads.count, max(m, n) / gemmBlockWidth,
                                m * n * k / gemmBlockWork))
        // Row-major: A is m×k (k×m when transposed), B is k×n (n×k), C is m×n.
        let lda = transA ? m : k, ldb = transB ? k : n
        if m >= n {
            runChunks(blocks, workers: threads.count) { _, block in
                let rows = chunk(block, of: blocks, m)
                sgemm(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
                      a: a + (transA ? rows.lowerBound : rows.lowerBound * lda), lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * n, ldc: n)
            }
        } else {
            runChunks(blocks, workers: threads.count) { _, block in
                let columns = chunk(block, of: blocks, n)
                sgemm(transA: transA, transB: transB, m: m, n: columns.count, k: k, alpha: alpha,
                      a: a, lda: lda, b: b + (transB ? columns.lowerBound * ldb : columns.lowerBound), ldb: ldb,
                      beta: beta, c: c + columns.lowerBound, ldc: n)
            }
        }
    }

    /// Row-major `cblas_sgemm` on the calling thread, on raw pointers; leading dimensions
    /// default to those of whole, packed matrices (the convolutions call it on slices).
    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda ?? (transA ? m : k)), b, blasint(ldb ?? (transB ? k : n)),
                    beta, c, blasint(ldc ?? n))
    }
}
