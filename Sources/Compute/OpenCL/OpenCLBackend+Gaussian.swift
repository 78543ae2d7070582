extension OpenCLBackend {
    public func reparameterizeForward(_ stats: Buffer, rows: Int, features: Int, noise: GaussianDraw?, output z: Buffer) throws {
        try checkGaussian(stats, rows: rows, features: features, perFeature: [z])
        try launch(.reparameterizeForward, global: [z.count],
                   [.int(rows * features), .int(features), .int(noise == nil ? 0 : 1), .uint(noise?.key ?? 0), .buffer(stats),
                    .buffer(z)])
    }

    public func reparameterizeBackward(_ stats: Buffer, outputGrad: Buffer, rows: Int, features: Int, noise: GaussianDraw,
                                       inputGrad: Buffer) throws {
        try checkGaussian(stats, rows: rows, features: features, perFeature: [outputGrad], perStat: [inputGrad])
        try launch(.reparameterizeBackward, global: [outputGrad.count],
                   [.int(rows * features), .int(features), .uint(noise.key), .buffer(stats), .buffer(outputGrad),
                    .buffer(inputGrad)])
    }

    public func gaussianKL(_ stats: Buffer, rows: Int, features: Int, scale: Float, gradient: Buffer?,
                           lossAccumulator: Buffer) throws {
        try checkGaussian(stats, rows: rows, features: features, perStat: gradient.map { [$0] } ?? [])
        let n = rows * features
        // Without a gradient the kernel is handed the statistics in its place and told not to write.
        try summing(.gaussianKL, terms: n, scale: scale, into: lossAccumulator) { scaleArgument, out, partial in
            [.int(n), .int(features), scaleArgument, .float(scale), .int(gradient == nil ? 0 : 1), .buffer(stats),
             .buffer(gradient ?? stats), out, partial]
        }
    }
}
