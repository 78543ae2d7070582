extension OpenCLBackend {
    /// How the convolutions run: `direct` (one work-item per output or input element, conv.cl's
    /// first kernels) or `im2col` (patches into a matrix, then the backend's GEMM). `auto`
    /// picks per shape, as `convolutionAlgorithm` says why.
    public enum ConvAlgorithm: String, CaseIterable, Sendable { case auto, direct, im2col }

    /// The most floats an im2col chunk may hold (128 MiB): samples are processed in chunks, each
    /// chunk two launches per op. conv-keras' widest lowering (16 channels, 3×3, 14×14, batches of
    /// 1000) is 28 M floats: one chunk.
    static let im2colBudget = 32 << 20

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
        try convolve(g, input: input, weight: weight, output: output, epilogue: GEMMEpilogue())
    }

    public func conv2dBiasActivationForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, bias: Buffer,
                                            activation: ActivationFunction, dropout: DropoutDraw?, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        try checkBiasActivation([output], bias: bias, channels: g.outChannels, inner: g.outHeight * g.outWidth,
                                activation: activation, dropout: dropout)
        try convolve(g, input: input, weight: weight, output: output,
                     epilogue: GEMMEpilogue(bias: bias, mode: .perRow, activation: activation, dropout: dropout))
    }

    /// The forward pass with `epilogue` (a bias per output channel: a row of each sample's
    /// product) in the last kernel: conv2d_forward's own, or the GEMM's.
    private func convolve(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer, epilogue: GEMMEpilogue) throws {
        guard convolutionAlgorithm(g) == .im2col else {
            let p = epilogue.dropout?.p ?? 0
            try launch(.conv2dForward, global: [g.outputCount],
                       geometryArguments(g) + [.buffer(input), .buffer(weight), .buffer(output),
                                               .buffer(epilogue.bias ?? weight), .int(epilogue.bias == nil ? 0 : 1)]
                                            + epilogue.activation.kernelArguments
                                            + [.float(p), .uint(epilogue.dropout?.key ?? 0), .float(1 / (1 - p))])
            return
        }
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, plane = g.outHeight * g.outWidth
        try forEachChunk(g) { n0, samples in
            let col = try im2col(g, n0: n0, samples: samples, input: input)
            try gemmBatched(transA: false, transB: false, m: g.outChannels, n: plane, k: rows, alpha: 1,
                            a: GEMMOperand(buffer: weight), b: GEMMOperand(buffer: col, stride: rows * plane), beta: 0,
                            c: GEMMOperand(buffer: output, offset: n0 * g.outChannels * plane, stride: g.outChannels * plane),
                            batches: samples, epilogue: epilogue)
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
            let col = try makeBuffer(count: samples * rows * plane)
            try gemmBatched(transA: true, transB: false, m: rows, n: plane, k: g.outChannels, alpha: 1,
                            a: GEMMOperand(buffer: weight),
                            b: GEMMOperand(buffer: outputGrad, offset: n0 * g.outChannels * plane, stride: g.outChannels * plane),
                            beta: 0, c: GEMMOperand(buffer: col, stride: rows * plane), batches: samples)
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
            let col = try im2col(g, n0: n0, samples: samples, input: input)
            // The chunk's samples summed in one launch (C's stride 0); the first chunk
            // overwrites the gradient, later ones add to it.
            try gemmBatched(transA: false, transB: true, m: g.outChannels, n: rows, k: plane, alpha: 1,
                            a: GEMMOperand(buffer: outputGrad, offset: n0 * g.outChannels * plane, stride: g.outChannels * plane),
                            b: GEMMOperand(buffer: col, stride: rows * plane), beta: first ? 0 : 1,
                            c: GEMMOperand(buffer: weightGrad), batches: samples)
            first = false
        }
    }

    /// The patches of samples `n0 ..< n0 + samples`, `[samples][C·KH·KW][OH·OW]`.
    private func im2col(_ g: ConvGeometry, n0: Int, samples: Int, input: Buffer) throws -> Buffer {
        let col = try makeBuffer(count: samples * g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth)
        try launch("conv", "conv2d_im2col", global: [col.count],
                   geometryArguments(g) + [.int(n0), .int(samples), .buffer(input), .buffer(col)])
        return col
    }

    /// Calls `body(firstSample, sampleCount)` over the batch in chunks whose im2col matrix fits
    /// `im2colBudget`.
    private func forEachChunk(_ g: ConvGeometry, _ body: (Int, Int) throws -> Void) throws {
        let perSample = g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth
        let chunk = max(1, min(g.batch, OpenCLBackend.im2colBudget / max(perSample, 1)))
        for n0 in stride(from: 0, to: g.batch, by: chunk) { try body(n0, min(chunk, g.batch - n0)) }
    }
}
