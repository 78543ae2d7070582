@testable import Compute
import Foundation
import Testing

/// The CPU backend's C kernels (`Sources/CPUKernels`, several clones per CPU) against the plain
/// loops of each op's definition, which sit beside the op (`CPUBackend.maxPool2dForwardDefinition`,
/// `conv2dForwardDefinition`): the parity suite compares them with the
/// OpenCL kernels, these with the definitions themselves, including the cases a fast path skips
/// (NaNs, ties, clipped windows, odd sizes, a batch cut into several runs).
@Suite struct CPUKernelTests {
    @Test(arguments: [
        PoolGeometry(batch: 3, channels: 4, inHeight: 26, inWidth: 26, kernel: 2),
        PoolGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: 7, kernel: 2, ceilMode: true),
        PoolGeometry(batch: 2, channels: 2, inHeight: 11, inWidth: 9, kernel: 2),
        PoolGeometry(batch: 2, channels: 3, inHeight: 28, inWidth: 35, kernel: 2, ceilMode: true),
        PoolGeometry(batch: 1, channels: 5, inHeight: 13, inWidth: 13, kernel: 3, stride: 2),
    ])
    func maxPoolIsItsDefinition(_ g: PoolGeometry) throws {
        var random = SeededRandom(seed: 11)
        // Values on a coarse grid (many ties), with a few NaNs.
        var x = random.uniforms(g.inputCount, -2, 2).map { ($0 * 2).rounded() }
        for _ in 0..<max(1, x.count / 50) { x[Int(random.next() % UInt64(x.count))] = .nan }
        let input = try sharedCPU.tensor([x.count], values: x)
        let output = try sharedCPU.tensor([g.outputCount]), indices = try sharedCPU.tensor([g.outputCount])
        try sharedCPU.maxPool2dForward(g, input: input.buffer, output: output.buffer, indices: indices.buffer)
        let expected = CPUBackend.maxPool2dForwardDefinition(g, x)
        #expect(try sharedCPU.download(indices.buffer) == expected.indices)
        let values = try sharedCPU.download(output.buffer)
        #expect(zip(values, expected.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })

        // Backward: each output's gradient added, in output order, at its recorded position.
        let dy = random.uniforms(g.outputCount, -1, 1)
        let grad = try sharedCPU.tensor([dy.count], values: dy), dx = try sharedCPU.tensor([g.inputCount])
        try sharedCPU.maxPool2dBackward(g, outputGrad: grad.buffer, indices: indices.buffer, inputGrad: dx.buffer)
        var scattered = [Float](repeating: 0, count: g.inputCount)
        let inPlane = g.inHeight * g.inWidth, outPlane = g.outHeight * g.outWidth
        for o in dy.indices { scattered[o / outPlane * inPlane + Int(expected.indices[o])] += dy[o] }
        #expect(try sharedCPU.download(dx.buffer) == scattered)
    }

    /// Batches large enough to be cut into several runs of samples (of unequal lengths), with
    /// stride and padding; for the direct loops, every tile width (1, 2 and 4 vectors, rows of
    /// several tiles, partial tiles), output-channel blocks of 4, 2 and 1, kernels 1 to 3 wide.
    static let convolutionShapes = [
        ConvGeometry(batch: 37, inChannels: 16, inHeight: 13, inWidth: 13, outChannels: 32, kernelHeight: 3, kernelWidth: 3),
        ConvGeometry(batch: 61, inChannels: 3, inHeight: 14, inWidth: 14, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1),
        ConvGeometry(batch: 9, inChannels: 4, inHeight: 12, inWidth: 12, outChannels: 5, kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2),
        ConvGeometry(batch: 5, inChannels: 16, inHeight: 28, inWidth: 28, outChannels: 1, kernelHeight: 3, kernelWidth: 3, padding: 1),
        ConvGeometry(batch: 4, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 16, kernelHeight: 3, kernelWidth: 3),
        ConvGeometry(batch: 3, inChannels: 2, inHeight: 6, inWidth: 41, outChannels: 7, kernelHeight: 2, kernelWidth: 2, padding: 1),
        ConvGeometry(batch: 3, inChannels: 3, inHeight: 4, inWidth: 4, outChannels: 3, kernelHeight: 3, kernelWidth: 3, padding: 1),
        ConvGeometry(batch: 2, inChannels: 5, inHeight: 9, inWidth: 20, outChannels: 6, kernelHeight: 1, kernelWidth: 1),
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 11, inWidth: 7, outChannels: 4, kernelHeight: 5, kernelWidth: 3, padding: 2),
    ]

    @Test(arguments: convolutionShapes, ConvolutionAlgorithm.allCases)
    func convolutionIsItsDefinition(_ g: ConvGeometry, _ algorithm: ConvolutionAlgorithm) throws {
        let cpu = CPUBackend(threads: sharedCPU.threads, convolution: algorithm)
        #expect(cpu.sampleChunkCount(g) > 1 || g.batch < 10)
        var random = SeededRandom(seed: 5)
        let x = random.uniforms(g.inputCount), w = random.uniforms(g.weightCount)
        let input = try cpu.tensor([g.inputCount], values: x), weight = try cpu.tensor([g.weightCount], values: w)
        let output = try cpu.tensor([g.outputCount])
        try cpu.conv2dForward(g, input: input.buffer, weight: weight.buffer, output: output.buffer)
        let expected = CPUBackend.conv2dForwardDefinition(g, x, w)
        let got = try cpu.download(output.buffer)
        #expect(zip(got, expected).allSatisfy { abs(Double($0) - $1) <= 1e-4 * (1 + abs($1)) })
    }

    /// Both gradients by their definitions (the adjoints of `CPUBackend.conv2dForwardDefinition`), in Double.
    @Test(arguments: convolutionShapes, ConvolutionAlgorithm.allCases)
    func convolutionGradientsAreTheirDefinitions(_ g: ConvGeometry, _ algorithm: ConvolutionAlgorithm) throws {
        let cpu = CPUBackend(threads: sharedCPU.threads, convolution: algorithm)
        var random = SeededRandom(seed: 6)
        let x = random.uniforms(g.inputCount), w = random.uniforms(g.weightCount), dy = random.uniforms(g.outputCount)
        var dx = [Double](repeating: 0, count: g.inputCount), dw = [Double](repeating: 0, count: g.weightCount)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        let d = Double(dy[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow])
                        for c in 0..<g.inChannels {
                            for i in 0..<g.kernelHeight {
                                for j in 0..<g.kernelWidth {
                                    let h = oh * g.strideH - g.padH + i, v = ow * g.strideW - g.padW + j
                                    guard h >= 0, h < g.inHeight, v >= 0, v < g.inWidth else { continue }
                                    let xi = ((n * g.inChannels + c) * g.inHeight + h) * g.inWidth + v
                                    let wi = ((o * g.inChannels + c) * g.kernelHeight + i) * g.kernelWidth + j
                                    dx[xi] += d * Double(w[wi])
                                    dw[wi] += d * Double(x[xi])
                                }
                            }
                        }
                    }
                }
            }
        }
        let input = try cpu.tensor([g.inputCount], values: x), weight = try cpu.tensor([g.weightCount], values: w)
        let outputGrad = try cpu.tensor([g.outputCount], values: dy)
        let inputGrad = try cpu.tensor([g.inputCount]), weightGrad = try cpu.tensor([g.weightCount])
        try cpu.conv2dBackwardData(g, outputGrad: outputGrad.buffer, weight: weight.buffer, inputGrad: inputGrad.buffer)
        try cpu.conv2dBackwardWeights(g, input: input.buffer, outputGrad: outputGrad.buffer, weightGrad: weightGrad.buffer)
        let gotX = try cpu.download(inputGrad.buffer), gotW = try cpu.download(weightGrad.buffer)
        #expect(zip(gotX, dx).allSatisfy { abs(Double($0) - $1) <= 1e-4 * (1 + abs($1)) })
        #expect(zip(gotW, dw).allSatisfy { abs(Double($0) - $1) <= 1e-4 * (1 + abs($1)) })
    }

    /// Width 13: eight pixels a row take the vector loop, the other five the general one.
    @Test(arguments: [5, 13])
    func upsampleIsItsDefinition(width: Int) throws {
        let planes = 6, height = 7, factor = 2
        var random = SeededRandom(seed: 3)
        let x = random.uniforms(planes * height * width), dy = random.uniforms(x.count * factor * factor)
        let input = try sharedCPU.tensor([x.count], values: x), output = try sharedCPU.tensor([dy.count])
        try sharedCPU.upsampleForward(planes: planes, height: height, width: width, factor: factor,
                                      input: input.buffer, output: output.buffer)
        let outW = width * factor
        let up = try sharedCPU.download(output.buffer)
        #expect(up.indices.allSatisfy { i in
            let p = i / (height * factor * outW), h = (i / outW) % (height * factor), w = i % outW
            return up[i] == x[(p * height + h / factor) * width + w / factor]
        })
        let grad = try sharedCPU.tensor([dy.count], values: dy), dx = try sharedCPU.tensor([x.count])
        try sharedCPU.upsampleBackward(planes: planes, height: height, width: width, factor: factor,
                                       outputGrad: grad.buffer, inputGrad: dx.buffer)
        var expected = [Float](repeating: 0, count: x.count)
        for i in dy.indices {
            let p = i / (height * factor * outW), h = (i / outW) % (height * factor), w = i % outW
            expected[(p * height + h / factor) * width + w / factor] += dy[i]
        }
        #expect(zip(try sharedCPU.download(dx.buffer), expected).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    /// Every fused forward writes its epilogue in place (y is x), which runs its own loop
    /// (`bias_activation.c`): it must give the out-of-place loop's bits, NaNs and signed zeros
    /// included, for each activation with and without dropout, on runs that end mid-vector.
    @Test(arguments: ActivationFunction.examples, [Float(0), 0.3])
    func biasActivationInPlaceIsOutOfPlace(_ activation: ActivationFunction, _ p: Float) throws {
        let rows = 3, channels = 5, inner = 37
        var random = SeededRandom(seed: 12)
        var x = random.uniforms(rows * channels * inner, -3, 3)
        x[7] = .nan; x[8] = -0.0; x[100] = .infinity
        let bias = try sharedCPU.tensor([channels], values: random.uniforms(channels))
        let dropout = p > 0 ? DropoutDraw(p: p, seed: 9, step: 4) : nil
        let source = try sharedCPU.tensor([x.count], values: x), separate = try sharedCPU.tensor([x.count])
        let inPlace = try sharedCPU.tensor([x.count], values: x)
        try sharedCPU.biasActivationForward(source.buffer, bias: bias.buffer, channels: channels, inner: inner,
                                            activation: activation, dropout: dropout, output: separate.buffer)
        try sharedCPU.biasActivationForward(inPlace.buffer, bias: bias.buffer, channels: channels, inner: inner,
                                            activation: activation, dropout: dropout, output: inPlace.buffer)
        let expected = try sharedCPU.download(separate.buffer), got = try sharedCPU.download(inPlace.buffer)
        #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
        // Not the input left as it was: the epilogue ran.
        #expect(got.map(\.bitPattern) != x.map(\.bitPattern))
    }

    @Test func saltAndPepperReplacesTheAskedFractionWithZerosAndOnes() throws {
        let n = 200_000, amount: Float = 0.3
        let x = try sharedCPU.tensor([n], filledWith: 0.25), y = try sharedCPU.tensor([n])
        try sharedCPU.saltAndPepper(x.buffer, output: y.buffer, amount: amount, seed: 9, step: 4)
        let out = try sharedCPU.download(y.buffer)
        let zeros = out.filter { $0 == 0 }.count, ones = out.filter { $0 == 1 }.count
        #expect(zeros + ones + out.filter { $0 == 0.25 }.count == n)
        // Each is Binomial(n, 0.15): a standard deviation of 160 around 30 000.
        #expect(abs(zeros - 30_000) < 1_000 && abs(ones - 30_000) < 1_000, "\(zeros) zeros, \(ones) ones")
        // Another step draws other pixels.
        try sharedCPU.saltAndPepper(x.buffer, output: y.buffer, amount: amount, seed: 9, step: 5)
        #expect(try sharedCPU.download(y.buffer) != out)
    }

    @Test func reluLetsNaNThrough() throws {
        let x = try sharedCPU.tensor([4], values: [-1, .nan, 2, -0.0]), y = try sharedCPU.tensor([4])
        try sharedCPU.activationForward(.relu, x.buffer, output: y.buffer)
        let out = try sharedCPU.download(y.buffer)
        #expect(out[0] == 0 && out[1].isNaN && out[2] == 2)
    }

    @Test func gatherRowsRefusesARowOutsideTheSource() throws {
        let source = try sharedCPU.tensor([3, 2], values: [1, 2, 3, 4, 5, 6])
        let indices = try sharedCPU.tensor([3], values: [2, 0, 3]), output = try sharedCPU.tensor([2, 2])
        try sharedCPU.gatherRows(source.buffer, rowLength: 2, indices: indices.buffer, first: 0, count: 2, output: output.buffer)
        #expect(try sharedCPU.download(output.buffer) == [5, 6, 1, 2])
        #expect(throws: ComputeError.self) {
            try sharedCPU.gatherRows(source.buffer, rowLength: 2, indices: indices.buffer, first: 1, count: 2, output: output.buffer)
        }
    }

    @Test func confusionCountsTheFirstMaximum() throws {
        // Row 0: true 1, logits tie between 0 and 2 → predicted 0. Row 1: true 2, predicted 2.
        let logits = try sharedCPU.tensor([2, 3], values: [5, 1, 5, 0, 1, 2])
        let target = try sharedCPU.tensor([2, 3], values: [0, 1, 0, 0, 0, 1])
        let confusion = try sharedCPU.tensor([3, 3], filledWith: 0)
        try sharedCPU.confusionAdd(logits: logits.buffer, target: target.buffer, rows: 2, classes: 3, confusion: confusion.buffer)
        #expect(try sharedCPU.download(confusion.buffer) == [0, 0, 0, 1, 0, 0, 0, 0, 1])
    }

    /// Subnormal floats are flushed to zero (`CPUBackend.flushSubnormals`): a result below
    /// Float's smallest normal becomes 0 (FTZ), and a subnormal input counts as 0 (DAZ), in the
    /// backend's own loops and in OpenBLAS' GEMM alike. Unflushed, each line's result is not 0.
    @Test func subnormalsAreFlushedToZero() throws {
        let tiny = Float.leastNormalMagnitude
        let x = try sharedCPU.tensor([4], values: [tiny, -tiny, 4 * tiny, 1])
        try sharedCPU.scale(x.buffer, by: 0.125)
        #expect(try sharedCPU.download(x.buffer) == [0, 0, 0, 0.125])
        // A subnormal by its bits: arithmetic here may already run flushed.
        let a = try sharedCPU.tensor([1, 1], values: [Float(bitPattern: 0x0010_0000)]), b = try sharedCPU.tensor([1, 1], values: [1e30])
        let c = try sharedCPU.tensor([1, 1], values: [0])
        try sharedCPU.gemm(transA: false, transB: false, m: 1, n: 1, k: 1, alpha: 1, a: a.buffer, b: b.buffer, beta: 0, c: c.buffer)
        #expect(try sharedCPU.download(c.buffer) == [0])
    }
}

