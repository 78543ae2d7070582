/// The shapes the parity check draws for every op, at random from sizes that include odd ones
/// (1, 7, 13, 31, …) and the reports' own (28×28 images, 784 → 64 layers, batches of 100/1000),
/// bounded so the whole suite runs in seconds on a CPU OpenCL device. What each op computes on a
/// shape is its `OpCase` (`Sources/Compute/OpCases/`), which the benchmark uses too.
enum ParityCatalog {
    /// The parity check of `op`. Exhaustive: a new `Op` does not build without its case.
    static func parityOp(_ op: Op) -> ParityOp {
        ParityOp(op: op) { random in
            switch op {
            case .gemm: gemm(&random)
            case .gemmBiasActivation: gemmBiasActivation(&random)
            case .conv2dForward: .convolution(op, .forward, randomConv(&random), &random)
            case .conv2dBiasActivationForward: convolutionBiasActivation(&random)
            case .conv2dBackwardData: .convolution(op, .backwardData, randomConv(&random), &random)
            case .conv2dBackwardWeights: .convolution(op, .backwardWeights, randomConv(&random), &random)
            case .convTranspose2dForward: .convolution(op, .forward, randomConvTranspose(&random), &random)
            case .convTranspose2dBackwardData: .convolution(op, .backwardData, randomConvTranspose(&random), &random)
            case .convTranspose2dBackwardWeights: .convolution(op, .backwardWeights, randomConvTranspose(&random), &random)
            case .maxPool2dForward, .maxPool2dBackward: .maxPool(op, randomPool(&random, kernels: [1, 2, 2, 3], padding: false), &random)
            case .avgPool2dForward, .avgPool2dBackward:
                .avgPool(op, randomPool(&random, kernels: [1, 2, 2, 3, 5], padding: true),
                         countIncludePad: random.next() % 2 == 0, &random)
            case .upsampleForward, .upsampleBackward:
                .upsample(op, planes: random.pick([1, 3, 8, 16, 40]), height: random.pick([1, 2, 4, 7, 14]),
                          width: random.pick([1, 3, 7, 14]), factor: random.pick([1, 2, 2, 3]), &random)
            case .upsampleBilinearForward, .upsampleBilinearBackward:
                // Factors 1–4, planes down to 1×1 (the edge rules), both corner conventions.
                .upsampleBilinear(op, planes: random.pick([1, 3, 8, 16]), height: random.pick([1, 2, 4, 7, 14]),
                                  width: random.pick([1, 3, 7, 14]), factor: random.pick([1, 2, 2, 3, 4]),
                                  alignCorners: random.next() % 2 == 0, &random)
            case .biasAdd, .biasGradient: bias(op, &random)
            case .biasActivationForward, .biasActivationBackward: biasActivation(op, &random)
            case .activationForward, .activationBackward:
                // Every activation kind in every case, on the same input.
                .activation(op, count: random.pick(lengths), ActivationFunction.examples, &random)
            case .batchNormForward, .batchNormBackward: batchNorm(op, &random)
            case .dropoutForward, .dropoutBackward:
                .dropout(op, count: random.pick(lengths), p: random.pick([0, 0.1, 0.2, 0.5, 0.9]),
                         seed: UInt32(truncatingIfNeeded: random.next()), step: UInt32(random.next() % 1000), &random)
            case .saltAndPepper:
                .saltAndPepper(count: random.pick(lengths), amount: random.pick([0, 0.1, 0.3, 0.5, 1]),
                               seed: UInt32(truncatingIfNeeded: random.next()), step: UInt32(random.next() % 1000), &random)
            case .reparameterizeForward, .reparameterizeBackward:
                .reparameterize(op, rows: random.pick([1, 2, 7, 100, 128, 1000]), features: random.pick([1, 2, 5, 20, 64]),
                                noise: op == .reparameterizeForward && random.next() % 4 == 0 ? nil
                                    : GaussianDraw(seed: UInt32(truncatingIfNeeded: random.next()), step: UInt32(random.next() % 1000)),
                                &random)
            case .gaussianKL:
                .gaussianKL(rows: random.pick([1, 2, 7, 100, 128, 1000]), features: random.pick([1, 2, 5, 20, 64]),
                            scale: random.pick([1, 1 / 128, 0.5]), withGradient: random.next() % 4 != 0, &random)
            case .mseLoss:
                .loss(op, rows: random.pick([1, 3, 10, 100, 1000]), classes: random.pick([1, 10, 784]), &random)
            case .softmaxCrossEntropy:
                .loss(op, rows: random.pick([1, 3, 10, 100, 1000]), classes: random.pick([2, 10, 13]), &random)
            case .pixelLoss:
                // Every loss in every case.
                .pixelLoss(count: random.pick(lengths + [784_000]), PixelLoss.allCases, &random)
            case .sum, .squaredDifferenceSum, .binaryAgreementSum:
                // 784 000 (a batch of 1000 images) is past OpenCL's one-work-group sums: two launches.
                .reduction(op, count: random.pick(lengths + [784_000]), scale: random.pick([1, 0.001, -0.5]), &random)
            case .confusionAdd:
                .confusion(rows: random.pick([1, 3, 100, 1000]), classes: random.pick([2, 10, 13]), &random)
            case .gatherRows:
                .gatherRows(rows: random.pick([1, 7, 100]), rowLength: random.pick([1, 10, 784]),
                            count: random.pick([1, 5, 64]), first: Int(random.next() % 4), &random)
            case .gatherByteRows:
                // Odd row lengths: rows that start inside a float of the source.
                .gatherByteRows(rows: random.pick([1, 7, 100]), rowLength: random.pick([1, 3, 10, 3072]),
                                count: random.pick([1, 5, 64]), first: Int(random.next() % 4), &random)
            case .sgdStep, .adamStep:
                .optimizer(op, count: random.pick(lengths), learningRate: random.pick([1e-3, 0.5, 1]),
                           weightDecay: random.pick([0, 1e-5, 0.01]), momentum: random.pick([0, 0.5, 0.9]),
                           nesterov: random.next() % 2 == 0, step: random.pick([1, 2, 10, 1000]), &random)
            case .fill, .copy, .axpy, .scale: .vector(op, count: random.pick(lengths), alpha: random.uniform(-2, 2), &random)
            }
        }
    }

    /// Lengths for vector ops: odd, tile-sized and report-sized.
    static let lengths = [1, 2, 7, 13, 28, 31, 64, 100, 255, 256, 257, 784, 1000, 4099, 50_176, 100_000]
    static let dims = [1, 2, 3, 7, 13, 16, 28, 31, 64, 65, 100, 127, 128, 784, 1000]

    /// One case in four a shape of the dense autoencoders, one in four a small shape just past
    /// the tiled kernel's tiles (64 × 64 × 16 by default: a partial last tile in every dimension
    /// and several K slices); the rest random; every transpose, and scalars that test beta.
    static func gemm(_ random: inout SeededRandom) -> OpCase {
        let reportShapes = [(1000, 64, 784), (1000, 784, 64), (784, 64, 1000), (64, 784, 1000), (100, 10, 128)]
        let tileEdgeShapes = [(65, 33, 31), (33, 65, 17), (65, 65, 33), (127, 65, 17), (64, 64, 48), (97, 40, 23)]
        let kind = random.next() % 4
        var (m, n, k) = random.pick(kind == 1 ? tileEdgeShapes : reportShapes)
        if kind >= 2 { (m, n, k) = randomProduct(&random) }
        let shape = GEMMShape(m: m, n: n, k: k, transA: random.next() % 2 == 0, transB: random.next() % 2 == 0)
        return .gemm(shape, alpha: random.pick([1, 0.5, -2]), beta: random.pick([0, 1, 0.25]), &random)
    }

    /// A Linear layer's fused forward pass: report shapes and random ones, every transpose.
    static func gemmBiasActivation(_ random: inout SeededRandom) -> OpCase {
        var (m, n, k) = random.pick([(100, 64, 800), (100, 800, 64), (1000, 512, 784), (100, 10, 64), (65, 33, 31)])
        if random.next() % 2 == 0 { (m, n, k) = randomProduct(&random) }
        let shape = GEMMShape(m: m, n: n, k: k, transA: random.next() % 2 == 0, transB: random.next() % 2 == 0)
        let (activation, dropout) = randomEpilogue(&random)
        return .gemmBiasActivation(shape, activation, dropout, &random)
    }

    /// Sizes from `dims` with at most 20 million multiply-adds.
    static func randomProduct(_ random: inout SeededRandom) -> (Int, Int, Int) {
        while true {
            let (m, n, k) = (random.pick(dims), random.pick(dims), random.pick(dims))
            if m * n * k <= 20_000_000 { return (m, n, k) }
        }
    }

    /// An activation and, one time in two, a dropout mask, for the fused ops' cases.
    static func randomEpilogue(_ random: inout SeededRandom) -> (ActivationFunction, DropoutDraw?) {
        let activation = random.pick(ActivationFunction.examples), p = random.pick([0, 0.2, 0.5]) as Float
        let dropout = p == 0 ? nil : DropoutDraw(p: p, seed: UInt32(truncatingIfNeeded: random.next()), step: UInt32(random.next() % 1000))
        return (activation, dropout)
    }

    /// A Conv2d layer's fused forward pass on random shapes (both algorithms: direct below the
    /// im2col threshold's output channels, the batched GEMM's epilogue above).
    static func convolutionBiasActivation(_ random: inout SeededRandom) -> OpCase {
        let g = randomConv(&random), (activation, dropout) = randomEpilogue(&random)
        return .convolutionBiasActivation(g, activation, dropout, &random)
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

    /// Pooling windows of `kernels`, strides, ceil mode, and (for average pooling) padding up to
    /// half the kernel.
    static func randomPool(_ random: inout SeededRandom, kernels: [Int], padding: Bool) -> PoolGeometry {
        while true {
            let kernel = random.pick(kernels)
            let g = PoolGeometry(batch: random.pick([1, 2, 5]), channels: random.pick([1, 3, 8, 16]),
                                 inHeight: random.pick([1, 4, 7, 13, 14, 28]), inWidth: random.pick([2, 7, 13, 28]),
                                 kernel: kernel, stride: random.pick([kernel, kernel, 1, 2]),
                                 padding: padding ? Int(random.next() % UInt64(kernel / 2 + 1)) : 0,
                                 ceilMode: random.next() % 2 == 0)
            if g.isValid { return g }
        }
    }

    /// Dense (inner 1, up to 784 channels) and convolutional (up to 64 channels of planes) shapes.
    static func bias(_ op: Op, _ random: inout SeededRandom) -> OpCase {
        let outer = random.pick([1, 2, 7, 100, 1000]), channels = random.pick([1, 3, 8, 10, 64, 784])
        let inner = channels > 64 ? 1 : random.pick([1, 1, 4, 13, 196, 784])
        return .bias(op, outer: outer, channels: channels, inner: inner, &random)
    }

    /// Bias-shaped tensors, every activation whose gradient comes from its output (the fused
    /// backward pass keeps only the output), with and without dropout.
    static func biasActivation(_ op: Op, _ random: inout SeededRandom) -> OpCase {
        let outer = random.pick([1, 2, 7, 100]), channels = random.pick([1, 3, 8, 16, 64, 784])
        let inner = channels > 64 ? 1 : random.pick([1, 1, 4, 13, 121, 676])
        let activation = random.pick(ActivationFunction.examples.filter(\.gradientFromOutput))
        let p = random.pick([0, 0, 0.2, 0.5]) as Float, seed = UInt32(truncatingIfNeeded: random.next())
        let dropout = p == 0 ? nil : DropoutDraw(p: p, seed: seed, step: UInt32(random.next() % 1000))
        return .biasActivation(op, outer: outer, channels: channels, inner: inner, activation, dropout, &random)
    }

    /// BatchNorm1d and 2d shapes (28×28 planes, odd ones, a batch of 2), affine or not, by
    /// the batch's statistics with and without a running update, or by the running ones.
    static func batchNorm(_ op: Op, _ random: inout SeededRandom) -> OpCase {
        let outer = random.pick([2, 3, 16, 100]), channels = random.pick([1, 3, 16, 32, 64])
        let inner = random.pick([1, 1, 7, 121, 196, 676])
        let affine = random.next() % 3 != 0
        let mode: BatchNormMode = op == .batchNormBackward ? .batch(runningFactor: random.pick([nil, 0.1]))
            : random.pick([.batch(runningFactor: nil), .batch(runningFactor: 0.1), .batch(runningFactor: 1), .running])
        return .batchNorm(op, BatchNormShape(outer: outer, channels: channels, inner: inner), affine: affine, mode: mode, &random)
    }
}
