/// GEMM and the convolutions: the products, plain and with their fused epilogue.
extension OpCase {
    /// C = alpha·op(A)·op(B) + beta·C on random A, B and C.
    static func gemm(_ s: GEMMShape, alpha: Float = 1, beta: Float = 0, _ random: inout SeededRandom) -> OpCase {
        let scalars = alpha == 1 && beta == 0 ? "" : " a\(alpha) b\(beta)"
        return OpCase(op: .gemm, shape: "\(s)\(scalars)", flops: 2 * Double(s.m * s.n * s.k),
                      bytes: floatBytes * Double(s.m * s.k + s.k * s.n + s.m * s.n), product: s, random: &random,
                      inputs: { r in [r.uniforms(s.m * s.k), r.uniforms(s.k * s.n), r.uniforms(s.m * s.n)] }) { backend, i, _ in
            try backend.gemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: alpha,
                             a: i[0], b: i[1], beta: beta, c: i[2])
            return [i[2]]
        }
    }

    /// A Linear layer's fused forward pass: C = op(A)·op(B) + bias, then the activation and the
    /// dropout mask.
    static func gemmBiasActivation(_ s: GEMMShape, _ activation: ActivationFunction, _ dropout: DropoutDraw?,
                                   _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .gemmBiasActivation, shape: "\(s) \(activation)\(dropoutLabel(dropout))", outputs: [s.m * s.n],
               flops: 2 * Double(s.m * s.n * s.k), bytes: floatBytes * Double(s.m * s.k + s.k * s.n + s.n + s.m * s.n),
               random: &random, inputs: { r in [r.uniforms(s.m * s.k), r.uniforms(s.k * s.n), r.uniforms(s.n)] }) { backend, i, o in
            try backend.gemmBiasActivation(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, a: i[0], b: i[1],
                                           bias: i[2], activation: activation, dropout: dropout, c: o[0])
            return o
        }
    }

    /// Which of a convolution's three ops a case runs.
    enum ConvolutionPass: Sendable { case forward, backwardData, backwardWeights }

    /// One pass of a convolution, plain or transposed (`G` says which), on random tensors: the
    /// forward pass from x and w, backward-data from dy and w, backward-weights from x and dy.
    static func convolution<G: ConvolutionRun>(_ op: Op, _ pass: ConvolutionPass, _ g: G,
                                               _ random: inout SeededRandom) -> OpCase {
        let (first, second, output) = switch pass {
        case .forward: (g.inputCount, g.weightCount, g.outputCount)
        case .backwardData: (g.outputCount, g.weightCount, g.inputCount)
        case .backwardWeights: (g.inputCount, g.outputCount, g.weightCount)
        }
        return OpCase(op: op, shape: "\(g)", outputs: [output], flops: 2 * Double(g.multiplyAdds),
                      bytes: floatBytes * Double(g.inputCount + g.weightCount + g.outputCount), convolution: g as? ConvGeometry ?? (g as? ConvTransposeGeometry)?.convolution,
                      random: &random, inputs: { r in [r.uniforms(first), r.uniforms(second)] }) { backend, i, o in
            switch pass {
            case .forward: try g.forward(backend, input: i[0], weight: i[1], output: o[0])
            case .backwardData: try g.backwardData(backend, outputGrad: i[0], weight: i[1], inputGrad: o[0])
            case .backwardWeights: try g.backwardWeights(backend, input: i[0], outputGrad: i[1], weightGrad: o[0])
            }
            return o
        }
    }

    /// A Conv2d layer's fused forward pass: the convolution, then bias, activation and dropout
    /// on each sample's output.
    static func convolutionBiasActivation(_ g: ConvGeometry, _ activation: ActivationFunction, _ dropout: DropoutDraw?,
                                          _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .conv2dBiasActivationForward, shape: "\(g) \(activation)\(dropoutLabel(dropout))", outputs: [g.outputCount],
               flops: 2 * Double(g.multiplyAdds),
               bytes: floatBytes * Double(g.inputCount + g.weightCount + g.outChannels + g.outputCount), convolution: g,
               random: &random,
               inputs: { r in [r.uniforms(g.inputCount), r.uniforms(g.weightCount), r.uniforms(g.outChannels)] }) { backend, i, o in
            try backend.conv2dBiasActivationForward(g, input: i[0], weight: i[1], bias: i[2], activation: activation,
                                                    dropout: dropout, output: o[0])
            return o
        }
    }
}
