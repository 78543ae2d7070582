/// The parity cases of every op. Shapes are drawn at random from sizes that include odd ones
/// (1, 7, 13, 31, …) and the reports' own (28×28 images, 784 → 64 layers, batches of 100/1000),
/// bounded so the whole suite runs in seconds on a CPU OpenCL device.
enum ParityCatalog {
    /// The parity check of `op`. Exhaustive: a new `Op` does not build without its case.
    static func parityOp(_ op: Op) -> ParityOp {
        switch op {
        case .gemm: gemm
        case .gemmBiasActivation: gemmBiasActivation
        case .conv2dForward: convolution(op, .forward, randomConv)
        case .conv2dBiasActivationForward: convolutionBiasActivation
        case .conv2dBackwardData: convolution(op, .backwardData, randomConv)
        case .conv2dBackwardWeights: convolution(op, .backwardWeights, randomConv)
        case .convTranspose2dForward: convolution(op, .forward, randomConvTranspose)
        case .convTranspose2dBackwardData: convolution(op, .backwardData, randomConvTranspose)
        case .convTranspose2dBackwardWeights: convolution(op, .backwardWeights, randomConvTranspose)
        case .maxPool2dForward, .maxPool2dBackward: maxPool(op)
        case .avgPool2dForward, .avgPool2dBackward: avgPool(op)
        case .upsampleForward, .upsampleBackward: upsample(op)
        case .upsampleBilinearForward, .upsampleBilinearBackward: upsampleBilinear(op)
        case .biasAdd, .biasGradient: bias(op)
        case .biasActivationForward, .biasActivationBackward: biasActivation(op)
        case .activationForward, .activationBackward: activation(op)
        case .batchNormForward, .batchNormBackward: batchNorm(op)
        case .dropoutForward, .dropoutBackward: dropout(op)
        case .saltAndPepper: saltAndPepper
        case .mseLoss, .softmaxCrossEntropy: loss(op)
        case .pixelLoss: pixelLoss
        case .sum, .squaredDifferenceSum, .binaryAgreementSum: reduction(op)
        case .confusionAdd: confusion
        case .gatherRows: gatherRows
        case .sgdStep, .adamStep: optimizer(op)
        case .fill, .copy, .axpy, .scale: vector(op)
        }
    }

    /// A family function was handed an op of another family: a bug in `parityOp`.
    static func notInFamily(_ op: Op, _ family: String) -> Never {
        preconditionFailure("\(op.name) is not a \(family) op")
    }

    /// Lengths for vector ops: odd, tile-sized and report-sized.
    static let lengths = [1, 2, 7, 13, 28, 31, 64, 100, 255, 256, 257, 784, 1000, 4099, 50_176, 100_000]
    static let dims = [1, 2, 3, 7, 13, 16, 28, 31, 64, 65, 100, 127, 128, 784, 1000]

    static let gemm = ParityOp(op: .gemm) { random in
        // One case in four is a shape from the dense autoencoders, one in four a small shape
        // just past the tiled kernel's tiles (64 x 64 x 16 by default: a partial last tile in
        // every dimension and several K slices); the rest are random.
        let reportShapes = [(1000, 64, 784), (1000, 784, 64), (784, 64, 1000), (64, 784, 1000), (100, 10, 128)]
        let tileEdgeShapes = [(65, 33, 31), (33, 65, 17), (65, 65, 33), (127, 65, 17), (64, 64, 48), (97, 40, 23)]
        let kind = random.next() % 4
        var (m, n, k) = random.pick(kind == 1 ? tileEdgeShapes : reportShapes)
        if kind >= 2 {
            repeat { (m, n, k) = (random.pick(dims), random.pick(dims), random.pick(dims)) } while m * n * k > 20_000_000
        }
        let transA = random.next() % 2 == 0, transB = random.next() % 2 == 0
        let alpha = random.pick([1, 0.5, -2]) as Float, beta = random.pick([0, 1, 0.25]) as Float
        let a = random.uniforms(m * k), b = random.uniforms(k * n), c = random.uniforms(m * n)
        return ParityCase(shape: "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N") a\(alpha) b\(beta)", work: m * n * k) { [m, n, k] backend in
            try runCase(backend, inputs: [a, b, c]) { i, _ in
                try backend.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                 a: i[0], b: i[1], beta: beta, c: i[2])
                return [i[2]]
            }
        }
    }

    /// An activation and, one time in two, a dropout mask, for the fused ops' cases.
    static func randomEpilogue(_ random: inout SeededRandom) -> (ActivationFunction, DropoutDraw?, String) {
        let activation = random.pick(ActivationFunction.examples), p = random.pick([0, 0.2, 0.5]) as Float
        let dropout = p == 0 ? nil : DropoutDraw(p: p, seed: UInt32(truncatingIfNeeded: random.next()), step: UInt32(random.next() % 1000))
        return (activation, dropout, "\(activation)\(dropout.map { " p\($0.p)" } ?? "")")
    }

    /// A Linear layer's fused forward pass: report shapes and random ones, every transpose.
    static let gemmBiasActivation = ParityOp(op: .gemmBiasActivation) { random in
        var (m, n, k) = random.pick([(100, 64, 800), (100, 800, 64), (1000, 512, 784), (100, 10, 64), (65, 33, 31)])
        if random.next() % 2 == 0 {
            repeat { (m, n, k) = (random.pick(dims), random.pick(dims), random.pick(dims)) } while m * n * k > 20_000_000
        }
        let transA = random.next() % 2 == 0, transB = random.next() % 2 == 0
        let (activation, dropout, epilogue) = randomEpilogue(&random)
        let a = random.uniforms(m * k), b = random.uniforms(k * n), bias = random.uniforms(n)
        return ParityCase(shape: "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N") \(epilogue)", work: m * n * k) { [m, n, k] backend in
            try runCase(backend, inputs: [a, b, bias], outputs: [m * n]) { i, o in
                try backend.gemmBiasActivation(transA: transA, transB: transB, m: m, n: n, k: k, a: i[0], b: i[1], bias: i[2],
                                               activation: activation, dropout: dropout, c: o[0])
                return o
            }
        }
    }

    /// A Conv2d layer's fused forward pass on random shapes (both algorithms: the direct kernel
    /// below `im2colMinChannels` output channels, the batched GEMM's epilogue above).
    static let convolutionBiasActivation = ParityOp(op: .conv2dBiasActivationForward) { random in
        let g = randomConv(&random), (activation, dropout, epilogue) = randomEpilogue(&random)
        let x = random.uniforms(g.inputCount), w = random.uniforms(g.weightCount), bias = random.uniforms(g.outChannels)
        return ParityCase(shape: "\(g) \(epilogue)", work: g.multiplyAdds) { backend in
            try runCase(backend, inputs: [x, w, bias], outputs: [g.outputCount]) { i, o in
                try backend.conv2dBiasActivationForward(g, input: i[0], weight: i[1], bias: i[2], activation: activation,
                                                        dropout: dropout, output: o[0])
                return o
            }
        }
    }

    static func randomConv(_ random: inout SeededRandom) -> ConvGeometry {
        while true {
            let size = random.pick([1, 4, 5, 7, 9, 13, 14, 28, 31])
            let kernel = random.pick([1, 2, 3, 3, 5])
            let g = ConvGeometry(batch: random.pick([1, 2, 3, 5]), inChannels: random.pick([1, 2, 3, 8, 16]),
                                 inHeight: size, inWidth: random.pick([size, size, 6, 11]),
                                 outChannels: random.pick([1, 4, 8, 16, 32]),
                                 kernelHeight: kernel, kernelWidth: random.pick([kernel, kernel, 1, 3]),
                                 stride: random.pick([1, 1, 2, 3]), padding: random.pick([0, 0, 1, 2]))
            if g.isValid && g.multiplyAdds <= 4_000_000 { return g }
        }
    }

    static func randomConvTranspose(_ random: inout SeededRandom) -> ConvTransposeGeometry {
        while true {
            let stride = random.pick([1, 2, 2, 3])
            let g = ConvTransposeGeometry(batch: random.pick([1, 2, 4]), inChannels: random.pick([1, 3, 8, 32]),
                                          inHeight: random.pick([1, 5, 6, 13]), inWidth: random.pick([1, 5, 7, 13]),
                                          outChannels: random.pick([1, 4, 16]), kernel: random.pick([1, 2, 3, 4]),
                                          stride: stride, padding: random.pick([0, 0, 1]),
                                          outputPadding: random.pick([0, 1, 2]) % stride)
            if g.isValid { return g }
        }
    }

    /// Which of a convolution's three ops a parity case runs.
    enum ConvolutionPass { case forward, backwardData, backwardWeights }

    /// A convolution op (plain or transposed: `draw` picks the geometry) on random shapes.
    static func convolution<G: ConvolutionRun>(_ op: Op, _ pass: ConvolutionPass,
                                               _ draw: @escaping @Sendable (inout SeededRandom) -> G) -> ParityOp {
        ParityOp(op: op) { random in
            let g = draw(&random)
            let x = random.uniforms(g.inputCount), w = random.uniforms(g.weightCount), dy = random.uniforms(g.outputCount)
            return ParityCase(shape: g.description, work: g.multiplyAdds) { backend in
                switch pass {
                case .forward:
                    return try runCase(backend, inputs: [x, w], outputs: [g.outputCount]) { i, o in
                        try g.forward(backend, input: i[0], weight: i[1], output: o[0]); return o
                    }
                case .backwardData:
                    return try runCase(backend, inputs: [dy, w], outputs: [g.inputCount]) { i, o in
                        try g.backwardData(backend, outputGrad: i[0], weight: i[1], inputGrad: o[0]); return o
                    }
                case .backwardWeights:
                    return try runCase(backend, inputs: [x, dy], outputs: [g.weightCount]) { i, o in
                        try g.backwardWeights(backend, input: i[0], outputGrad: i[1], weightGrad: o[0]); return o
                    }
                }
            }
        }
    }

    static func maxPool(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            var g: PoolGeometry
            repeat {
                let kernel = random.pick([1, 2, 2, 3])
                g = PoolGeometry(batch: random.pick([1, 2, 5]), channels: random.pick([1, 3, 8, 16]),
                                 inHeight: random.pick([1, 4, 7, 13, 14, 28]), inWidth: random.pick([2, 7, 13, 28]),
                                 kernel: kernel, stride: random.pick([kernel, kernel, 1, 2]),
                                 ceilMode: random.next() % 2 == 0)
            } while !g.isValid
            // Coarse values make ties likely, so "the first maximum wins" is checked too.
            let x = (0..<g.inputCount).map { _ in Float(random.next() % 5) }
            let dy = random.uniforms(g.outputCount)
            return ParityCase(shape: g.description, work: g.inputCount) { [g] backend in
                try runCase(backend, inputs: [x, dy], outputs: [g.outputCount, g.outputCount, g.inputCount]) { i, o in
                    try backend.maxPool2dForward(g, input: i[0], output: o[0], indices: o[1])
                    if op == .maxPool2dForward { return [o[0], o[1]] }
                    try backend.maxPool2dBackward(g, outputGrad: i[1], indices: o[1], inputGrad: o[2])
                    return [o[2]]
                }
            }
        }
    }

    /// Kernels 1–5, strides, padding up to half the kernel, ceil mode, both divisors.
    static func avgPool(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            var g: PoolGeometry
            repeat {
                let kernel = random.pick([1, 2, 2, 3, 5])
                g = PoolGeometry(batch: random.pick([1, 2, 5]), channels: random.pick([1, 3, 8, 16]),
                                 inHeight: random.pick([1, 4, 7, 13, 14, 28]), inWidth: random.pick([2, 7, 13, 28]),
                                 kernel: kernel, stride: random.pick([kernel, kernel, 1, 2]),
                                 padding: Int(random.next() % UInt64(kernel / 2 + 1)), ceilMode: random.next() % 2 == 0)
            } while !g.isValid
            let countIncludePad = random.next() % 2 == 0
            let x = random.uniforms(g.inputCount), dy = random.uniforms(g.outputCount)
            return ParityCase(shape: "\(g)\(countIncludePad ? "" : " exclude pad")", work: g.inputCount * g.kernel) { [g] backend in
                try runCase(backend, inputs: [x, dy], outputs: [g.outputCount, g.inputCount]) { i, o in
                    if op == .avgPool2dForward {
                        try backend.avgPool2dForward(g, countIncludePad: countIncludePad, input: i[0], output: o[0])
                        return [o[0]]
                    }
                    try backend.avgPool2dBackward(g, countIncludePad: countIncludePad, outputGrad: i[1], inputGrad: o[1])
                    return [o[1]]
                }
            }
        }
    }

    static func upsample(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let planes = random.pick([1, 3, 8, 16, 40]), h = random.pick([1, 2, 4, 7, 14]), w = random.pick([1, 3, 7, 14])
            let f = random.pick([1, 2, 2, 3])
            let x = random.uniforms(planes * h * w), dy = random.uniforms(planes * h * w * f * f)
            return ParityCase(shape: "\(planes)x\(h)x\(w) x\(f)", work: dy.count) { backend in
                if op == .upsampleForward {
                    return try runCase(backend, inputs: [x], outputs: [dy.count]) { i, o in
                        try backend.upsampleForward(planes: planes, height: h, width: w, factor: f, input: i[0], output: o[0])
                        return o
                    }
                }
                return try runCase(backend, inputs: [dy], outputs: [x.count]) { i, o in
                    try backend.upsampleBackward(planes: planes, height: h, width: w, factor: f, outputGrad: i[0], inputGrad: o[0])
                    return o
                }
            }
        }
    }

    /// Factors 1–4, planes down to 1×1 (the edge rules), both corner conventions.
    static func upsampleBilinear(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let planes = random.pick([1, 3, 8, 16]), h = random.pick([1, 2, 4, 7, 14]), w = random.pick([1, 3, 7, 14])
            let f = random.pick([1, 2, 2, 3, 4]), align = random.next() % 2 == 0
            let x = random.uniforms(planes * h * w), dy = random.uniforms(planes * h * w * f * f)
            return ParityCase(shape: "\(planes)x\(h)x\(w) x\(f)\(align ? " align_corners" : "")", work: dy.count) { backend in
                if op == .upsampleBilinearForward {
                    return try runCase(backend, inputs: [x], outputs: [dy.count]) { i, o in
                        try backend.upsampleBilinearForward(planes: planes, height: h, width: w, factor: f, alignCorners: align,
                                                            input: i[0], output: o[0])
                        return o
                    }
                }
                return try runCase(backend, inputs: [dy], outputs: [x.count]) { i, o in
                    try backend.upsampleBilinearBackward(planes: planes, height: h, width: w, factor: f, alignCorners: align,
                                                         outputGrad: i[0], inputGrad: o[0])
                    return o
                }
            }
        }
    }

    static func bias(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let outer = random.pick([1, 2, 7, 100, 1000]), channels = random.pick([1, 3, 8, 10, 64, 784])
            let inner = channels > 64 ? 1 : random.pick([1, 1, 4, 13, 196, 784])
            let x = random.uniforms(outer * channels * inner), b = random.uniforms(channels)
            return ParityCase(shape: "\(outer)x\(channels)x\(inner)", work: x.count) { backend in
                if op == .biasAdd {
                    return try runCase(backend, inputs: [x, b]) { i, _ in
                        try backend.biasAdd(i[0], bias: i[1], channels: channels, inner: inner); return [i[0]]
                    }
                }
                return try runCase(backend, inputs: [x], outputs: [channels]) { i, o in
                    try backend.biasGradient(i[0], channels: channels, inner: inner, into: o[0]); return o
                }
            }
        }
    }

    /// The fused bias-activation-dropout pass on bias-shaped tensors, every activation with and
    /// without dropout; the backward case runs the forward first, as a layer does, and compares
    /// both its outputs (input gradient and bias gradient).
    static func biasActivation(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let outer = random.pick([1, 2, 7, 100]), channels = random.pick([1, 3, 8, 16, 64, 784])
            let inner = channels > 64 ? 1 : random.pick([1, 1, 4, 13, 121, 676])
            let n = outer * channels * inner
            let activation = random.pick(ActivationFunction.examples.filter(\.gradientFromOutput))
            let p = random.pick([0, 0, 0.2, 0.5]) as Float, seed = UInt32(truncatingIfNeeded: random.next())
            let dropout = p == 0 ? nil : DropoutDraw(p: p, seed: seed, step: UInt32(random.next() % 1000))
            let x = random.uniforms(n, -3, 3), b = random.uniforms(channels), dy = random.uniforms(n)
            let shape = "\(outer)x\(channels)x\(inner) \(activation)\(dropout.map { " p\($0.p)" } ?? "")"
            return ParityCase(shape: shape, work: n) { backend in
                try runCase(backend, inputs: [x, b, dy], outputs: [n, n, channels]) { i, o in
                    try backend.biasActivationForward(i[0], bias: i[1], channels: channels, inner: inner,
                                                      activation: activation, dropout: dropout, output: o[0])
                    guard op == .biasActivationBackward else { return [o[0]] }
                    try backend.biasActivationBackward(output: o[0], outputGrad: i[2], channels: channels, inner: inner,
                                                       activation: activation, dropout: dropout, inputGrad: o[1],
                                                       biasGrad: o[2])
                    return [o[1], o[2]]
                }
            }
        }
    }

    /// Every activation kind (`ActivationFunction.examples`) in every case, on the same input;
    /// the backward case runs the forward first, as a layer does.
    static func activation(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let n = random.pick(lengths), kinds = ActivationFunction.examples
            let x = random.uniforms(n, -6, 6), dy = random.uniforms(n)
            return ParityCase(shape: "\(n) x \(kinds.count) kinds", work: n * kinds.count) { backend in
                try runCase(backend, inputs: [x, dy], outputs: Array(repeating: n, count: 2 * kinds.count)) { i, o in
                    try kinds.enumerated().map { k, activation in
                        let y = o[2 * k], dx = o[2 * k + 1]
                        try backend.activationForward(activation, i[0], output: y)
                        guard op == .activationBackward else { return y }
                        try backend.activationBackward(activation, input: i[0], output: y, outputGrad: i[1], inputGrad: dx)
                        return dx
                    }
                }
            }
        }
    }

    /// BatchNorm1d and 2d shapes (S4-sized planes, odd ones, a batch of 2), affine or not, by
    /// the batch's statistics with and without a running update, or by the running ones; the
    /// backward case runs the forward first, as a layer does, and compares every gradient.
    static func batchNorm(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let outer = random.pick([2, 3, 16, 100]), channels = random.pick([1, 3, 16, 32, 64])
            let inner = random.pick([1, 1, 7, 121, 196, 676])
            let shape = BatchNormShape(outer: outer, channels: channels, inner: inner), n = shape.count
            let affine = random.next() % 3 != 0
            let mode: BatchNormMode = op == .batchNormBackward ? .batch(runningFactor: random.pick([nil, 0.1]))
                : random.pick([.batch(runningFactor: nil), .batch(runningFactor: 0.1), .batch(runningFactor: 1), .running])
            // An offset and a spread per channel, as a layer's inputs have.
            let offsets = random.uniforms(channels, -2, 2)
            let x = random.uniforms(n, -1, 1).enumerated().map { i, v in 3 * v + offsets[(i / inner) % channels] }
            let dy = random.uniforms(n), scale = random.uniforms(channels, 0.5, 1.5), shift = random.uniforms(channels)
            let runningMean = random.uniforms(channels), runningVar = random.uniforms(channels, 0.5, 2)
            let label = "\(shape)\(affine ? "" : " no affine") \(mode)"
            return ParityCase(shape: label, work: n) { backend in
                try runCase(backend, inputs: [x, dy, scale, shift, runningMean, runningVar],
                            outputs: [n, channels, channels, n, channels, channels]) { i, o in
                    try backend.batchNormForward(i[0], shape: shape, scale: affine ? i[2] : nil, shift: affine ? i[3] : nil,
                                                 epsilon: 1e-5, mode: mode, runningMean: i[4], runningVar: i[5], mean: o[1],
                                                 invStd: o[2], output: o[0])
                    guard op == .batchNormBackward else { return [o[0], o[1], o[2], i[4], i[5]] }
                    try backend.batchNormBackward(i[0], outputGrad: i[1], shape: shape, scale: affine ? i[2] : nil, mean: o[1],
                                                  invStd: o[2], inputGrad: o[3], scaleGrad: affine ? o[4] : nil,
                                                  shiftGrad: affine ? o[5] : nil)
                    return affine ? [o[3], o[4], o[5]] : [o[3]]
                }
            }
        }
    }

    static func dropout(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let n = random.pick(lengths), p = random.pick([0, 0.1, 0.2, 0.5, 0.9]) as Float
            let seed = UInt32(truncatingIfNeeded: random.next()), step = UInt32(random.next() % 1000)
            let x = random.uniforms(n)
            return ParityCase(shape: "\(n) p\(p)", work: n) { backend in
                try runCase(backend, inputs: [x], outputs: [n]) { i, o in
                    if op == .dropoutForward {
                        try backend.dropoutForward(i[0], output: o[0], p: p, seed: seed, step: step)
                    } else {
                        try backend.dropoutBackward(outputGrad: i[0], inputGrad: o[0], p: p, seed: seed, step: step)
                    }
                    return o
                }
            }
        }
    }

    static var saltAndPepper: ParityOp {
        ParityOp(op: .saltAndPepper) { random in
            let n = random.pick(lengths), amount = random.pick([0, 0.1, 0.3, 0.5, 1]) as Float
            let seed = UInt32(truncatingIfNeeded: random.next()), step = UInt32(random.next() % 1000)
            let x = random.uniforms(n, 0, 1)
            return ParityCase(shape: "\(n) amount \(amount)", work: n) { backend in
                try runCase(backend, inputs: [x], outputs: [n]) { i, o in
                    try backend.saltAndPepper(i[0], output: o[0], amount: amount, seed: seed, step: step)
                    return o
                }
            }
        }
    }

    static func loss(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let rows = random.pick([1, 3, 10, 100, 1000]), classes = op == .mseLoss ? random.pick([1, 10, 784]) : random.pick([2, 10, 13])
            let prediction = random.uniforms(rows * classes, -3, 3)
            var target = random.uniforms(rows * classes, 0, 1)
            if op != .mseLoss {  // one-hot labels
                target = [Float](repeating: 0, count: rows * classes)
                for r in 0..<rows { target[r * classes + Int(random.next() % UInt64(classes))] = 1 }
            }
            let start = random.uniform(-1, 1)
            return ParityCase(shape: "\(rows)x\(classes)", work: rows * classes) { [target] backend in
                try runCase(backend, inputs: [prediction, target, [start]], outputs: [rows * classes]) { i, o in
                    if op == .mseLoss {
                        try backend.mseLoss(prediction: i[0], target: i[1], gradient: o[0], lossAccumulator: i[2])
                    } else {
                        try backend.softmaxCrossEntropy(logits: i[0], target: i[1], rows: rows, classes: classes,
                                                        gradient: o[0], lossAccumulator: i[2])
                    }
                    return [o[0], i[2]]
                }
            }
        }
    }

    /// Every `PixelLoss` in every case, on predictions a sigmoid's outputs could be (in (0, 1),
    /// with exact 0s and 1s where BCE's log clamp matters) and targets in [0, 1].
    static let pixelLoss = ParityOp(op: .pixelLoss) { random in
        let n = random.pick(lengths + [784_000]), losses = PixelLoss.allCases
        var prediction = random.uniforms(n, 0.001, 0.999), target = random.uniforms(n, 0, 1)
        for i in stride(from: 0, to: n, by: 97) { prediction[i] = Float(i % 2) }
        for i in stride(from: 5, to: n, by: 89) { target[i] = Float(i % 2) }
        return ParityCase(shape: "\(n) x \(losses.count) losses", work: n * losses.count) { [prediction, target] backend in
            try runCase(backend, inputs: [prediction, target] + losses.map { _ in [0.5] }, outputs: losses.map { _ in n }) { i, o in
                try losses.enumerated().flatMap { k, loss in
                    try backend.pixelLoss(loss, prediction: i[0], target: i[1], gradient: o[k], lossAccumulator: i[2 + k])
                    return [o[k], i[2 + k]]
                }
            }
        }
    }

    static func reduction(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            // 784 000 (a batch of 1000 images) is past OpenCL's one-work-group sums: two launches.
            let n = random.pick(lengths + [784_000]), scale = random.pick([1, 0.001, -0.5]) as Float
            let a = random.uniforms(n, 0, 1), b = random.uniforms(n, 0, 1), start = random.uniform(-1, 1)
            return ParityCase(shape: "\(n) scale \(scale)", work: n) { backend in
                try runCase(backend, inputs: [a, b, [start]]) { i, _ in
                    switch op {
                    case .sum: try backend.sum(i[0], scale: scale, into: i[2])
                    case .squaredDifferenceSum: try backend.squaredDifferenceSum(i[0], i[1], scale: scale, into: i[2])
                    case .binaryAgreementSum: try backend.binaryAgreementSum(i[0], i[1], scale: scale, into: i[2])
                    default: notInFamily(op, "reduction")
                    }
                    return [i[2]]
                }
            }
        }
    }

    /// Logits with ties among them (rounded to a few values), so the first-maximum rule is checked.
    static var confusion: ParityOp {
        ParityOp(op: .confusionAdd) { random in
            let rows = random.pick([1, 3, 100, 1000]), classes = random.pick([2, 10, 13])
            let logits = random.uniforms(rows * classes, -2, 2).map { ($0 * 2).rounded() }
            var target = [Float](repeating: 0, count: rows * classes)
            for r in 0..<rows { target[r * classes + Int(random.next() % UInt64(classes))] = 1 }
            let start = (0..<(classes * classes)).map { _ in Float(random.next() % 5) }
            return ParityCase(shape: "\(rows)x\(classes)", work: rows * classes) { [target] backend in
                try runCase(backend, inputs: [logits, target, start]) { i, _ in
                    try backend.confusionAdd(logits: i[0], target: i[1], rows: rows, classes: classes, confusion: i[2])
                    return [i[2]]
                }
            }
        }
    }

    static var gatherRows: ParityOp {
        ParityOp(op: .gatherRows) { random in
            let rows = random.pick([1, 7, 100]), rowLength = random.pick([1, 10, 784]), count = random.pick([1, 5, 64])
            let first = Int(random.next() % 4)
            let indices = (0..<(first + count)).map { _ in Float(random.next() % UInt64(rows)) }
            let source = random.uniforms(rows * rowLength)
            return ParityCase(shape: "\(count)x\(rowLength) of \(rows)", work: count * rowLength) { backend in
                try runCase(backend, inputs: [source, indices], outputs: [count * rowLength]) { i, o in
                    try backend.gatherRows(i[0], rowLength: rowLength, indices: i[1], first: first, count: count, output: o[0])
                    return o
                }
            }
        }
    }

    static func optimizer(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let n = random.pick(lengths)
            let w = random.uniforms(n), g = random.uniforms(n), s1 = random.uniforms(n), s2 = random.uniforms(n, 0, 1)
            let lr = random.pick([1e-3, 0.5, 1]) as Float, decay = random.pick([0, 1e-5, 0.01]) as Float
            let momentum = random.pick([0, 0.5, 0.9]) as Float, nesterov = random.next() % 2 == 0
            let step = random.pick([1, 2, 10, 1000])
            let variant = op == .sgdStep ? "lr\(lr) m\(momentum)\(nesterov ? " nesterov" : "") wd\(decay)" : "lr\(lr) wd\(decay) t\(step)"
            return ParityCase(shape: "\(n) \(variant)", work: n) { backend in
                try runCase(backend, inputs: [w, g, s1, s2]) { i, _ in
                    if op == .sgdStep {
                        try backend.sgdStep(parameter: i[0], gradient: i[1], velocity: momentum == 0 ? nil : i[2],
                                            learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: decay)
                        return [i[0], i[2]]
                    }
                    try backend.adamStep(parameter: i[0], gradient: i[1], firstMoment: i[2], secondMoment: i[3],
                                         learningRate: lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                         weightDecay: decay, step: step)
                    return [i[0], i[2], i[3]]
                }
            }
        }
    }

    static func vector(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            let n = random.pick(lengths), alpha = random.uniform(-2, 2)
            let x = random.uniforms(n), y = random.uniforms(n)
            return ParityCase(shape: "\(n) alpha \(alpha)", work: n) { backend in
                try runCase(backend, inputs: [x, y]) { i, _ in
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
    }
}
