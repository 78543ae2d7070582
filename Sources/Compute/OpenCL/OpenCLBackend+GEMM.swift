extension OpenCLBackend {
    /// GEMM kernels: `tiled` (local-memory tiles, register blocking) or `direct` (one work-item
    /// per element); `auto` picks by shape.
    public enum GEMMKernel: String, CaseIterable, Sendable { case auto, tiled, direct }

    /// Tile sizes of gemm.cl's tiled kernel (its defaults unless built with other -D options).
    var gemmTile: (m: Int, n: Int, wptm: Int, wptn: Int) {
        let options = buildOptions["gemm"] ?? ""
        func value(_ name: String, _ fallback: Int) -> Int {
            guard let range = options.range(of: "-D\(name)=") else { return fallback }
            return Int(options[range.upperBound...].prefix { $0.isNumber }) ?? fallback
        }
        return (value("TSM", 64), value("TSN", 64), value("WPTM", 4), value("WPTN", 4))
    }

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
        let tile = gemmTile
        // A tile left mostly empty wastes its work-group: below one tile of C the direct kernel wins.
        let useTiled = kernel == .tiled || (kernel == .auto && m >= tile.m / 2 && n >= tile.n / 2 && k >= 16)
        if useTiled {
            let local = [tile.n / tile.wptn, tile.m / tile.wptm]
            let groups = [(n + tile.n - 1) / tile.n, (m + tile.m - 1) / tile.m]
            try launch("gemm", "gemm_tiled_\(suffix)", global: [groups[0] * local[0], groups[1] * local[1]],
                       local: local, arguments)
        } else {
            try launch("gemm", "gemm_direct_\(suffix)", global: [n, m], local: nil, arguments)
        }
    }
}
