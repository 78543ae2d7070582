/// The shapes `aekit bench kernels` times: those of the reports' models at batch 100 (S4)
/// and 1000 (S0–S2), and GEMM at 1024³.
extension KernelBench {
    static func workloads() -> [Workload] {
        var list: [Workload] = []
        let float = 4.0

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
        list += gemms.map(gemmWorkload)

        // Convolutions of S1 (3×3 "same") and S4 (3×3 valid), forward and both backward passes.
        // (S4's stride-2 convolutions are its decoder's transposed ones, which run these ops.)
        for batch in [1000, 100] {
            let convs = [
                ConvGeometry(batch: batch, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 16, kernelHeight: 3, kernelWidth: 3, padding: 1),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 14, inWidth: 14, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 28, inWidth: 28, outChannels: 1, kernelHeight: 3, kernelWidth: 3, padding: 1),
                ConvGeometry(batch: batch, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 16, kernelHeight: 3, kernelWidth: 3),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 13, inWidth: 13, outChannels: 32, kernelHeight: 3, kernelWidth: 3),
                ConvGeometry(batch: batch, inChannels: 16, inHeight: 12, inWidth: 12, outChannels: 32, kernelHeight: 3, kernelWidth: 3, stride: 2),
            ]
            for g in convs {
                let flops = 2.0 * Double(g.multiplyAdds)
                let bytes = float * Double(g.inputCount + g.weightCount + g.outputCount)
                let shape = "\(g.batch)x\(g.inChannels)x\(g.inHeight)x\(g.inWidth) -> \(g.outChannels)x\(g.outHeight)x\(g.outWidth) "
                    + "k\(g.kernelHeight) s\(g.strideH) p\(g.padH)"
                list.append(Workload(op: .conv2dForward, shape: shape, flops: flops, bytes: bytes,
                                     inputs: [g.inputCount, g.weightCount, g.outputCount], outputChannels: g.outChannels) { backend, b in
                    try backend.conv2dForward(g, input: b[0], weight: b[1], output: b[2])
                })
                list.append(Workload(op: .conv2dBackwardData, shape: shape, flops: flops, bytes: bytes,
                                     inputs: [g.outputCount, g.weightCount, g.inputCount], outputChannels: g.outChannels) { backend, b in
                    try backend.conv2dBackwardData(g, outputGrad: b[0], weight: b[1], inputGrad: b[2])
                })
                list.append(Workload(op: .conv2dBackwardWeights, shape: shape, flops: flops, bytes: bytes,
                                     inputs: [g.inputCount, g.outputCount, g.weightCount], outputChannels: g.outChannels) { backend, b in
                    try backend.conv2dBackwardWeights(g, input: b[0], outputGrad: b[1], weightGrad: b[2])
                })
            }

            // Pooling and upsampling of S1 (ceil mode at 7 → 4) and S4 (floor at 11 → 5).
            let pools = [PoolGeometry(batch: batch, channels: 16, inHeight: 28, inWidth: 28, kernel: 2),
                         PoolGeometry(batch: batch, channels: 8, inHeight: 7, inWidth: 7, kernel: 2, ceilMode: true),
                         PoolGeometry(batch: batch, channels: 32, inHeight: 11, inWidth: 11, kernel: 2)]
            for g in pools {
                let shape = "\(g.batch)x\(g.channels)x\(g.inHeight)x\(g.inWidth) k2" + (g.ceilMode ? " ceil" : "")
                list.append(Workload(op: .maxPool2dForward, shape: shape, flops: Double(g.inputCount),
                                     bytes: float * Double(g.inputCount + 2 * g.outputCount),
                                     inputs: [g.inputCount, g.outputCount, g.outputCount]) { backend, b in
                    try backend.maxPool2dForward(g, input: b[0], output: b[1], indices: b[2])
                })
                list.append(Workload(op: .maxPool2dBackward, shape: shape, flops: 0,
                                     bytes: float * Double(g.inputCount + 2 * g.outputCount),
                                     inputs: [g.inputCount, g.outputCount, g.outputCount, g.inputCount]) { backend, b in
                    try backend.maxPool2dForward(g, input: b[0], output: b[1], indices: b[2])
                    try backend.maxPool2dBackward(g, outputGrad: b[1], indices: b[2], inputGrad: b[3])
                })
            }
            for (planes, size) in [(batch * 8, 4), (batch * 16, 14)] {
                let count = planes * size * size
                let shape = "\(batch)x\(planes / batch)x\(size)x\(size) x2"
                list.append(Workload(op: .upsampleForward, shape: shape, flops: 0, bytes: float * Double(5 * count),
                                     inputs: [count, 4 * count]) { backend, b in
                    try backend.upsampleForward(planes: planes, height: size, width: size, factor: 2, input: b[0], output: b[1])
                })
                list.append(Workload(op: .upsampleBackward, shape: shape, flops: Double(4 * count), bytes: float * Double(5 * count),
                                     inputs: [4 * count, count]) { backend, b in
                    try backend.upsampleBackward(planes: planes, height: size, width: size, factor: 2, outputGrad: b[0], inputGrad: b[1])
                })
                // Bilinear: four reads and three multiply-adds an output each way.
                list.append(Workload(op: .upsampleBilinearForward, shape: shape, flops: Double(24 * count),
                                     bytes: float * Double(5 * count), inputs: [count, 4 * count]) { backend, b in
                    try backend.upsampleBilinearForward(planes: planes, height: size, width: size, factor: 2, alignCorners: false,
                                                        input: b[0], output: b[1])
                })
                list.append(Workload(op: .upsampleBilinearBackward, shape: shape, flops: Double(24 * count),
                                     bytes: float * Double(5 * count), inputs: [4 * count, count]) { backend, b in
                    try backend.upsampleBilinearBackward(planes: planes, height: size, width: size, factor: 2, alignCorners: false,
                                                         outputGrad: b[0], inputGrad: b[1])
                })
            }

            // Elementwise ops at one batch of 28×28 images.
            let n = batch * 784, shape = "\(batch)x784"
            // Op, flops per element, floats moved per element, buffer sizes, the call.
            let elementwise: [(Op, Double, Int, [Int], (any Backend, [Buffer]) throws -> Void)] = [
                (.dropoutForward, 2, 2, [n, n], { try $0.dropoutForward($1[0], output: $1[1], p: 0.1, seed: 1, step: 1) }),
                (.biasAdd, 1, 2, [n, 784], { try $0.biasAdd($1[0], bias: $1[1], channels: 784, inner: 1) }),
                (.biasGradient, 1, 1, [n, 784], { try $0.biasGradient($1[0], channels: 784, inner: 1, into: $1[1]) }),
                (.mseLoss, 4, 3, [n, n, n, 1], { try $0.mseLoss(prediction: $1[0], target: $1[1], gradient: $1[2], lossAccumulator: $1[3]) }),
                (.pixelLoss, 0, 3, [n, n, n, 1], {
                    try $0.pixelLoss(.bce, prediction: $1[0], target: $1[1], gradient: $1[2], lossAccumulator: $1[3])
                }),
                (.axpy, 2, 3, [n, n], { try $0.axpy(alpha: 0.5, x: $1[0], y: $1[1]) }),
            ]
            for (op, flopsPerElement, traffic, inputs, run) in elementwise {
                list.append(Workload(op: op, shape: shape, flops: flopsPerElement * Double(n),
                                     bytes: float * Double(traffic * n), inputs: inputs, run: run))
            }
            // Average pooling 2×2 over S4's first layer's output, and a 3×3 stride-1 padded one.
            for g in [PoolGeometry(batch: batch, channels: 16, inHeight: 28, inWidth: 28, kernel: 2),
                      PoolGeometry(batch: batch, channels: 16, inHeight: 28, inWidth: 28, kernel: 3, stride: 1, padding: 1)] {
                list.append(Workload(op: .avgPool2dForward, shape: "\(g)", flops: Double(g.outputCount * g.kernel * g.kernel),
                                     bytes: float * Double(g.inputCount + g.outputCount), inputs: [g.inputCount, g.outputCount]) { backend, b in
                    try backend.avgPool2dForward(g, countIncludePad: true, input: b[0], output: b[1])
                })
                list.append(Workload(op: .avgPool2dBackward, shape: "\(g)", flops: Double(g.outputCount * g.kernel * g.kernel),
                                     bytes: float * Double(g.inputCount + g.outputCount), inputs: [g.outputCount, g.inputCount]) { backend, b in
                    try backend.avgPool2dBackward(g, countIncludePad: true, outputGrad: b[0], inputGrad: b[1])
                })
            }
            // Batch normalisation at S4's first layer's output (16 channels of 28×28): three reads
            // and a write forward, four reads and a write backward.
            let bn = BatchNormShape(outer: batch, channels: 16, inner: 784), bnCount = bn.count
            list.append(Workload(op: .batchNormForward, shape: "\(bn) batch", flops: 0, bytes: float * Double(4 * bnCount),
                                 inputs: [bnCount, bnCount, 16, 16, 16, 16, 16, 16]) { backend, b in
                try backend.batchNormForward(b[0], shape: bn, scale: b[2], shift: b[3], epsilon: 1e-5, mode: .batch(runningFactor: 0.1),
                                             runningMean: b[4], runningVar: b[5], mean: b[6], invStd: b[7], output: b[1])
            })
            list.append(Workload(op: .batchNormBackward, shape: "\(bn)", flops: 0, bytes: float * Double(5 * bnCount),
                                 inputs: [bnCount, bnCount, bnCount, 16, 16, 16, 16, 16]) { backend, b in
                try backend.batchNormBackward(b[0], outputGrad: b[1], shape: bn, scale: b[3], mean: b[4], invStd: b[5],
                                              inputGrad: b[2], scaleGrad: b[6], shiftGrad: b[7])
            })
            // Every activation kind each way; no FLOP count (a tanh or an erf is no fixed number
            // of them): the rows read as bandwidth. The backward pass reads x, y and dy.
            for activation in ActivationFunction.examples {
                list.append(Workload(op: .activationForward, shape: "\(shape) \(activation)", flops: 0,
                                     bytes: float * Double(2 * n), inputs: [n, n]) { backend, b in
                    try backend.activationForward(activation, b[0], output: b[1])
                })
                list.append(Workload(op: .activationBackward, shape: "\(shape) \(activation)", flops: 0,
                                     bytes: float * Double(3 * n), inputs: [n, n, n, n]) { backend, b in
                    try backend.activationBackward(activation, input: b[0], output: b[1], outputGrad: b[2], inputGrad: b[3])
                })
            }
        }

        // Optimizer steps over the parameters of the dense AE with 512 hidden units (~800k).
        let parameters = 784 * 512 * 2 + 512 + 784
        list.append(Workload(op: .sgdStep, shape: "\(parameters) momentum 0.5 nesterov", flops: 5 * Double(parameters),
                             bytes: float * Double(5 * parameters), inputs: [parameters, parameters, parameters]) { backend, b in
            try backend.sgdStep(parameter: b[0], gradient: b[1], velocity: b[2], learningRate: 0.01, momentum: 0.5,
                                nesterov: true, weightDecay: 1e-5)
        })
        list.append(Workload(op: .adamStep, shape: "\(parameters)", flops: 12 * Double(parameters),
                             bytes: float * Double(7 * parameters), inputs: [parameters, parameters, parameters, parameters]) { backend, b in
            try backend.adamStep(parameter: b[0], gradient: b[1], firstMoment: b[2], secondMoment: b[3], learningRate: 1e-3,
                                 beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, step: 10)
        })
        return list
    }

    /// C = A·B of shape `s` (alpha 1, beta 0) on buffers A, B, C.
    static func gemmWorkload(_ s: GEMMShape) -> Workload {
        Workload(op: .gemm, shape: s.description, flops: 2.0 * Double(s.m * s.n * s.k),
                 bytes: Double(MemoryLayout<Float>.stride * (s.m * s.k + s.k * s.n + s.m * s.n)), inputs: [s.m * s.k, s.k * s.n, s.m * s.n]) { backend, b in
            try backend.gemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                             a: b[0], b: b[1], beta: 0, c: b[2])
        }
    }
}
