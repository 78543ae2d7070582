/// The kernels' tuning constants, each written once: the host sizes its launches with them, and
/// every program is built with them as `-D` options (`buildOptions`), so no `.cl` file holds a
/// value of its own that could disagree. They are CLBlast's vocabulary: work-group sizes, tile
/// sizes (MWG/NWG/KWG) and work per item (MWI/NWI). Each `OpenCLBackend` has its own set: the
/// defaults, or what `aekit tune` found best for its device (`TunedConstants`).
public struct KernelConstants: Codable, Sendable, Equatable, CustomStringConvertible {
    /// gemm.cl's tiled kernel: a work-group computes `m` x `n` of C (`TSM`, `TSN`), walking K
    /// in slices of `k` (`TSK`); each work-item keeps `wptm` x `wptn` of C in registers (`WPTM`,
    /// `WPTN`), so a work-group has (m / wptm) x (n / wptn) work-items.
    public struct GEMMTile: Codable, Sendable, Equatable {
        public var m, n, k, wptm, wptn: Int
    }

    /// gemm.cl's vector kernel: each work-item computes `rows` x `columns` of C (`VR`, `VW`;
    /// `VW` is an OpenCL vector width: 2, 4, 8 or 16), in work-groups of `groupRows` row blocks.
    public struct VectorBlock: Codable, Sendable, Equatable {
        public var rows, columns, groupRows: Int
    }

    /// The work-group that sums one channel in bias.cl's `bias_gradient` (a power of two; at
    /// launch, halved while the kernel on its device allows fewer work-items).
    public var biasGroup = 256
    /// The work-group of every reduction pass in reduce.cl (likewise).
    public var reduceGroup = 256
    /// The work-group that sums one weight in conv.cl's `conv2d_backward_weights` (likewise).
    public var convWeightGroup = 128
    public var gemmTile = GEMMTile(m: 64, n: 64, k: 16, wptm: 4, wptn: 4)
    public var vectorBlock = VectorBlock(rows: 6, columns: 16, groupRows: 8)
    /// `auto` runs a convolution through im2col + GEMM from this many output channels up, with
    /// the direct kernels below it (`OpenCLBackend.convolutionAlgorithm`).
    public var im2colMinChannels = 4

    public init() {}

    /// The work-group of a kernel whose launch sets none, on a GPU: 256 work-items (8 warps),
    /// 16 x 16 in two dimensions. Every such kernel checks its index against its size, so the
    /// global size is rounded up to a whole number of groups.
    public static func gpuGroup(dimensions: Int) -> [Int] { dimensions == 1 ? [256] : [16, 16] + Array(repeating: 1, count: max(0, dimensions - 2)) }

    /// What AEKit uses where no tuning has been stored.
    public static let defaults = KernelConstants()

    /// Whether every constant is one the kernels can be built with (a tuning file read from
    /// disk may hold anything): positive, work-groups powers of two, tiles whole multiples of
    /// their work per item, and bounded so no launch size computed from them overflows.
    public var isSound: Bool {
        let powerOfTwo = { (v: Int) in (1...4096).contains(v) && v & (v - 1) == 0 }
        let small = 1...256
        return powerOfTwo(biasGroup) && powerOfTwo(reduceGroup) && powerOfTwo(convWeightGroup)
            && [gemmTile.m, gemmTile.n, gemmTile.k, gemmTile.wptm, gemmTile.wptn].allSatisfy(small.contains)
            && gemmTile.m % gemmTile.wptm == 0 && gemmTile.n % gemmTile.wptn == 0
            && [2, 4, 8, 16].contains(vectorBlock.columns) && small.contains(vectorBlock.rows)
            && small.contains(vectorBlock.groupRows) && (0...1 << 20).contains(im2colMinChannels)
    }

    /// The `-D` options every program is built with (part of the program cache's key).
    public var buildOptions: String {
        // The summing kernels' work-groups (biasGroup, …) are chosen at launch, not built in.
        let defines: [(String, Int)] = [
            ("TSM", gemmTile.m), ("TSN", gemmTile.n), ("TSK", gemmTile.k),
            ("WPTM", gemmTile.wptm), ("WPTN", gemmTile.wptn),
            ("VR", vectorBlock.rows), ("VW", vectorBlock.columns),
        ]
        return defines.map { "-D \($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// "tiled 64x64x16 / 4x4, vector 6x16 / 8, im2col from 4 channels"
    public var description: String {
        "tiled \(gemmTile.m)x\(gemmTile.n)x\(gemmTile.k) / \(gemmTile.wptm)x\(gemmTile.wptn), "
            + "vector \(vectorBlock.rows)x\(vectorBlock.columns) / \(vectorBlock.groupRows), "
            + "im2col from \(im2colMinChannels) channels"
    }
}
