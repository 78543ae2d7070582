// Argument checks shared by both backends, so a bad call fails the same way on every device.

extension Backend {
    func checkConv(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try require(g.isValid, "invalid convolution \(g)")
        try require(input.count == g.inputCount, "conv input has \(input.count) elements, \(g) needs \(g.inputCount)")
        try require(weight.count == g.weightCount, "conv weight has \(weight.count) elements, \(g) needs \(g.weightCount)")
        try require(output.count == g.outputCount, "conv output has \(output.count) elements, \(g) needs \(g.outputCount)")
    }

    func checkPool(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try require(g.isValid, "invalid max-pool \(g)")
        try require(g.inHeight * g.inWidth < 1 << 24, "max-pool plane \(g.inHeight)x\(g.inWidth) too large for float indices")
        try require(input.count == g.inputCount, "max-pool input has \(input.count) elements, \(g) needs \(g.inputCount)")
        try require(output.count == g.outputCount && indices.count == g.outputCount,
                    "max-pool output/indices have \(output.count)/\(indices.count) elements, \(g) needs \(g.outputCount)")
    }

    func checkUpsample(planes: Int, height: Int, width: Int, factor: Int, input: Buffer, output: Buffer) throws {
        try require(planes > 0 && height > 0 && width > 0 && factor > 0,
                    "upsample sizes \(planes)x\(height)x\(width) x\(factor) must be positive")
        try require(input.count == planes * height * width,
                    "upsample input has \(input.count) elements, needs \(planes)x\(height)x\(width)")
        try require(output.count == input.count * factor * factor,
                    "upsample output has \(output.count) elements, needs \(input.count * factor * factor)")
    }

    func checkBias(_ x: Buffer, bias: Buffer, channels: Int, inner: Int) throws {
        try require(channels > 0 && inner > 0 && bias.count == channels,
                    "bias has \(bias.count) elements for \(channels) channels")
        try require(x.count % (channels * inner) == 0,
                    "tensor of \(x.count) elements is not [outer, \(channels), \(inner)]")
    }

    func checkSameCount(_ op: String, _ buffers: Buffer?...) throws {
        let counts = buffers.compactMap { $0?.count }
        try require(Set(counts).count <= 1, "\(op): element counts differ \(counts)")
    }

    func checkDropout(_ p: Float) throws {
        try require(p >= 0 && p < 1, "dropout probability \(p) must be in [0, 1)")
    }
}
