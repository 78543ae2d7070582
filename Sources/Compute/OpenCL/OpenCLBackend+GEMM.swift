extension OpenCLBackend {
    /// GEMM kernels (gemm.cl): `tiled` (local-memory tiles, register blocking: for GPUs),
    /// `direct` (one work-item per element: small shapes on GPUs), `vector` (explicit vectors,
    /// no barriers: for OpenCL devices that are CPUs). `auto` picks by the kernel
    /// policy (by default, the device's type) and the shape.
    public enum GEMMKernel: String, CaseIterable, Sendable { case auto, tiled, direct, vector }

    /// One matrix operand of a strided batch: matrix s starts `offset + s · stride` floats into
    /// `buffer` (stride 0: every batch reads the same matrix).
    struct GEMMOperand {
        let buffer: Buffer
        var offset = 0
        var stride = 0
    }

    /// What gemm.cl's epilogue does to each element of C after alpha and beta: add a bias per
    /// row or per column, then an activation and a dropout mask (indexed by the element's
    /// place in C's buffer).
    struct GEMMEpilogue {
        enum Bias: Int { case none = 0, perRow = 1, perColumn = 2 }
        var bias: Buffer?
        var mode = Bias.none
        var activation = ActivationFunction.none
        var dropout: DropoutDraw?
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        try gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b,
                 beta: beta, c: c, kernel: .auto)
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: Buffer,
                     b: Buffer, beta: Float, c: Buffer, kernel: GEMMKernel) throws {
        try checkGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
        try gemmBatched(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: GEMMOperand(buffer: a),
                        b: GEMMOperand(buffer: b), beta: beta, c: GEMMOperand(buffer: c), batches: 1, kernel: kernel)
    }

    public func gemmBiasActivation(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: Buffer, b: Buffer,
                                   bias: Buffer, activation: ActivationFunction, dropout: DropoutDraw?,
                                   c: Buffer) throws {
        try checkGEMMBiasActivation(m: m, n: n, k: k, a: a, b: b, bias: bias, activation: activation, dropout: dropout, c: c)
        try gemmBatched(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: GEMMOperand(buffer: a),
                        b: GEMMOperand(buffer: b), beta: 0, c: GEMMOperand(buffer: c), batches: 1,
                        epilogue: GEMMEpilogue(bias: bias, mode: .perColumn, activation: activation, dropout: dropout))
    }

    /// `batches` products `C_s = epilogue(alpha · op(A_s) · op(B_s) + beta · C_s)` in one launch,
    /// or where `c.stride` is 0 their sum into one C. The convolutions' lowering: every sample
    /// of a chunk at once, NCHW tensors read and written where they lie.
    func gemmBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: GEMMOperand,
                     b: GEMMOperand, beta: Float, c: GEMMOperand, batches: Int, epilogue: GEMMEpilogue? = nil,
                     kernel: GEMMKernel = .auto) throws {
        try require(m > 0 && n > 0 && k > 0 && batches > 0, "gemm sizes m=\(m) n=\(n) k=\(k) batches=\(batches) must be positive")
        for (name, operand, size) in [("A", a, m * k), ("B", b, k * n), ("C", c, m * n)] {
            let end = operand.offset + (batches - 1) * operand.stride + size
            try require(operand.offset >= 0 && operand.stride >= 0 && end <= operand.buffer.count && end < Int(Int32.max),
                        "gemm: \(batches) matrices of \(name) from \(operand.offset) by \(operand.stride) "
                        + "do not fit its \(operand.buffer.count) floats")
        }
        try require(c.stride == 0 || c.stride >= m * n || batches == 1, "gemm: the batch's C matrices overlap")
        let suffix = (transA ? "t" : "n") + (transB ? "t" : "n")
        let epilogue = epilogue ?? GEMMEpilogue()
        let p = epilogue.dropout?.p ?? 0
        let arguments: [Argument] = [
            .int(m), .int(n), .int(k), .float(alpha), .buffer(a.buffer), .int(a.offset), .int(a.stride),
            .buffer(b.buffer), .int(b.offset), .int(b.stride), .float(beta), .buffer(c.buffer), .int(c.offset),
            .int(c.stride), .int(batches), .buffer(epilogue.bias ?? c.buffer), .int(epilogue.mode.rawValue),
        ] + epilogue.activation.kernelArguments + [.float(p), .uint(epilogue.dropout?.key ?? 0), .float(1 / (1 - p))]
        // Separate C matrices are the launch's third dimension; a summed batch is looped over
        // inside each work-item.
        let depth = c.stride != 0 && batches > 1 ? [batches] : []
        if kernel == .vector || (kernel == .auto && !choosesForGPU) {
            let block = constants.vectorBlock
            // An explicit work-group of a few row blocks: left to choose, PoCL made the whole grid
            // one work-group (one core) when its row count was prime (784 / 6 -> 131 blocks).
            try launch("gemm", "gemm_vector_\(suffix)",
                       global: [(n + block.columns - 1) / block.columns, (m + block.rows - 1) / block.rows] + depth,
                       local: [1, block.groupRows] + depth.map { _ in 1 }, arguments)
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
            try launch("gemm", "gemm_tiled_\(suffix)", global: [groups[0] * local[0], groups[1] * local[1]] + depth,
                       local: local + depth.map { _ in 1 }, arguments)
        } else {
            try launch("gemm", "gemm_direct_\(suffix)", global: [n, m] + depth, local: nil, arguments)
        }
    }
}
