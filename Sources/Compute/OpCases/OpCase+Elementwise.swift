/// The elementwise ops: bias, activations (alone and fused with bias and dropout), dropout,
/// salt-and-pepper noise, and the vector ops. A backward case runs its forward first, as a
/// layer does.
extension OpCase {
    /// Bias over `[outer, channels, inner]`, added in place or its gradient summed.
    static func bias(_ op: Op, outer: Int, channels: Int, inner: Int, _ random: inout SeededRandom) -> OpCase {
        let n = outer * channels * inner
        return OpCase(op: op, shape: "\(outer)x\(channels)x\(inner)", outputs: [channels], flops: Double(n),
                      bytes: floatBytes * Double(op == .biasAdd ? 2 * n : n), random: &random,
                      inputs: { r in [r.uniforms(n), r.uniforms(channels)] }) { backend, i, o in
            switch op {
            case .biasAdd:
                try backend.biasAdd(i[0], bias: i[1], channels: channels, inner: inner); return [i[0]]
            case .biasGradient:
                try backend.biasGradient(i[0], channels: channels, inner: inner, into: o[0]); return o
            default: notInFamily(op, "bias")
            }
        }
    }

    /// The fused bias-activation-dropout pass on inputs in [-3, 3]; the backward case compares
    /// both its gradients (input and bias).
    static func biasActivation(_ op: Op, outer: Int, channels: Int, inner: Int, _ activation: ActivationFunction,
                               _ dropout: DropoutDraw?, _ random: inout SeededRandom) -> OpCase {
        let n = outer * channels * inner
        return OpCase(op: op, shape: "\(outer)x\(channels)x\(inner) \(activation)\(dropoutLabel(dropout))",
                      outputs: [n, n, channels], flops: 0,
                      bytes: floatBytes * Double(op == .biasActivationForward ? 2 * n : 5 * n), random: &random,
                      inputs: { r in [r.uniforms(n, -3, 3), r.uniforms(channels), r.uniforms(n)] }) { backend, i, o in
            try backend.biasActivationForward(i[0], bias: i[1], channels: channels, inner: inner,
                                              activation: activation, dropout: dropout, output: o[0])
            switch op {
            case .biasActivationForward: return [o[0]]
            case .biasActivationBackward:
                try backend.biasActivationBackward(output: o[0], outputGrad: i[2], channels: channels, inner: inner,
                                                   activation: activation, dropout: dropout, inputGrad: o[1], biasGrad: o[2])
                return [o[1], o[2]]
            default: notInFamily(op, "bias-activation")
            }
        }
    }

    /// Each of `kinds` on one input of `n` elements in [-6, 6]. No FLOP count (a tanh or an erf
    /// is no fixed number of them): its rows read as bandwidth. Backward reads x, y and dy.
    static func activation(_ op: Op, count n: Int, _ kinds: [ActivationFunction], _ random: inout SeededRandom) -> OpCase {
        let label = kinds.count == 1 ? "\(n) \(kinds[0])" : "\(n) x \(kinds.count) kinds"
        let perKind = op == .activationForward ? 2 * n : 4 * n
        return OpCase(op: op, shape: label, outputs: Array(repeating: n, count: 2 * kinds.count), flops: 0,
                      bytes: floatBytes * Double(kinds.count * perKind), random: &random,
                      inputs: { r in [r.uniforms(n, -6, 6), r.uniforms(n)] }) { backend, i, o in
            try kinds.enumerated().map { k, activation in
                let y = o[2 * k], dx = o[2 * k + 1]
                try backend.activationForward(activation, i[0], output: y)
                switch op {
                case .activationForward: return y
                case .activationBackward:
                    try backend.activationBackward(activation, input: i[0], output: y, outputGrad: i[1], inputGrad: dx)
                    return dx
                default: notInFamily(op, "activation")
                }
            }
        }
    }

    static func dropout(_ op: Op, count n: Int, p: Float, seed: UInt32, step: UInt32, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: op, shape: "\(n) p\(p)", outputs: [n], flops: 2 * Double(n), bytes: floatBytes * Double(2 * n),
               random: &random, inputs: { r in [r.uniforms(n)] }) { backend, i, o in
            switch op {
            case .dropoutForward: try backend.dropoutForward(i[0], output: o[0], p: p, seed: seed, step: step)
            case .dropoutBackward: try backend.dropoutBackward(outputGrad: i[0], inputGrad: o[0], p: p, seed: seed, step: step)
            default: notInFamily(op, "dropout")
            }
            return o
        }
    }

    /// Salt-and-pepper noise on images in [0, 1].
    static func saltAndPepper(count n: Int, amount: Float, seed: UInt32, step: UInt32, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .saltAndPepper, shape: "\(n) amount \(amount)", outputs: [n], flops: 0, bytes: floatBytes * Double(2 * n),
               random: &random, inputs: { r in [r.uniforms(n, 0, 1)] }) { backend, i, o in
            try backend.saltAndPepper(i[0], output: o[0], amount: amount, seed: seed, step: step)
            return o
        }
    }

    /// fill, copy, axpy and scale on two vectors of `n`, both compared.
    static func vector(_ op: Op, count n: Int, alpha: Float, _ random: inout SeededRandom) -> OpCase {
        // Operations and floats moved per element.
        let (flops, traffic): (Int, Int) = switch op {
        case .fill: (0, 1)
        case .copy: (0, 2)
        case .axpy: (2, 3)
        default: (1, 2)
        }
        return OpCase(op: op, shape: "\(n) alpha \(alpha)", flops: Double(flops * n), bytes: floatBytes * Double(traffic * n),
                      random: &random, inputs: { r in [r.uniforms(n), r.uniforms(n)] }) { backend, i, _ in
            switch op {
            case .fill: try backend.fill(i[0], with: alpha)
            case .copy: try backend.copy(i[0], to: i[1])
            case .axpy: try backend.axpy(alpha: alpha, x: i[0], y: i[1])
            case .scale: try backend.scale(i[0], by: alpha)
            default: notInFamily(op, "vector")
            }
            return [i[0], i[1]]
        }
    }
}
