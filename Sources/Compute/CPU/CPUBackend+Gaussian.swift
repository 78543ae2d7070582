import CPUKernels

// A slice of rows a task: each writes only its own rows; the draws are indexed by the element's
// place in the whole batch, so the slicing does not change them.
extension CPUBackend {
    public func reparameterizeForward(_ stats: Buffer, rows: Int, features: Int, noise: GaussianDraw?, output z: Buffer) throws {
        try checkGaussian(stats, rows: rows, features: features, perFeature: [z])
        let s = try pointer(stats), out = try pointer(z)
        parallelChunks(rows, grain: max(1, parallelGrain / features)) { r in
            reparameterize_forward(s, out, Int64(r.lowerBound), Int64(r.upperBound), Int64(features), noise == nil ? 0 : 1,
                                   noise?.key ?? 0)
        }
    }

    public func reparameterizeBackward(_ stats: Buffer, outputGrad: Buffer, rows: Int, features: Int, noise: GaussianDraw,
                                       inputGrad: Buffer) throws {
        try checkGaussian(stats, rows: rows, features: features, perFeature: [outputGrad], perStat: [inputGrad])
        let s = try pointer(stats), dz = try pointer(outputGrad), ds = try pointer(inputGrad)
        parallelChunks(rows, grain: max(1, parallelGrain / features)) { r in
            reparameterize_backward(s, dz, ds, Int64(r.lowerBound), Int64(r.upperBound), Int64(features), noise.key)
        }
    }

    public func gaussianKL(_ stats: Buffer, rows: Int, features: Int, scale: Float, gradient: Buffer?,
                           lossAccumulator: Buffer) throws {
        try checkGaussian(stats, rows: rows, features: features, perStat: gradient.map { [$0] } ?? [])
        let s = try pointer(stats), g = try gradient.map { try pointer($0) }
        let total = parallelSum(rows, grain: max(1, parallelGrain / features)) { r in
            gaussian_kl(s, g, Int64(r.lowerBound), Int64(r.upperBound), Int64(features), scale)
        }
        try pointer(lossAccumulator)[0] += Float(Double(scale) * total)
    }
}
