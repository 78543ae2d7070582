import CPUKernels
import Foundation

// Convolution as im2col + OpenBLAS GEMM, several samples per product. A run of S samples is
// lowered side by side into one column matrix `col` of [C·kh·kw, S·P] (P = outH·outW), so
//   forward:          y'  = W · col              [Cout, S·P], then rows copied out to NCHW
//   backward-weights: dW += dy' · colᵀ           dy' = the run's dy gathered to [Cout, S·P]
//   backward-data:    col = Wᵀ · dy', then col2im per sample.
// One product per sample (the earlier form) gave OpenBLAS matrices of 121 columns in S4's
// second convolution, where it runs at a third of its speed; a run of samples gives it ~1000.
// Runs are claimed by the backend's threads, each with its own scratch.

/// Floats of `col` per run of samples: ~512 KiB, so the lowered run stays in a core's L2
/// cache between im2col writing it and the product reading it.
private let columnFloatsPerRun = 1 << 17

/// Backward-weights keeps one partial weight gradient per run: at most this many floats of them.
private let partialFloatsLimit = 1 << 24

extension CPUBackend {
    public func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        let x = try pointer(input), w = try pointer(weight), y = try pointer(output)
        let lowering = ConvLowering(g)
        forEachSampleRun(lowering) { _, samples, scratch in
            let columns = samples.count * lowering.plane
            for n in samples { lowering.im2col(x, sample: n, first: samples.lowerBound, into: scratch.col, columns: columns) }
            if samples.count == 1 {
                sgemm(transA: false, transB: false, m: g.outChannels, n: columns, k: lowering.rows, alpha: 1,
                      a: w, b: scratch.col, beta: 0, c: y + samples.lowerBound * lowering.outputPerSample)
            } else {
                sgemm(transA: false, transB: false, m: g.outChannels, n: columns, k: lowering.rows, alpha: 1,
                      a: w, b: scratch.col, beta: 0, c: scratch.channels)
                lowering.scatter(scratch.channels, to: y, samples: samples)
            }
        }
    }

    public func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer,
                                   inputGrad: Buffer) throws {
        try checkConv(g, input: inputGrad, weight: weight, output: outputGrad)
        let dy = try pointer(outputGrad), w = try pointer(weight), dx = try pointer(inputGrad)
        let lowering = ConvLowering(g)
        forEachSampleRun(lowering) { _, samples, scratch in
            let columns = samples.count * lowering.plane
            let gathered = samples.count == 1 ? UnsafePointer(dy + samples.lowerBound * lowering.outputPerSample)
                                              : lowering.gather(dy, samples: samples, into: scratch.channels)
            sgemm(transA: true, transB: false, m: lowering.rows, n: columns, k: g.outChannels, alpha: 1,
                  a: w, b: gathered, beta: 0, c: scratch.col)
            for n in samples {
                let sample = dx + n * lowering.inputPerSample
                sample.update(repeating: 0, count: lowering.inputPerSample)
                lowering.col2im(scratch.col, sample: sample, column: (n - samples.lowerBound) * lowering.plane, columns: columns)
            }
        }
    }

    public func conv2dBackwardWeights(_ g: ConvGeometry, input: Buffer, outputGrad: Buffer,
                                      weightGrad: Buffer) throws {
        try checkConv(g, input: input, weight: weightGrad, output: outputGrad)
        let x = try pointer(input), dy = try pointer(outputGrad), dw = try pointer(weightGrad)
        let lowering = ConvLowering(g)
        let runs = lowering.runs
        // One partial sum per run, added together in run order at the end: no two threads
        // write one weight, and the sum does not depend on which thread took which run.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: runs * g.weightCount)
        defer { partials.deallocate() }
        forEachSampleRun(lowering) { run, samples, scratch in
            let columns = samples.count * lowering.plane
            for n in samples { lowering.im2col(x, sample: n, first: samples.lowerBound, into: scratch.col, columns: columns) }
            let gathered = samples.count == 1 ? UnsafePointer(dy + samples.lowerBound * lowering.outputPerSample)
                                              : lowering.gather(dy, samples: samples, into: scratch.channels)
            sgemm(transA: false, transB: true, m: g.outChannels, n: lowering.rows, k: columns, alpha: 1,
                  a: gathered, b: scratch.col, beta: 0, c: partials + run * g.weightCount)
        }
        dw.update(from: partials, count: g.weightCount)
        for run in 1..<max(runs, 1) {
            for i in 0..<g.weightCount { dw[i] += partials[run * g.weightCount + i] }
        }
    }

    /// How many runs of samples the batch is cut into (`ConvLowering.runs`); depends on the
    /// geometry only, so results do not depend on the thread count.
    func sampleChunkCount(_ g: ConvGeometry) -> Int { ConvLowering(g).runs }

    /// Cuts the batch into the lowering's runs, claimed by the backend's threads; `body` gets
    /// the run's index, its samples and its thread's scratch.
    private func forEachSampleRun(_ lowering: ConvLowering,
                                  _ body: (Int, Range<Int>, ConvScratch) -> Void) {
        let runs = lowering.runs, workers = min(threads.count, runs)
        let longest = (lowering.g.batch + runs - 1) / runs
        let colFloats = longest * lowering.rows * lowering.plane
        let channelFloats = longest * lowering.outputPerSample
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: workers * (colFloats + channelFloats))
        defer { scratch.deallocate() }
        runChunks(runs, workers: workers) { worker, run in
            let base = scratch + worker * (colFloats + channelFloats)
            body(run, chunk(run, of: runs, lowering.g.batch), ConvScratch(col: base, channels: base + colFloats))
        }
    }
}

/// One thread's scratch for a run of samples: the lowered columns, and the run's output (or
/// output gradient) with channels outermost, [Cout, S·P].
private struct ConvScratch {
    let col: UnsafeMutablePointer<Float>
    let channels: UnsafeMutablePointer<Float>
}

/// The sizes of one convolution's lowering, and the copies between NCHW and the lowered forms.
private struct ConvLowering {
    let g: ConvGeometry
    /// Rows of `col` (C·kh·kw) and columns per sample (outH·outW).
    let rows: Int, plane: Int
    let inputPerSample: Int, outputPerSample: Int
    /// Runs of samples the batch is cut into.
    let runs: Int

    init(_ g: ConvGeometry) {
        self.g = g
        rows = g.inChannels * g.kernelHeight * g.kernelWidth
        plane = g.outHeight * g.outWidth
        inputPerSample = g.inChannels * g.inHeight * g.inWidth
        outputPerSample = g.outChannels * plane
        var perRun = max(1, min(g.batch, columnFloatsPerRun / max(rows * plane, 1)))
        // Enough samples per run that backward-weights' partial sums stay bounded.
        perRun = max(perRun, (g.batch * g.weightCount + partialFloatsLimit - 1) / partialFloatsLimit)
        runs = max(1, (g.batch + perRun - 1) / perRun)
    }

    /// Sample `n`'s patches into its block of columns (the run starts at sample `first`).
    func im2col(_ x: UnsafePointer<Float>, sample n: Int, first: Int, into col: UnsafeMutablePointer<Float>, columns: Int) {
        CPUKernels.im2col(x + n * inputPerSample, col, Int64(columns), Int64((n - first) * plane),
                          Int64(g.inChannels), Int64(g.inHeight), Int64(g.inWidth),
                          Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.strideH), Int64(g.strideW),
                          Int64(g.padH), Int64(g.padW), Int64(g.outHeight), Int64(g.outWidth))
    }

    func col2im(_ col: UnsafePointer<Float>, sample: UnsafeMutablePointer<Float>, column: Int, columns: Int) {
        CPUKernels.col2im(col, sample, Int64(columns), Int64(column),
                          Int64(g.inChannels), Int64(g.inHeight), Int64(g.inWidth),
                          Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.strideH), Int64(g.strideW),
                          Int64(g.padH), Int64(g.padW), Int64(g.outHeight), Int64(g.outWidth))
    }

    /// [Cout, S·P] → the samples' NCHW outputs.
    func scatter(_ lowered: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, samples: Range<Int>) {
        let columns = samples.count * plane
        for (s, n) in samples.enumerated() {
            for c in 0..<g.outChannels {
                (y + n * outputPerSample + c * plane).update(from: lowered + c * columns + s * plane, count: plane)
            }
        }
    }

    /// The samples' NCHW output gradients → [Cout, S·P]; returns `into`.
    func gather(_ dy: UnsafePointer<Float>, samples: Range<Int>, into lowered: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let columns = samples.count * plane
        for (s, n) in samples.enumerated() {
            for c in 0..<g.outChannels {
                (lowered + c * columns + s * plane).update(from: dy + n * outputPerSample + c * plane, count: plane)
            }
        }
        return UnsafePointer(lowered)
    }
}
