@testable import Compute
import Foundation
import Testing

/// Every backward op against central finite differences of its forward op, on the CPU
/// backend: for a random weighting r, f(x) = Σ r · forward(x) has gradient backward(r).
@Suite struct GradientTests {
    let backend = sharedCPU

    /// Compares `analytic` with (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε at up to 60 indices.
    func expectGradient(_ x: [Float], analytic: [Float], epsilon: Float = 1e-2,
                        sourceLocation: SourceLocation = #_sourceLocation,
                        _ f: ([Float]) throws -> Double) throws {
        #expect(analytic.count == x.count, sourceLocation: sourceLocation)
        var random = SeededRandom(seed: 99)
        let indices = x.count <= 60 ? Array(x.indices) : (0..<60).map { _ in Int(random.next() % UInt64(x.count)) }
        for i in indices {
            var plus = x, minus = x
            plus[i] += epsilon; minus[i] -= epsilon
            let numeric = (try f(plus) - f(minus)) / Double(2 * epsilon)
            let error = abs(numeric - Double(analytic[i]))
            #expect(error <= 2e-3 + 1e-2 * abs(numeric),
                    "d/dx[\(i)]: finite difference \(numeric), backward \(analytic[i])", sourceLocation: sourceLocation)
        }
    }

    /// Σ r · y in Double.
    func weighted(_ y: Buffer, _ r: [Float]) throws -> Double {
        zip(try backend.download(y), r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    func upload(_ values: [Float]) throws -> Buffer { try backend.tensor([values.count], values: values).buffer }

    static let convShapes = [
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 7, inWidth: 6, outChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1),
        ConvGeometry(batch: 1, inChannels: 2, inHeight: 9, inWidth: 9, outChannels: 3, kernelHeight: 3, kernelWidth: 2, stride: 2, padding: 0),
        ConvGeometry(batch: 3, inChannels: 1, inHeight: 5, inWidth: 8, outChannels: 2, kernelHeight: 5, kernelWidth: 3, stride: 3, padding: 2),
    ]

    static let transposedShapes = [
        ConvTransposeGeometry(batch: 2, inChannels: 3, inHeight: 3, inWidth: 4, outChannels: 2, kernel: 3, stride: 2, padding: 0, outputPadding: 1),
        ConvTransposeGeometry(batch: 1, inChannels: 2, inHeight: 5, inWidth: 5, outChannels: 3, kernel: 3, stride: 1, padding: 1),
    ]

    @Test(arguments: convShapes)
    func conv2dBackward(_ g: ConvGeometry) throws { try checkConvolution(g, seed: 1) }

    @Test(arguments: transposedShapes)
    func convTranspose2dBackward(_ g: ConvTransposeGeometry) throws { try checkConvolution(g, seed: 2) }

    /// Backward-data and backward-weights of a convolution, plain or transposed, against
    /// finite differences of its forward pass.
    func checkConvolution<G: ConvolutionRun>(_ g: G, seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let x = random.uniforms(g.inputCount), w = random.uniforms(g.weightCount), r = random.uniforms(g.outputCount)
        let y = try backend.makeBuffer(count: g.outputCount)
        let dx = try backend.makeBuffer(count: g.inputCount), dw = try backend.makeBuffer(count: g.weightCount)
        try g.backwardData(backend, outputGrad: upload(r), weight: upload(w), inputGrad: dx)
        try g.backwardWeights(backend, input: upload(x), outputGrad: upload(r), weightGrad: dw)
        try expectGradient(x, analytic: backend.download(dx)) {
            try g.forward(backend, input: upload($0), weight: upload(w), output: y); return try weighted(y, r)
        }
        try expectGradient(w, analytic: backend.download(dw)) {
            try g.forward(backend, input: upload(x), weight: upload($0), output: y); return try weighted(y, r)
        }
    }

    @Test(arguments: [false, true])
    func maxPoolBackward(ceilMode: Bool) throws {
        let g = PoolGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: 5, kernel: 2, ceilMode: ceilMode)
        // Distinct values spaced wider than 2ε, so no perturbation changes which one is largest.
        var random = SeededRandom(seed: 3)
        let x = (0..<g.inputCount).map { Float($0) * 0.05 }.shuffled(using: &random)
        let r = random.uniforms(g.outputCount)
        let y = try backend.makeBuffer(count: g.outputCount), indices = try backend.makeBuffer(count: g.outputCount)
        let dx = try backend.makeBuffer(count: g.inputCount)
        try backend.maxPool2dForward(g, input: upload(x), output: y, indices: indices)
        try backend.maxPool2dBackward(g, outputGrad: upload(r), indices: indices, inputGrad: dx)
        try expectGradient(x, analytic: backend.download(dx)) {
            try backend.maxPool2dForward(g, input: upload($0), output: y, indices: indices); return try weighted(y, r)
        }
    }

    /// Average pooling's backward op against finite differences of its forward op, padded and
    /// in ceil mode, both divisors.
    @Test(arguments: [false, true], [false, true])
    func avgPoolBackward(ceilMode: Bool, countIncludePad: Bool) throws {
        let g = PoolGeometry(batch: 2, channels: 2, inHeight: 7, inWidth: 6, kernel: 3, stride: 2, padding: 1, ceilMode: ceilMode)
        var random = SeededRandom(seed: 15)
        let x = random.uniforms(g.inputCount), r = random.uniforms(g.outputCount)
        let y = try backend.makeBuffer(count: g.outputCount), dx = try backend.makeBuffer(count: g.inputCount)
        try backend.avgPool2dBackward(g, countIncludePad: countIncludePad, outputGrad: upload(r), inputGrad: dx)
        try expectGradient(x, analytic: backend.download(dx)) {
            try backend.avgPool2dForward(g, countIncludePad: countIncludePad, input: upload($0), output: y); return try weighted(y, r)
        }
    }

    @Test(arguments: [false, true])
    func upsampleBilinearBackward(alignCorners: Bool) throws {
        var random = SeededRandom(seed: 16)
        let (planes, h, w, f) = (2, 3, 5, 3)
        let x = random.uniforms(planes * h * w), r = random.uniforms(x.count * f * f)
        let y = try backend.makeBuffer(count: r.count), dx = try backend.makeBuffer(count: x.count)
        try backend.upsampleBilinearBackward(planes: planes, height: h, width: w, factor: f, alignCorners: alignCorners,
                                             outputGrad: upload(r), inputGrad: dx)
        try expectGradient(x, analytic: backend.download(dx)) {
            try backend.upsampleBilinearForward(planes: planes, height: h, width: w, factor: f, alignCorners: alignCorners,
                                                input: upload($0), output: y)
            return try weighted(y, r)
        }
    }

    @Test func upsampleBackward() throws {
        var random = SeededRandom(seed: 4)
        let (planes, h, w, f) = (3, 4, 5, 2)
        let x = random.uniforms(planes * h * w), r = random.uniforms(x.count * f * f)
        let y = try backend.makeBuffer(count: r.count), dx = try backend.makeBuffer(count: x.count)
        try backend.upsampleBackward(planes: planes, height: h, width: w, factor: f, outputGrad: upload(r), inputGrad: dx)
        try expectGradient(x, analytic: backend.download(dx)) {
            try backend.upsampleForward(planes: planes, height: h, width: w, factor: f, input: upload($0), output: y)
            return try weighted(y, r)
        }
    }

    @Test func biasGradient() throws {
        var random = SeededRandom(seed: 5)
        let (outer, channels, inner) = (3, 4, 6)
        let x = random.uniforms(outer * channels * inner), b = random.uniforms(channels), r = random.uniforms(x.count)
        let db = try backend.makeBuffer(count: channels)
        try backend.biasGradient(upload(r), channels: channels, inner: inner, into: db)
        try expectGradient(b, analytic: backend.download(db)) {
            let y = try upload(x)
            try backend.biasAdd(y, bias: upload($0), channels: channels, inner: inner)
            return try weighted(y, r)
        }
    }

    @Test func dropoutBackward() throws {
        var random = SeededRandom(seed: 6)
        let x = random.uniforms(200, -3, 3), r = random.uniforms(200)
        let y = try backend.makeBuffer(count: x.count), dx = try backend.makeBuffer(count: x.count)
        func forward(_ input: [Float]) throws { try backend.dropoutForward(upload(input), output: y, p: 0.25, seed: 9, step: 3) }
        try forward(x)
        try backend.dropoutBackward(outputGrad: upload(r), inputGrad: dx, p: 0.25, seed: 9, step: 3)
        try expectGradient(x, analytic: backend.download(dx), epsilon: 1e-3) { try forward($0); return try weighted(y, r) }
    }

    /// Batch normalisation by the batch's statistics: the input gradient (through the mean and
    /// variance too) and the scale's and shift's, against finite differences of the forward op.
    @Test(arguments: [false, true])
    func batchNormBackward(affine: Bool) throws {
        var random = SeededRandom(seed: 14)
        let shape = BatchNormShape(outer: 3, channels: 2, inner: 5), n = shape.count
        let x = random.uniforms(n, -2, 2), r = random.uniforms(n)
        let scale = random.uniforms(2, 0.5, 1.5), shift = random.uniforms(2)
        let y = try backend.makeBuffer(count: n), dx = try backend.makeBuffer(count: n)
        let mean = try backend.makeBuffer(count: 2), invStd = try backend.makeBuffer(count: 2)
        let dScale = try backend.makeBuffer(count: 2), dShift = try backend.makeBuffer(count: 2)
        func forward(_ input: [Float], _ a: [Float], _ b: [Float]) throws -> Double {
            try backend.batchNormForward(upload(input), shape: shape, scale: affine ? upload(a) : nil, shift: affine ? upload(b) : nil,
                                         epsilon: 1e-5, mode: .batch(runningFactor: nil), runningMean: nil, runningVar: nil,
                                         mean: mean, invStd: invStd, output: y)
            return try weighted(y, r)
        }
        _ = try forward(x, scale, shift)
        try backend.batchNormBackward(upload(x), outputGrad: upload(r), shape: shape, scale: affine ? upload(scale) : nil,
                                      mean: mean, invStd: invStd, inputGrad: dx, scaleGrad: affine ? dScale : nil,
                                      shiftGrad: affine ? dShift : nil)
        try expectGradient(x, analytic: backend.download(dx), epsilon: 1e-3) { try forward($0, scale, shift) }
        guard affine else { return }
        try expectGradient(scale, analytic: backend.download(dScale), epsilon: 1e-3) { try forward(x, $0, shift) }
        try expectGradient(shift, analytic: backend.download(dShift), epsilon: 1e-3) { try forward(x, scale, $0) }
    }

    /// Each `PixelLoss`'s gradient against finite differences of its loss, predictions in
    /// (0.05, 0.95) (BCE's domain) and at least 0.05 from their targets (L1's kink).
    @Test(arguments: PixelLoss.allCases)
    func pixelLossGradient(_ loss: PixelLoss) throws {
        var random = SeededRandom(seed: 13)
        // Few elements: each gradient is (a term's slope) / count, large against the tolerance.
        let t = random.uniforms(12, 0, 1)
        let p = zip(random.uniforms(12, 0.05, 0.95), t).map { p, t in abs(p - t) < 0.05 ? (t > 0.5 ? t - 0.1 : t + 0.1) : p }
        let g = try backend.makeBuffer(count: p.count)
        func value(_ prediction: [Float]) throws -> Double {
            let sum = try upload([0])
            try backend.pixelLoss(loss, prediction: upload(prediction), target: upload(t), gradient: g, lossAccumulator: sum)
            return Double(try backend.download(sum)[0])
        }
        _ = try value(p)
        try expectGradient(p, analytic: backend.download(g), epsilon: 1e-3, value)
    }

    /// Where the examples' activations have a kink or a jump (ReLU, LeakyReLU and ELU at 0,
    /// Hardtanh at -0.5 and 2, Softplus(beta=2, threshold=5) at 2.5): inputs are kept 0.05 away
    /// from them, so no finite difference straddles one.
    static let kinks: [Float] = [0, -0.5, 2, 2.5]
    static func awayFromKinks(_ z: Float) -> Float { kinks.contains { abs(z - $0) < 0.05 } ? z + 0.1 : z }

    /// Every activation kind's backward op (from its output, or from its input for GELU and
    /// SiLU) against finite differences of its forward op.
    @Test(arguments: ActivationFunction.examples)
    func activationBackward(_ activation: ActivationFunction) throws {
        var random = SeededRandom(seed: 6)
        let x = random.uniforms(200, -4, 4).map(Self.awayFromKinks), r = random.uniforms(200)
        let y = try backend.makeBuffer(count: x.count), dx = try backend.makeBuffer(count: x.count)
        let input = try upload(x)
        try backend.activationForward(activation, input, output: y)
        try backend.activationBackward(activation, input: input, output: y, outputGrad: upload(r), inputGrad: dx)
        try expectGradient(x, analytic: backend.download(dx), epsilon: 1e-3) {
            try backend.activationForward(activation, upload($0), output: y); return try weighted(y, r)
        }
    }

    /// The fused pass's input and bias gradients against finite differences of its forward, for
    /// every activation with and without dropout (a fixed mask: the same seed and step).
    @Test(arguments: ActivationFunction.examples.filter(\.gradientFromOutput), [false, true])
    func biasActivationBackward(_ activation: ActivationFunction, dropout: Bool) throws {
        var random = SeededRandom(seed: 10)
        let (outer, channels, inner) = (3, 4, 5), n = outer * channels * inner
        let b = random.uniforms(channels), r = random.uniforms(n)
        // Keep the activation's inputs (x + bias) away from its kinks.
        let x = random.uniforms(n, -3, 3).enumerated().map { i, v in
            let bias = b[(i / inner) % channels]
            return Self.awayFromKinks(v + bias) - bias
        }
        let draw = dropout ? DropoutDraw(p: 0.3, seed: 4, step: 2) : nil
        let y = try backend.makeBuffer(count: n), dx = try backend.makeBuffer(count: n), db = try backend.makeBuffer(count: channels)
        func forward(_ input: [Float], _ bias: [Float]) throws -> Double {
            try backend.biasActivationForward(upload(input), bias: upload(bias), channels: channels, inner: inner,
                                              activation: activation, dropout: draw, output: y)
            return try weighted(y, r)
        }
        _ = try forward(x, b)
        try backend.biasActivationBackward(output: y, outputGrad: upload(r), channels: channels, inner: inner,
                                           activation: activation, dropout: draw, inputGrad: dx, biasGrad: db)
        try expectGradient(x, analytic: backend.download(dx), epsilon: 1e-3) { try forward($0, b) }
        try expectGradient(b, analytic: backend.download(db), epsilon: 1e-3) { try forward(x, $0) }
    }

    /// The fused forward passes (a product with the bias, activation and dropout as its
    /// epilogue) against finite differences: their gradients are `biasActivationBackward`'s,
    /// then the product's backward-data op.
    @Test(arguments: [ActivationFunction.relu, .sigmoid, .tanh, .elu(alpha: 0.7)], [false, true])
    func productBiasActivationBackward(_ activation: ActivationFunction, dropout: Bool) throws {
        var random = SeededRandom(seed: 11)
        let draw = dropout ? DropoutDraw(p: 0.25, seed: 7, step: 1) : nil
        // A Linear layer: y = f(x·Wᵀ + b) on [4, 6] → [4, 5].
        let (m, n, k) = (4, 5, 6)
        let w = random.uniforms(n * k), b = random.uniforms(n), r = random.uniforms(m * n)
        let x = random.uniforms(m * k, -2, 2)
        let y = try backend.makeBuffer(count: m * n), dz = try backend.makeBuffer(count: m * n)
        let dx = try backend.makeBuffer(count: m * k), db = try backend.makeBuffer(count: n)
        func linear(_ input: [Float], _ bias: [Float]) throws -> Double {
            try backend.gemmBiasActivation(transA: false, transB: true, m: m, n: n, k: k, a: upload(input), b: upload(w),
                                           bias: upload(bias), activation: activation, dropout: draw, c: y)
            return try weighted(y, r)
        }
        _ = try linear(x, b)
        try backend.biasActivationBackward(output: y, outputGrad: upload(r), channels: n, inner: 1, activation: activation,
                                           dropout: draw, inputGrad: dz, biasGrad: db)
        try backend.gemm(transA: false, transB: false, m: m, n: k, k: n, alpha: 1, a: dz, b: upload(w), beta: 0, c: dx)
        try expectGradient(x, analytic: backend.download(dx), epsilon: 1e-3) { try linear($0, b) }
        try expectGradient(b, analytic: backend.download(db), epsilon: 1e-3) { try linear(x, $0) }

        // A Conv2d layer, the same way.
        let g = Self.convShapes[0]
        let cw = random.uniforms(g.weightCount), cb = random.uniforms(g.outChannels), cr = random.uniforms(g.outputCount)
        let cx = random.uniforms(g.inputCount, -2, 2)
        let cy = try backend.makeBuffer(count: g.outputCount), cdz = try backend.makeBuffer(count: g.outputCount)
        let cdx = try backend.makeBuffer(count: g.inputCount), cdb = try backend.makeBuffer(count: g.outChannels)
        func conv(_ input: [Float], _ bias: [Float]) throws -> Double {
            try backend.conv2dBiasActivationForward(g, input: upload(input), weight: upload(cw), bias: upload(bias),
                                                    activation: activation, dropout: draw, output: cy)
            return try weighted(cy, cr)
        }
        _ = try conv(cx, cb)
        try backend.biasActivationBackward(output: cy, outputGrad: upload(cr), channels: g.outChannels,
                                           inner: g.outHeight * g.outWidth, activation: activation, dropout: draw,
                                           inputGrad: cdz, biasGrad: cdb)
        try backend.conv2dBackwardData(g, outputGrad: cdz, weight: upload(cw), inputGrad: cdx)
        try expectGradient(cx, analytic: backend.download(cdx), epsilon: 1e-3) { try conv($0, cb) }
        try expectGradient(cb, analytic: backend.download(cdb), epsilon: 1e-3) { try conv(cx, $0) }
    }

    /// The reparameterisation z = μ + σ·ε with its ε held (the same draw), and the KL term: the
    /// gradient `gaussianKL` adds, and its value against the formula in Double.
    @Test func gaussianBottleneck() throws {
        var random = SeededRandom(seed: 12)
        let (rows, features) = (3, 5), noise = GaussianDraw(seed: 4, step: 9)
        let stats = (0..<rows).flatMap { _ in random.uniforms(features, -2, 2) + random.uniforms(features, -2, 1) }
        let r = random.uniforms(rows * features)
        let z = try backend.makeBuffer(count: rows * features), dstats = try backend.makeBuffer(count: stats.count)
        try backend.reparameterizeBackward(upload(stats), outputGrad: upload(r), rows: rows, features: features, noise: noise,
                                           inputGrad: dstats)
        try expectGradient(stats, analytic: backend.download(dstats), epsilon: 1e-3) {
            try backend.reparameterizeForward(upload($0), rows: rows, features: features, noise: noise, output: z)
            return try weighted(z, r)
        }

        let scale: Float = 0.25
        func kl(_ s: [Float], gradient: Buffer? = nil) throws -> Double {
            let acc = try backend.tensor([1], filledWith: 0).buffer
            try backend.gaussianKL(upload(s), rows: rows, features: features, scale: scale, gradient: gradient, lossAccumulator: acc)
            return Double(try backend.scalar(acc))
        }
        let gradient = try backend.tensor([stats.count], filledWith: 0).buffer
        let value = try kl(stats, gradient: gradient)
        var expected = 0.0
        for row in 0..<rows {
            for j in 0..<features {
                let mu = Double(stats[row * 2 * features + j]), logVar = Double(stats[row * 2 * features + features + j])
                expected += -0.5 * (1 + logVar - mu * mu - exp(logVar))
            }
        }
        #expect(abs(value - Double(scale) * expected) < 1e-5 * abs(expected) + 1e-6)
        try expectGradient(stats, analytic: backend.download(gradient), epsilon: 1e-3) { try kl($0) }
    }

    @Test func mseGradient() throws {
        var random = SeededRandom(seed: 7)
        let p = random.uniforms(60), t = random.uniforms(60, 0, 1)
        let g = try backend.makeBuffer(count: p.count), loss = try backend.tensor([1], filledWith: 0).buffer
        try backend.mseLoss(prediction: upload(p), target: upload(t), gradient: g, lossAccumulator: loss)
        let expected = zip(p, t).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / 60
        #expect(abs(Double(try backend.scalar(loss)) - expected) < 1e-6)
        try expectGradient(p, analytic: backend.download(g), epsilon: 1e-3) {
            let acc = try backend.tensor([1], filledWith: 0).buffer
            try backend.mseLoss(prediction: upload($0), target: upload(t), gradient: g, lossAccumulator: acc)
            return Double(try backend.scalar(acc))
        }
    }

    @Test func softmaxCrossEntropyGradient() throws {
        var random = SeededRandom(seed: 8)
        let (rows, classes) = (4, 10)
        let z = random.uniforms(rows * classes, -2, 2)
        var t = [Float](repeating: 0, count: rows * classes)
        for r in 0..<rows { t[r * classes + (r * 3) % classes] = 1 }
        let g = try backend.makeBuffer(count: z.count)
        try backend.softmaxCrossEntropy(logits: upload(z), target: upload(t), rows: rows, classes: classes,
                                        gradient: g, lossAccumulator: backend.tensor([1], filledWith: 0).buffer)
        try expectGradient(z, analytic: backend.download(g), epsilon: 1e-3) {
            let acc = try backend.tensor([1], filledWith: 0).buffer
            try backend.softmaxCrossEntropy(logits: upload($0), target: upload(t), rows: rows, classes: classes,
                                            gradient: g, lossAccumulator: acc)
            return Double(try backend.scalar(acc))
        }
    }
}
