import CPUKernels
import Foundation

// Convolution two ways, both one sample at a time, samples split into runs claimed by the
// backend's threads (each thread with its own scratch buffer):
//
// - lowered: im2col + one OpenBLAS GEMM per sample. The sample's patches become the columns of
//   a [C·kh·kw, outH·outW] matrix, so forward is W·col, backward-data is Wᵀ·dy scattered back
//   (col2im), and backward-weights is dy·colᵀ summed over samples (`Sources/CPUKernels/im2col.c`).
// - direct: the definition's loops, vectorised along output rows, for stride 1 and kernels up
//   to 3 wide (`Sources/CPUKernels/conv_direct.c`). Backward-data is then a forward convolution
//   of dy with the flipped filters.
//
// `.automatic` takes the direct loops where they run and the layer has fewer than 16 output
// channels, which is where a GEMM of that many rows is thinnest; backward-data also where it has
// fewer than 16 input channels, the planes its direct form (a forward convolution from dy to
// dx) writes: for conv-keras' 8 → 16 layer on 16 × 16 planes, direct 0.77 ms against lowered 1.63 ms
// (a C harness calling both, one thread, 100 samples; 1.12× at 1 → 16 on 28 × 28, and at conv-linear's
// 16 → 32, which stays lowered). Measured side by side with
// `aekit bench kernels --device cpu --only conv` (2-core AMD EPYC, AVX2, batch 100): direct was
// 4–7× faster than lowered in all three passes of conv-keras' 16 → 1 output layer and 1.3–2.5× at 16 →
// 8; from 16 output channels up it gained at most 1.27× (one input channel) and lost up to 1.8×
// (conv-linear's 16 → 32 weight gradient, whose GEMM is a well-shaped 32 × 144, K = 121). There the
// lowered products also keep the summation order of every earlier build: conv-linear, whose layers all
// have 16 or 32 output channels, trains with Adam, which amplifies a reordered sum (its test
// loss after one epoch moved by 5e-3 with direct loops).
//
// Lowering several samples into one product (fewer, wider GEMMs) was tried and measured: no
// faster at the presets' shapes once im2col itself was fast (conv-linear 2.1 s against 1.9–2.1 s per
// 20 000 images), and it changed every weight gradient's summation order.

/// How the CPU backend computes a convolution.
public enum ConvolutionAlgorithm: String, CaseIterable, Sendable {
    /// Direct where the shape allows it and the layer has fewer than 16 output channels (for
    /// backward-data: output or input channels), else lowered.
    case automatic
    /// im2col and an OpenBLAS GEMM per sample, at every shape.
    case lowered
    /// The direct loops where the shape allows it (stride 1, kernel width <= 3), else lowered.
    case direct

    /// Whether the direct loops can compute convolutions of this shape.
    public static func directRuns(_ g: ConvGeometry) -> Bool {
        g.strideH == 1 && g.strideW == 1 && g.kernelWidth <= 3
    }

    /// Whether this choice computes the forward pass and the weight gradient of convolutions
    /// of shape `g` with the direct loops.
    public func isDirect(_ g: ConvGeometry) -> Bool { takesDirect(g, fewChannels: g.outChannels < 16) }

    /// Whether it computes their input gradient with the direct loops: a forward convolution
    /// from dy's `outChannels` planes to dx's `inChannels`, direct where either is under 16.
    public func isDirectBackwardData(_ g: ConvGeometry) -> Bool {
        takesDirect(g, fewChannels: min(g.inChannels, g.outChannels) < 16)
    }

    private func takesDirect(_ g: ConvGeometry, fewChannels: Bool) -> Bool {
        switch self {
        case .lowered: false
        case .direct: Self.directRuns(g)
        case .automatic: Self.directRuns(g) && fewChannels
        }
    }
}

extension CPUBackend {
    public func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        try convolve(g, input: input, weight: weight, output: output, epilogue: nil)
    }

    public func conv2dBiasActivationForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, bias: Buffer,
                                            activation: ActivationFunction, dropout: DropoutDraw?, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        try checkBiasActivation([output], bias: bias, channels: g.outChannels, inner: g.outHeight * g.outWidth,
                                activation: activation, dropout: dropout)
        try convolve(g, input: input, weight: weight, output: output, epilogue: (try pointer(bias), activation, dropout))
    }

    /// The forward pass, each sample's output then going through `bias_activation_forward`
    /// (where there is an epilogue) while it is still in cache.
    private func convolve(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer,
                          epilogue: (bias: UnsafeMutablePointer<Float>, activation: ActivationFunction, dropout: DropoutDraw?)?) throws {
        let x = try pointer(input), w = try pointer(weight), y = try pointer(output)
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, cols = g.outHeight * g.outWidth
        let direct = convolution.isDirect(g)
        forEachSampleChunk(g, columns: direct ? directScratch(g) : rows * cols) { _, samples, scratch in
            for n in samples {
                let sample = x + n * g.inChannels * g.inHeight * g.inWidth, out = y + n * g.outChannels * cols
                if direct {
                    runDirect(conv2d_forward_direct, g, sample, w, out, scratch)
                } else {
                    im2col(g, sample, scratch)
                    sgemm(transA: false, transB: false, m: g.outChannels, n: cols, k: rows, alpha: 1,
                          a: w, b: scratch, beta: 0, c: out)
                }
                if let (bias, activation, dropout) = epilogue {
                    bias_activation_forward(out, bias, out, 1, Int64(g.outChannels), Int64(cols), activation.kind.rawValue,
                                            activation.alpha, activation.beta, dropout?.p ?? 0, dropout?.key ?? 0,
                                            Int64(n * g.outChannels * cols))
                }
            }
        }
    }

    public func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer,
                                   inputGrad: Buffer) throws {
        try checkConv(g, input: inputGrad, weight: weight, output: outputGrad)
        let dy = try pointer(outputGrad), w = try pointer(weight), dx = try pointer(inputGrad)
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, cols = g.outHeight * g.outWidth
        let plane = g.inChannels * g.inHeight * g.inWidth
        if convolution.isDirectBackwardData(g) {
            let flipped = UnsafeMutablePointer<Float>.allocate(capacity: g.weightCount)
            defer { flipped.deallocate() }
            conv2d_flip_weights(w, flipped, Int64(g.outChannels), Int64(g.inChannels), Int64(g.kernelHeight), Int64(g.kernelWidth))
            forEachSampleChunk(g, columns: backwardDataScratch(g)) { _, samples, scratch in
                for n in samples {
                    runDirect(conv2d_backward_data_direct, g, dy + n * g.outChannels * cols, flipped, dx + n * plane, scratch)
                }
            }
            return
        }
        forEachSampleChunk(g, columns: rows * cols) { _, samples, col in
            for n in samples {
                sgemm(transA: true, transB: false, m: rows, n: cols, k: g.outChannels, alpha: 1,
                      a: w, b: dy + n * g.outChannels * cols, beta: 0, c: col)
                (dx + n * plane).update(repeating: 0, count: plane)
                col2im(g, col, dx + n * plane)
            }
        }
    }

    public func conv2dBackwardWeights(_ g: ConvGeometry, input: Buffer, outputGrad: Buffer,
                                      weightGrad: Buffer) throws {
        try checkConv(g, input: input, weight: weightGrad, output: outputGrad)
        let x = try pointer(input), dy = try pointer(outputGrad), dw = try pointer(weightGrad)
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, cols = g.outHeight * g.outWidth
        let chunks = sampleChunkCount(g)
        // One partial sum per chunk, folded in chunk order at the end: no two threads write one
        // weight, and the sums do not depend on the thread count.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * g.weightCount)
        defer { partials.deallocate() }
        let direct = convolution.isDirect(g)
        if direct { partials.initialize(repeating: 0, count: chunks * g.weightCount) }
        forEachSampleChunk(g, columns: direct ? directScratch(g) : rows * cols) { chunk, samples, scratch in
            for n in samples {
                let sample = x + n * g.inChannels * g.inHeight * g.inWidth, partial = partials + chunk * g.weightCount
                if direct {
                    runDirect(conv2d_backward_weights_direct, g, sample, dy + n * g.outChannels * cols, partial, scratch)
                } else {
                    // The run's first product writes its partial sum (beta 0, the bits of adding
                    // it to zeros), so the partials need no clearing: at conv-linear's and conv-batchnorm's
                    // widths they are 53–100 copies of the weights, megabytes a call.
                    im2col(g, sample, scratch)
                    sgemm(transA: false, transB: true, m: g.outChannels, n: rows, k: cols, alpha: 1,
                          a: dy + n * g.outChannels * cols, b: scratch, beta: n == samples.lowerBound ? 0 : 1, c: partial)
                }
            }
        }
        // The fold, a slice of the weights a task; each weight's parts still added in chunk order.
        parallelChunks(g.weightCount, grain: max(1, parallelGrain / max(chunks, 1))) { range in
            add_parts(dw + range.lowerBound, partials + range.lowerBound, Int64(chunks), Int64(range.count),
                      Int64(g.weightCount))
        }
    }

    /// How many runs of samples the batch is cut into: each worth about a million multiply-adds,
    /// at most one per sample, and few enough that backward-weights' partial sums (one per run)
    /// stay under 64 MiB. Not the thread count, so results do not depend on it.
    func sampleChunkCount(_ g: ConvGeometry) -> Int {
        let byWork = g.multiplyAdds >> 20
        let byMemory = (1 << 24) / max(g.weightCount, 1)
        return max(1, min(byWork, g.batch, byMemory))
    }

    /// Cuts the batch into `sampleChunkCount` contiguous runs, claimed by the backend's threads;
    /// `body` gets the run's index, its samples and its thread's scratch column buffer of
    /// `columns` floats.
    private func forEachSampleChunk(_ g: ConvGeometry, columns: Int,
                                    _ body: (Int, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let chunks = sampleChunkCount(g), workers = min(threads.count, chunks)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: workers * columns)
        defer { scratch.deallocate() }
        runChunks(chunks, workers: workers) { worker, c in
            body(c, chunk(c, of: chunks, g.batch), scratch + worker * columns)
        }
    }

    /// One of `conv_direct.c`'s per-sample functions, which all take (two inputs, the output,
    /// scratch) and then the geometry in one order.
    private typealias DirectPass = (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                    UnsafeMutablePointer<Float>?, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                                    Int64, Int64, Int64) -> Void

    private func runDirect(_ pass: DirectPass, _ g: ConvGeometry, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ out: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>) {
        pass(a, b, out, scratch, Int64(g.inChannels), Int64(g.inHeight), Int64(g.inWidth), Int64(g.outChannels),
             Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.padH), Int64(g.padW), Int64(g.outHeight),
             Int64(g.outWidth))
    }

    /// Floats of scratch one sample's direct forward or backward-weights needs.
    private func directScratch(_ g: ConvGeometry) -> Int {
        Int(conv2d_direct_scratch(Int64(g.inChannels), Int64(g.inHeight), Int64(g.inWidth), Int64(g.outChannels),
                                  Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.padH), Int64(g.padW),
                                  Int64(g.outHeight), Int64(g.outWidth)))
    }

    /// The same for direct backward-data: a forward convolution from dy's planes to dx's.
    private func backwardDataScratch(_ g: ConvGeometry) -> Int {
        Int(conv2d_direct_scratch(Int64(g.outChannels), Int64(g.outHeight), Int64(g.outWidth), Int64(g.inChannels),
                                  Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.kernelHeight - 1 - g.padH),
                                  Int64(g.kernelWidth - 1 - g.padW), Int64(g.inHeight), Int64(g.inWidth)))
    }

    /// Patches of one sample `[C, H, W]` into `col[(c·kh + i)·kw + j][oh·OW + ow]`, zero outside.
    private func im2col(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        CPUKernels.im2col(x, col, Int64(g.inChannels), Int64(g.inHeight), Int64(g.inWidth),
                          Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.strideH), Int64(g.strideW),
                          Int64(g.padH), Int64(g.padW), Int64(g.outHeight), Int64(g.outWidth))
    }

    /// The adjoint of `im2col`: adds each column entry back into the pixel it came from.
    private func col2im(_ g: ConvGeometry, _ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        CPUKernels.col2im(col, x, Int64(g.inChannels), Int64(g.inHeight), Int64(g.inWidth),
                          Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.strideH), Int64(g.strideW),
                          Int64(g.padH), Int64(g.padW), Int64(g.outHeight), Int64(g.outWidth))
    }
}

extension CPUBackend {
    /// `conv2dForward` by its definition, plain loops over host arrays, summed in Double: what the
    /// direct and lowered algorithms are checked against.
    public static func conv2dForwardDefinition(_ g: ConvGeometry, _ x: [Float], _ w: [Float]) -> [Double] {
        var y = [Double](repeating: 0, count: g.outputCount)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var s = 0.0
                        for c in 0..<g.inChannels {
                            for i in 0..<g.kernelHeight {
                                for j in 0..<g.kernelWidth {
                                    let h = oh * g.strideH - g.padH + i, v = ow * g.strideW - g.padW + j
                                    guard h >= 0, h < g.inHeight, v >= 0, v < g.inWidth else { continue }
                                    s += Double(x[((n * g.inChannels + c) * g.inHeight + h) * g.inWidth + v])
                                        * Double(w[((o * g.inChannels + c) * g.kernelHeight + i) * g.kernelWidth + j])
                                }
                            }
                        }
                        y[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow] = s
                    }
                }
            }
        }
        return y
    }
}
