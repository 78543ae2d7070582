import Foundation

// Convolution as im2col + one OpenBLAS GEMM per sample: the sample's patches become the
// columns of a [C·kh·kw, outH·outW] matrix, so forward is W·col, backward-data is Wᵀ·dy
// scattered back (col2im), and backward-weights is dy·colᵀ summed over samples.
// Samples are split across cores, each core with its own column buffer.

extension CPUBackend {
    public func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        let x = try pointer(input), w = try pointer(weight), y = try pointer(output)
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, cols = g.outHeight * g.outWidth
        forEachSampleChunk(g, columns: rows * cols) { _, samples, col in
            for n in samples {
                im2col(g, x + n * g.inChannels * g.inHeight * g.inWidth, col)
                sgemm(transA: false, transB: false, m: g.outChannels, n: cols, k: rows, alpha: 1,
                      a: w, b: col, beta: 0, c: y + n * g.outChannels * cols)
            }
        }
    }

    public func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer,
                                   inputGrad: Buffer) throws {
        try checkConv(g, input: inputGrad, weight: weight, output: outputGrad)
        let dy = try pointer(outputGrad), w = try pointer(weight), dx = try pointer(inputGrad)
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, cols = g.outHeight * g.outWidth
        let plane = g.inChannels * g.inHeight * g.inWidth
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
        // One partial sum per chunk, added together at the end: no two threads write one weight.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * g.weightCount)
        partials.initialize(repeating: 0, count: chunks * g.weightCount)
        defer { partials.deallocate() }
        forEachSampleChunk(g, columns: rows * cols) { chunk, samples, col in
            for n in samples {
                im2col(g, x + n * g.inChannels * g.inHeight * g.inWidth, col)
                sgemm(transA: false, transB: true, m: g.outChannels, n: rows, k: cols, alpha: 1,
                      a: dy + n * g.outChannels * cols, b: col, beta: 1,
                      c: partials + chunk * g.weightCount)
            }
        }
        dw.update(from: partials, count: g.weightCount)
        for chunk in 1..<max(chunks, 1) {
            for i in 0..<g.weightCount { dw[i] += partials[chunk * g.weightCount + i] }
        }
    }

    private func sampleChunkCount(_ g: ConvGeometry) -> Int {
        // A thread per core when there is enough work to share; one otherwise.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return g.multiplyAdds < 1 << 20 ? 1 : min(cores, g.batch)
    }

    /// Splits the batch into `sampleChunkCount` contiguous ranges run in parallel; `body` gets
    /// the chunk's index, its samples and a scratch column buffer of `columns` floats.
    private func forEachSampleChunk(_ g: ConvGeometry, columns: Int,
                                    _ body: (Int, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let chunks = sampleChunkCount(g)
        // Each chunk writes only its own samples (or its own partial sum).
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: columns)
            defer { col.deallocate() }
            body(chunk, (chunk * g.batch / chunks)..<((chunk + 1) * g.batch / chunks), col)
        }
    }

    /// Patches of one sample `[C, H, W]` into `col[(c·kh + i)·kw + j][oh·OW + ow]`, zero outside.
    private func im2col(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        var row = 0
        for c in 0..<g.inChannels {
            let plane = x + c * g.inHeight * g.inWidth
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    var out = col + row * g.outHeight * g.outWidth
                    for oh in 0..<g.outHeight {
                        let ih = oh * g.strideH - g.padH + i
                        if ih < 0 || ih >= g.inHeight {
                            out.update(repeating: 0, count: g.outWidth)
                        } else {
                            for ow in 0..<g.outWidth {
                                let iw = ow * g.strideW - g.padW + j
                                out[ow] = iw >= 0 && iw < g.inWidth ? plane[ih * g.inWidth + iw] : 0
                            }
                        }
                        out += g.outWidth
                    }
                    row += 1
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back into the pixel it came from.
    private func col2im(_ g: ConvGeometry, _ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        var row = 0
        for c in 0..<g.inChannels {
            let plane = x + c * g.inHeight * g.inWidth
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    var src = col + row * g.outHeight * g.outWidth
                    for oh in 0..<g.outHeight {
                        let ih = oh * g.strideH - g.padH + i
                        if ih >= 0 && ih < g.inHeight {
                            for ow in 0..<g.outWidth {
                                let iw = ow * g.strideW - g.padW + j
                                if iw >= 0 && iw < g.inWidth { plane[ih * g.inWidth + iw] += src[ow] }
                            }
                        }
                        src += g.outWidth
                    }
                    row += 1
                }
            }
        }
    }
}
