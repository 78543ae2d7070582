/// The kernels' tuning constants, each written once: the host sizes its launches with them, and
/// every program is built with them as `-D` options (`buildOptions`), so no `.cl` file holds a
/// value of its own that could disagree. They are CLBlast's vocabulary: work-group sizes, tile
/// sizes (MWG/NWG/KWG) and work per item (MWI/NWI).
enum KernelConstants {
    /// bias.cl `BIAS_WG`: the work-group that sums one channel in `bias_gradient` (a power of two).
    static let biasGroup = 256
    /// reduce.cl `REDUCE_WG`: the work-group of every reduction pass (a power of two).
    static let reduceGroup = 256
    /// conv.cl `CONV_WG`: the work-group that sums one weight in `conv2d_backward_weights`
    /// (a power of two).
    static let convWeightGroup = 128
    /// gemm.cl's tiled kernel: a work-group computes `m` x `n` of C (`TSM`, `TSN`), walking K in
    /// slices of `k` (`TSK`); each work-item keeps `wptm` x `wptn` of C in registers (`WPTM`,
    /// `WPTN`).
    static let gemmTile = (m: 64, n: 64, k: 16, wptm: 4, wptn: 4)
    /// gemm.cl's vector kernel: each work-item computes `rows` x `columns` of C (`VR`, `VW`;
    /// `VW` is an OpenCL vector width: 2, 4, 8 or 16).
    static let vectorBlock = (rows: 6, columns: 16)

    /// The `-D` options every program is built with (part of the program cache's key).
    static var buildOptions: String {
        let defines: [(String, Int)] = [
            ("BIAS_WG", biasGroup), ("REDUCE_WG", reduceGroup), ("CONV_WG", convWeightGroup),
            ("TSM", gemmTile.m), ("TSN", gemmTile.n), ("TSK", gemmTile.k),
            ("WPTM", gemmTile.wptm), ("WPTN", gemmTile.wptn),
            ("VR", vectorBlock.rows), ("VW", vectorBlock.columns),
        ]
        return defines.map { "-D \($0.0)=\($0.1)" }.joined(separator: " ")
    }
}
