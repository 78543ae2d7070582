/// Batch normalisation: per channel, inputs with an offset and a spread of their own, as a
/// layer's are. The forward case compares the output, the saved statistics and the running
/// ones; the backward case runs the forward first, as a layer does, and compares every gradient.
extension OpCase {
    static func batchNorm(_ op: Op, _ shape: BatchNormShape, affine: Bool, mode: BatchNormMode,
                          _ random: inout SeededRandom) -> OpCase {
        let n = shape.count, channels = shape.channels, inner = shape.inner
        // Three reads of x and a write forward (mean, variance, output); four reads and a write backward.
        let traffic = op == .batchNormForward ? 4 * n : 5 * n
        return OpCase(op: op, shape: "\(shape)\(affine ? "" : " no affine") \(mode)",
                      outputs: [n, channels, channels, n, channels, channels], flops: 0,
                      bytes: floatBytes * Double(traffic), random: &random, inputs: { r in
            let offsets = r.uniforms(channels, -2, 2)
            let x = r.uniforms(n, -1, 1).enumerated().map { i, v in 3 * v + offsets[(i / inner) % channels] }
            // x, dy, scale, shift, running mean, running variance
            return [x, r.uniforms(n), r.uniforms(channels, 0.5, 1.5), r.uniforms(channels), r.uniforms(channels),
                    r.uniforms(channels, 0.5, 2)]
        }) { backend, i, o in
            try backend.batchNormForward(i[0], shape: shape, scale: affine ? i[2] : nil, shift: affine ? i[3] : nil,
                                         epsilon: 1e-5, mode: mode, runningMean: i[4], runningVar: i[5], mean: o[1],
                                         invStd: o[2], output: o[0])
            switch op {
            case .batchNormForward: return [o[0], o[1], o[2], i[4], i[5]]
            case .batchNormBackward:
                try backend.batchNormBackward(i[0], outputGrad: i[1], shape: shape, scale: affine ? i[2] : nil, mean: o[1],
                                              invStd: o[2], inputGrad: o[3], scaleGrad: affine ? o[4] : nil,
                                              shiftGrad: affine ? o[5] : nil)
                return affine ? [o[3], o[4], o[5]] : [o[3]]
            default: notInFamily(op, "batch norm")
            }
        }
    }
}
