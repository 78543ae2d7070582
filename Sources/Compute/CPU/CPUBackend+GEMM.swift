import COpenBLAS

extension CPUBackend {
    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        try checkGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
        try sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                  a: pointer(a), b: pointer(b), beta: beta, c: pointer(c))
    }

    /// Row-major `cblas_sgemm` on raw pointers (the convolutions call it on slices).
    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float,
               c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(transA ? m : k), b, blasint(transB ? k : n),
                    beta, c, blasint(n))
    }
}

extension Backend {
    func checkGEMM(m: Int, n: Int, k: Int, a: Buffer, b: Buffer, c: Buffer) throws {
        try require(m > 0 && n > 0 && k > 0, "gemm sizes m=\(m) n=\(n) k=\(k) must be positive")
        try require(a.count >= m * k, "gemm: A has \(a.count) elements, needs \(m)x\(k)")
        try require(b.count >= k * n, "gemm: B has \(b.count) elements, needs \(k)x\(n)")
        try require(c.count >= m * n, "gemm: C has \(c.count) elements, needs \(m)x\(n)")
    }
}
