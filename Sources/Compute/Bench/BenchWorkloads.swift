/// The shapes `aekit bench kernels` times, every op at least once: those of AEKit's preset models
/// at batch 100 (conv-linear) and 1000 (dense, conv-keras), of `bench/conv-batchnorm.json`'s 4 × 4 stride-2
/// convolutions, and GEMM at 1024³. What each op computes on a shape is its `OpCase`, the one
/// the parity check runs.
extension KernelBench {
    static func workloads() -> [OpCase] {
        var random = SeededRandom(seed: 7)
        var list: [OpCase] = []

        // GEMM as a Linear layer runs it: forward y = x·Wᵀ (NT), backward-data dx = dy·W (NN),
        // weight gradient dW = dyᵀ·x (TN).
        var gemms = [GEMMShape(m: 1024, n: 1024, k: 1024, transA: false, transB: false)]
        for batch in [1000, 100] {
            gemms += [GEMMShape(m: batch, n: 64, k: 784, transA: false, transB: true),
                      GEMMShape(m: batch, n: 784, k: 64, transA: false, transB: true),
                      GEMMShape(m: 784, n: 64, k: batch, transA: true, transB: false),
                      GEMMShape(m: batch, n: 784, k: 512, transA: false, transB: true)]
        }
        gemms.append(GEMMShape(m: 100, n: 64, k: 800, transA: false, transB: true))
        list += gemms.map { OpCase.gemm($0, &random) }
        // A Linear layer's fused forward: the dense preset's encoder, without and with dropout.
        list.append(.gemmBiasActivation(GEMMShape(m: 100, n: 512, k: 784, transA: false, transB: true), .relu, nil, &random))
        list.append(.gemmBiasActivation(GEMMShape(m: 1000, n: 64, k: 784, transA: false, transB: true), .sigmoid,
                                        DropoutDraw(p: 0.2, seed: 1, step: 1), &random))

        for batch in [1000, 100] {
            // Convolutions of conv-keras (3×3 "same") and conv-linear (3×3 valid), forward and both backward passes.
            // (conv-linear's stride-2 convolutions are its decoder's transposed ones, which run these ops.)
            let convs = [
                ConvGeometry(batch: batch, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 16, kernelHeight: 3, kernelWidth: 3, padding: 1),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 14, inWidth: 14, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 28, inWidth: 28, outChannels: 1, kernelHeight: 3, kernelWidth: 3, padding: 1),
                ConvGeometry(batch: batch, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 16, kernelHeight: 3, kernelWidth: 3),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 13, inWidth: 13, outChannels: 32, kernelHeight: 3, kernelWidth: 3),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 12, inWidth: 12, outChannels: 32, kernelHeight: 3, kernelWidth: 3, stride: 2),
            ]
            for g in convs {
                list.append(.convolution(.conv2dForward, .forward, g, &random))
                list.append(.convolution(.conv2dBackwardData, .backwardData, g, &random))
                list.append(.convolution(.conv2dBackwardWeights, .backwardWeights, g, &random))
            }
            // conv-linear's middle convolution fused with its bias and ReLU.
            list.append(.convolutionBiasActivation(convs[4], .relu, nil, &random))

            // Pooling and upsampling of conv-keras (ceil mode at 7 → 4) and conv-linear (floor at 11 → 5).
            let pools = [PoolGeometry(batch: batch, channels: 16, inHeight: 28, inWidth: 28, kernel: 2),
                         PoolGeometry(batch: batch, channels: 8, inHeight: 7, inWidth: 7, kernel: 2, ceilMode: true),
                         PoolGeometry(batch: batch, channels: 32, inHeight: 11, inWidth: 11, kernel: 2)]
            for g in pools {
                list.append(.maxPool(.maxPool2dForward, g, &random))
                list.append(.maxPool(.maxPool2dBackward, g, &random))
            }
            for (channels, size) in [(8, 4), (16, 14)] {
                for op in [Op.upsampleForward, .upsampleBackward] {
                    list.append(.upsample(op, planes: batch * channels, height: size, width: size, factor: 2, &random))
                }
                for op in [Op.upsampleBilinearForward, .upsampleBilinearBackward] {
                    list.append(.upsampleBilinear(op, planes: batch * channels, height: size, width: size, factor: 2,
                                                  alignCorners: false, &random))
                }
            }
            // Average pooling 2×2 over conv-linear's first layer's output, and a 3×3 stride-1 padded one.
            for g in [PoolGeometry(batch: batch, channels: 16, inHeight: 28, inWidth: 28, kernel: 2),
                      PoolGeometry(batch: batch, channels: 16, inHeight: 28, inWidth: 28, kernel: 3, stride: 1, padding: 1)] {
                list.append(.avgPool(.avgPool2dForward, g, countIncludePad: true, &random))
                list.append(.avgPool(.avgPool2dBackward, g, countIncludePad: true, &random))
            }
            // Batch normalisation at conv-linear's first layer's output (16 channels of 28×28).
            let bn = BatchNormShape(outer: batch, channels: 16, inner: 784)
            list.append(.batchNorm(.batchNormForward, bn, affine: true, mode: .batch(runningFactor: 0.1), &random))
            list.append(.batchNorm(.batchNormBackward, bn, affine: true, mode: .batch(runningFactor: 0.1), &random))

            // Elementwise ops, losses and reductions at one batch of 28×28 images.
            let n = batch * 784
            list.append(.bias(.biasAdd, outer: batch, channels: 784, inner: 1, &random))
            list.append(.bias(.biasGradient, outer: batch, channels: 784, inner: 1, &random))
            for op in [Op.biasActivationForward, .biasActivationBackward] {
                list.append(.biasActivation(op, outer: batch, channels: 16, inner: 784, .relu, nil, &random))
            }
            // Every activation kind each way.
            for activation in ActivationFunction.examples {
                list.append(.activation(.activationForward, count: n, [activation], &random))
                list.append(.activation(.activationBackward, count: n, [activation], &random))
            }
            for op in [Op.dropoutForward, .dropoutBackward] {
                list.append(.dropout(op, count: n, p: 0.1, seed: 1, step: 1, &random))
            }
            list.append(.saltAndPepper(count: n, amount: 0.1, seed: 1, step: 1, &random))
            // pytorch/examples' VAE bottleneck: 20 features a row.
            for op in [Op.reparameterizeForward, .reparameterizeBackward] {
                list.append(.reparameterize(op, rows: batch, features: 20, noise: GaussianDraw(seed: 1, step: 1), &random))
            }
            list.append(.gaussianKL(rows: batch, features: 20, scale: 1 / Float(batch), withGradient: true, &random))
            list.append(.loss(.mseLoss, rows: batch, classes: 784, &random))
            list.append(.loss(.softmaxCrossEntropy, rows: batch, classes: 10, &random))
            list.append(.confusion(rows: batch, classes: 10, &random))
            for loss in PixelLoss.allCases { list.append(.pixelLoss(count: n, [loss], &random)) }
            for op in [Op.sum, .squaredDifferenceSum, .binaryAgreementSum] {
                list.append(.reduction(op, count: n, scale: 1, &random))
            }
            // The batch gather from a training set of 10 000 images.
            list.append(.gatherRows(rows: 10_000, rowLength: 784, count: batch, first: 0, &random))
            list.append(.gatherByteRows(rows: 10_000, rowLength: 784, count: batch, first: 0, &random))
            for op in [Op.fill, .copy, .axpy, .scale] { list.append(.vector(op, count: n, alpha: 0.5, &random)) }
        }

        // The 4 × 4 stride-2 convolutions of bench/conv-batchnorm.json at batch 100 (most of its
        // epoch): 32 → 64 channels from 14 × 14 to 7 × 7, and the transposed one back.
        let wide = ConvGeometry(batch: 100, inChannels: 32, inHeight: 14, inWidth: 14, outChannels: 64,
                                kernelHeight: 4, kernelWidth: 4, stride: 2, padding: 1)
        list.append(.convolution(.conv2dForward, .forward, wide, &random))
        list.append(.convolution(.conv2dBackwardData, .backwardData, wide, &random))
        list.append(.convolution(.conv2dBackwardWeights, .backwardWeights, wide, &random))
        let back = ConvTransposeGeometry(batch: 100, inChannels: 64, inHeight: 7, inWidth: 7, outChannels: 32,
                                         kernel: 4, stride: 2, padding: 1)
        list.append(.convolution(.convTranspose2dForward, .forward, back, &random))
        list.append(.convolution(.convTranspose2dBackwardData, .backwardData, back, &random))
        list.append(.convolution(.convTranspose2dBackwardWeights, .backwardWeights, back, &random))

        // Optimizer steps over the parameters of the dense AE with 512 hidden units (~800k).
        let parameters = 784 * 512 * 2 + 512 + 784
        list.append(.optimizer(.sgdStep, count: parameters, learningRate: 0.01, weightDecay: 1e-5, momentum: 0.5,
                               nesterov: true, step: 1, &random))
        list.append(.optimizer(.adamStep, count: parameters, learningRate: 1e-3, weightDecay: 0, momentum: 0,
                               nesterov: false, step: 10, &random))
        return list
    }
}
