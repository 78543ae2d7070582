/// A variational autoencoder's Gaussian bottleneck: statistics with means in [-2, 2] and
/// log-variances in [-3, 2] (σ from 0.22 to 2.7), as an encoder's are early in training.
extension OpCase {
    /// The sample z (or the mean, without `noise`), and the backward pass from a random dz,
    /// which draws the forward pass's ε again.
    static func reparameterize(_ op: Op, rows: Int, features: Int, noise: GaussianDraw?, _ random: inout SeededRandom) -> OpCase {
        let n = rows * features
        return OpCase(op: op, shape: "\(rows)x\(features)\(noise == nil ? " mean" : "")", outputs: [n, 2 * n], flops: 0,
                      bytes: floatBytes * Double(op == .reparameterizeForward ? 3 * n : 5 * n), random: &random,
                      inputs: { r in [statistics(rows: rows, features: features, &r), r.uniforms(n)] }) { backend, i, o in
            switch op {
            case .reparameterizeForward:
                try backend.reparameterizeForward(i[0], rows: rows, features: features, noise: noise, output: o[0])
                return [o[0]]
            case .reparameterizeBackward:
                try backend.reparameterizeBackward(i[0], outputGrad: i[1], rows: rows, features: features,
                                                   noise: noise ?? GaussianDraw(seed: 0, step: 0), inputGrad: o[1])
                return [o[1]]
            default: notInFamily(op, "reparameterisation")
            }
        }
    }

    /// The KL term added to an accumulator, and its gradient added to one that already holds
    /// values (the reparameterisation's), or no gradient.
    static func gaussianKL(rows: Int, features: Int, scale: Float, withGradient: Bool, _ random: inout SeededRandom) -> OpCase {
        let n = rows * features
        return OpCase(op: .gaussianKL, shape: "\(rows)x\(features) scale \(scale)\(withGradient ? "" : " no gradient")",
                      flops: 0, bytes: floatBytes * Double(withGradient ? 6 * n : 2 * n), random: &random, inputs: { r in
            [statistics(rows: rows, features: features, &r), r.uniforms(2 * n), [r.uniform(-1, 1)]]
        }) { backend, i, _ in
            try backend.gaussianKL(i[0], rows: rows, features: features, scale: scale, gradient: withGradient ? i[1] : nil,
                                   lossAccumulator: i[2])
            return withGradient ? [i[1], i[2]] : [i[2]]
        }
    }

    /// `rows` rows of `features` means, then as many log-variances.
    private static func statistics(rows: Int, features: Int, _ random: inout SeededRandom) -> [Float] {
        (0..<rows).flatMap { _ in random.uniforms(features, -2, 2) + random.uniforms(features, -3, 2) }
    }
}
