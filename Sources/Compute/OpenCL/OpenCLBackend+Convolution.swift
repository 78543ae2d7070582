extension OpenCLBackend {
    /// How the convolutions run: `direct` (one work-item per output or input element, conv.cl's
    /// first kernels) or `im2col` (patches into a matrix, then the backend's GEMM). `auto`
    /// picks per shape, as `convolutionAlgorithm` says why.
    public enum ConvAlgorithm: String, CaseIterable, Sendable { case auto, direct, im2col }

    /// The most floats an im2col chunk may hold (64 MiB): samples are processed in chunks.
    static let im2colBudget = 16 << 20

    private func geometryArguments(_ g: ConvGeometry) -> [Argument] {
        [g.batch, g.inChannels, g.inHeight, g.inWidth, g.outChannels, g.kernelHeight, g.kernelWidth,
         g.strideH, g.strideW, g.padH, g.padW, g.outHeight, g.outWidth].map { .int($0) }
    }

    /// The algorithm for one convolution. `auto` follows `aekit bench kernels` at the reports'
    /// shapes on PoCL: im2col + GEMM was faster wherever the convolution has several output
    /// channels (forward 1.1-1.8x, backward-data 1.1-8x, backward-weights 1.7-9x), and slower
    /// only for the 16 -> 1 output layer, whose GEMMs have a single row (forward 0.17x). No GPU
    /// was at hand to time; the bench prints both rows so the rule can be checked on one.
    func convolutionAlgorithm(_ g: ConvGeometry) -> ConvAlgorithm {
        guard convolution == .auto else { return convolution }
        return g.outChannels >= constants.im2colMinChannels ? .im2col : .direct
    }

    public func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        guard convolutionAlgorithm(g) == .im2col else {
            try launch(.conv2dForward, global: [g.outputCount],
                       geometryArguments(g) + [.buffer(input), .buffer(weight), .buffer(output)])
            return
        }
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, plane = g.outHeight * g.outWidth
        try forEachChunk(g) { n0, samples in
            let col = try makeBuffer(count: rows * samples * plane), product = try makeBuffer(count: g.outChannels * samples * plane)
            try launch("conv", "conv2d_im2col", global: [col.count],
                       geometryArguments(g) + [.int(n0), .int(samples), .buffer(input), .buffer(col)])
            try gemm(transA: false, transB: false, m: g.outChannels, n: samples * plane, k: rows, alpha: 1,
                     a: weight, b: col, beta: 0, c: product)
            try regroup(n0: n0, samples: samples, channels: g.outChannels, plane: plane, toChannelMajor: false,
                        from: product, to: output)
        }
    }

    public func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer,
                                   inputGrad: Buffer) throws {
        try checkConv(g, input: inputGrad, weight: weight, output: outputGrad)
        guard convolutionAlgorithm(g) == .im2col else {
            try launch(.conv2dBackwardData, global: [g.inputCount],
                       geometryArguments(g) + [.buffer(outputGrad), .buffer(weight), .buffer(inputGrad)])
            return
        }
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, plane = g.outHeight * g.outWidth
        try forEachChunk(g) { n0, samples in
            let grouped = try makeBuffer(count: g.outChannels * samples * plane), col = try makeBuffer(count: rows * samples * plane)
            try regroup(n0: n0, samples: samples, channels: g.outChannels, plane: plane, toChannelMajor: true,
                        from: outputGrad, to: grouped)
            try gemm(transA: true, transB: false, m: rows, n: samples * plane, k: g.outChannels, alpha: 1,
                     a: weight, b: grouped, beta: 0, c: col)
            try launch("conv", "conv2d_col2im", global: [samples * g.inChannels * g.inHeight * g.inWidth],
                       geometryArguments(g) + [.int(n0), .int(samples), .buffer(col), .buffer(inputGrad)])
        }
    }

    public func conv2dBackwardWeights(_ g: ConvGeometry, input: Buffer, outputGrad: Buffer,
                                      weightGrad: Buffer) throws {
        try checkConv(g, input: input, weight: weightGrad, output: outputGrad)
        guard convolutionAlgorithm(g) == .im2col else {
            let op = Op.conv2dBackwardWeights
            let group = try fittedGroup(op.kernelFile, op.name, preferred: [constants.convWeightGroup])[0]
            try launch(op, global: [g.weightCount * group], local: [group],
                       geometryArguments(g) + [.buffer(input), .buffer(outputGrad), .buffer(weightGrad),
                                               .local(bytes: group * MemoryLayout<Float>.size)])
            return
        }
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, plane = g.outHeight * g.outWidth
        var first = true
        try forEachChunk(g) { n0, samples in
            let grouped = try makeBuffer(count: g.outChannels * samples * plane), col = try makeBuffer(count: rows * samples * plane)
            try regroup(n0: n0, samples: samples, channels: g.outChannels, plane: plane, toChannelMajor: true,
                        from: outputGrad, to: grouped)
            try launch("conv", "conv2d_im2col", global: [col.count],
                       geometryArguments(g) + [.int(n0), .int(samples), .buffer(input), .buffer(col)])
            // The first chunk overwrites the gradient, later ones add to it.
            try gemm(transA: false, transB: true, m: g.outChannels, n: rows, k: samples * plane, alpha: 1,
                     a: grouped, b: col, beta: first ? 0 : 1, c: weightGrad)
            first = false
        }
    }

    /// Calls `body(firstSample, sampleCount)` over the batch in chunks whose im2col matrix fits
    /// `im2colBudget`.
    private func forEachChunk(_ g: ConvGeometry, _ body: (Int, Int) throws -> Void) throws {
        let perSample = g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth
        let chunk = max(1, min(g.batch, OpenCLBackend.im2colBudget / max(perSample, 1)))
        for n0 in stride(from: 0, to: g.batch, by: chunk) { try body(n0, min(chunk, g.batch - n0)) }
    }

    private func regroup(n0: Int, samples: Int, channels: Int, plane: Int, toChannelMajor: Bool,
                         from source: Buffer, to destination: Buffer) throws {
        try launch("conv", "conv2d_regroup", global: [samples * channels * plane],
                   [.int(n0), .int(samples), .int(channels), .int(plane), .int(toChannelMajor ? 1 : 0),
                    .buffer(source), .buffer(destination)])
    }
}
