extension OpenCLBackend {
    /// GEMM kernels (gemm.cl): `tiled` (local-memory tiles, register blocking: for GPUs),
    /// `direct` (one work-item per element: small shapes on GPUs), `vector` (explicit vectors,
    /// no barriers: for OpenCL devices that are CPUs). `auto` picks by the kernel
    /// policy (by default, the device's type) and the shape.
    public enum GEMMKernel: String, CaseIterable, Sendable { case auto, tiled, direct, vector }


    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        try gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b,
                 beta: beta, c: c, kernel: .auto)
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: Buffer,
                     b: Buffer, beta: Float, c: Buffer, kernel: GEMMKernel) throws {
        try checkGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
        let suffix = (transA ? "t" : "n") + (transB ? "t" : "n")
        let arguments: [Argument] = [.int(m), .int(n), .int(k), .float(alpha), .buffer(a), .buffer(b),
                                     .float(beta), .buffer(c)]
        if kernel == .vector || (kernel == .auto && !choosesForGPU) {
            try gemmVector(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
            return
        }
        let tile = constants.gemmTile
        let local = [tile.n / tile.wptn, tile.m / tile.wptm]
        // A tile left mostly empty wastes its work-group: below one tile of C the direct kernel
        // wins. So does a device that cannot run the tile's work-group (Mesa's llvmpipe runs a
        // kernel with barriers in groups of at most 32; the default tile needs 256).
        var useTiled = kernel == .tiled
        if kernel == .auto && m >= tile.m / 2 && n >= tile.n / 2 && k >= tile.k {
            useTiled = try fittedGroup("gemm", "gemm_tiled_\(suffix)", preferred: local) == local
        }
        if useTiled {
            let groups = [(n + tile.n - 1) / tile.n, (m + tile.m - 1) / tile.m]
            try launch("gemm", "gemm_tiled_\(suffix)", global: [groups[0] * local[0], groups[1] * local[1]],
                       local: local, arguments)
        } else {
            try launch("gemm", "gemm_direct_\(suffix)", global: [n, m], local: nil, arguments)
        }
    }

    /// The vector kernel, one launch whatever the transposes (it reads a transposed B in place).
    private func gemmVector(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        let block = constants.vectorBlock
        // An explicit work-group of a few row blocks: left to choose, PoCL made the whole grid
        // one work-group (one core) when its row count was prime (784 / 6 -> 131 blocks).
        try launch("gemm", "gemm_vector_\(transA ? "t" : "n")\(transB ? "t" : "n")",
                   global: [(n + block.columns - 1) / block.columns, (m + block.rows - 1) / block.rows],
                   local: [1, block.groupRows],
                   [.int(m), .int(n), .int(k), .float(alpha), .buffer(a), .buffer(b), .float(beta), .buffer(c)])
    }
}
