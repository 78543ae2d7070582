import Foundation

// Argument checks shared by both backends, so a bad call fails the same way on every device,
// and the host-side numbers both compute alike.

extension Backend {
    func checkView(_ buffer: Buffer, offset: Int, count: Int) throws {
        try require(count > 0 && offset >= 0 && offset <= buffer.count - count,
                    "a view of \(count) floats from \(offset) does not fit in a buffer of \(buffer.count)")
        try require(offset % viewAlignment == 0,
                    "a view's offset (\(offset)) must be a multiple of \(name)'s alignment, \(viewAlignment) floats")
    }

    func checkGEMMBiasActivation(m: Int, n: Int, k: Int, a: Buffer, b: Buffer, bias: Buffer, activation: ActivationFunction,
                                 dropout: DropoutDraw?, c: Buffer) throws {
        try checkGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
        try require(c.count == m * n, "gemm_bias_activation: C has \(c.count) elements, needs exactly \(m)x\(n)")
        try checkBiasActivation([c], bias: bias, channels: n, inner: 1, activation: activation, dropout: dropout)
    }

    func checkGEMM(m: Int, n: Int, k: Int, a: Buffer, b: Buffer, c: Buffer) throws {
        try require(m > 0 && n > 0 && k > 0, "gemm sizes m=\(m) n=\(n) k=\(k) must be positive")
        try require(a.count >= m * k, "gemm: A has \(a.count) elements, needs \(m)x\(k)")
        try require(b.count >= k * n, "gemm: B has \(b.count) elements, needs \(k)x\(n)")
        try require(c.count >= m * n, "gemm: C has \(c.count) elements, needs \(m)x\(n)")
    }

    func checkSoftmaxCrossEntropy(logits: Buffer, target: Buffer, gradient: Buffer, rows: Int, classes: Int) throws {
        try checkSameCount("softmax cross-entropy", logits, target, gradient)
        try require(rows > 0 && classes > 0 && logits.count == rows * classes,
                    "softmax cross-entropy: \(logits.count) logits are not \(rows)x\(classes)")
    }

    func checkConv(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try require(g.isValid, "invalid convolution \(g)")
        try require(input.count == g.inputCount, "conv input has \(input.count) elements, \(g) needs \(g.inputCount)")
        try require(weight.count == g.weightCount, "conv weight has \(weight.count) elements, \(g) needs \(g.weightCount)")
        try require(output.count == g.outputCount, "conv output has \(output.count) elements, \(g) needs \(g.outputCount)")
    }

    func checkPool(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try require(g.isValid, "invalid max-pool \(g)")
        try require(g.inHeight * g.inWidth < 1 << 24, "max-pool plane \(g.inHeight)x\(g.inWidth) too large for float indices")
        try require(input.count == g.inputCount, "max-pool input has \(input.count) elements, \(g) needs \(g.inputCount)")
        try require(output.count == g.outputCount && indices.count == g.outputCount,
                    "max-pool output/indices have \(output.count)/\(indices.count) elements, \(g) needs \(g.outputCount)")
    }

    func checkAvgPool(_ g: PoolGeometry, input: Buffer, output: Buffer) throws {
        try require(g.isValid && g.padding >= 0 && 2 * g.padding <= g.kernel,
                    "invalid average pool \(g) (PyTorch's rule: padding at most half the kernel)")
        try require(input.count == g.inputCount && output.count == g.outputCount,
                    "average pool input/output have \(input.count)/\(output.count) elements, \(g) needs \(g.inputCount)/\(g.outputCount)")
    }

    func checkUpsample(planes: Int, height: Int, width: Int, factor: Int, input: Buffer, output: Buffer) throws {
        try require(planes > 0 && height > 0 && width > 0 && factor > 0,
                    "upsample sizes \(planes)x\(height)x\(width) x\(factor) must be positive")
        try require(input.count == planes * height * width,
                    "upsample input has \(input.count) elements, needs \(planes)x\(height)x\(width)")
        try require(output.count == input.count * factor * factor,
                    "upsample output has \(output.count) elements, needs \(input.count * factor * factor)")
    }

    func checkBias(_ x: Buffer, bias: Buffer, channels: Int, inner: Int) throws {
        try require(channels > 0 && inner > 0 && bias.count == channels,
                    "bias has \(bias.count) elements for \(channels) channels")
        try require(x.count % (channels * inner) == 0,
                    "tensor of \(x.count) elements is not [outer, \(channels), \(inner)]")
    }

    /// `backward`: the fused backward pass, which has only the output to take the gradient from.
    func checkBiasActivation(_ tensors: [Buffer], bias: Buffer, channels: Int, inner: Int, activation: ActivationFunction,
                             dropout: DropoutDraw?, backward: Bool = false) throws {
        try checkSameCount("bias_activation", tensors)
        try checkBias(tensors[0], bias: bias, channels: channels, inner: inner)
        try checkActivation(activation)
        try require(!backward || activation.gradientFromOutput,
                    "bias_activation_backward: \(activation)'s gradient needs its input; run it as a layer of its own")
        if let dropout { try checkDropout(dropout.p) }
    }

    /// `stats` `[rows, 2·features]`; each of `perFeature` `[rows, features]`, of `perStat` as `stats`.
    func checkGaussian(_ stats: Buffer, rows: Int, features: Int, perFeature: [Buffer] = [], perStat: [Buffer] = []) throws {
        try require(rows > 0 && features > 0, "gaussian: \(rows) rows of \(features) features must be positive")
        try require(stats.count == rows * 2 * features,
                    "gaussian: the statistics have \(stats.count) elements, need \(rows)x\(2 * features) (μ then log σ²)")
        for buffer in perFeature {
            try require(buffer.count == rows * features, "gaussian: a sample has \(buffer.count) elements, needs \(rows)x\(features)")
        }
        for buffer in perStat {
            try require(buffer.count == stats.count, "gaussian: a gradient has \(buffer.count) elements, needs \(stats.count)")
        }
    }

    func checkBatchNorm(_ shape: BatchNormShape, _ tensors: [Buffer], perChannel: [Buffer?], epsilon: Float? = nil,
                        mode: BatchNormMode? = nil, running: [Buffer?] = []) throws {
        try require(shape.outer > 0 && shape.channels > 0 && shape.inner > 0, "batch_norm: shape \(shape) must be positive")
        try require(tensors.allSatisfy { $0.count == shape.count }, "batch_norm: tensors of \(tensors.map(\.count)) for \(shape)")
        try require(perChannel.allSatisfy { ($0?.count ?? shape.channels) == shape.channels },
                    "batch_norm: per-channel tensors of \(perChannel.map { $0?.count ?? 0 }) for \(shape.channels) channels")
        if let epsilon { try require(epsilon > 0 && epsilon.isFinite, "batch_norm: eps must be positive (got \(epsilon))") }
        let needsRunning: Bool
        switch mode {
        case .batch(let factor?)?:
            try require((0...1).contains(factor), "batch_norm: the running factor must be in [0, 1] (got \(factor))")
            needsRunning = true
        case .running?: needsRunning = true
        default: needsRunning = false
        }
        if needsRunning {
            try require(running.allSatisfy { $0?.count == shape.channels }, "batch_norm: \(mode!) needs a running mean and variance")
        }
    }

    func checkActivation(_ activation: ActivationFunction) throws {
        if let problem = activation.problem { throw ComputeError.invalidArgument("\(activation): \(problem)") }
    }

    func checkSameCount(_ op: String, _ buffers: Buffer?...) throws { try checkSameCount(op, buffers) }

    func checkSameCount(_ op: String, _ buffers: [Buffer?]) throws {
        let counts = buffers.compactMap { $0?.count }
        try require(Set(counts).count <= 1, "\(op): element counts differ \(counts)")
    }

    func checkGatherRows(_ source: Buffer, rowLength: Int, indices: Buffer, first: Int, count: Int, output: Buffer) throws {
        try require(rowLength > 0 && count > 0 && first >= 0, "gather_rows: \(count) rows of \(rowLength) from \(first)")
        try require(source.count % rowLength == 0 && source.count / rowLength < 1 << 24,
                    "gather_rows: a source of \(source.count) floats is not rows of \(rowLength) (below 2^24 rows)")
        try require(first + count <= indices.count, "gather_rows: indices \(first)..<\(first + count) of \(indices.count)")
        try require(output.count == count * rowLength, "gather_rows: output has \(output.count) floats, needs \(count)x\(rowLength)")
    }

    func checkGatherByteRows(_ source: Buffer, rows: Int, rowLength: Int, indices: Buffer, first: Int, count: Int,
                             output: Buffer) throws {
        try require(rows > 0 && rowLength > 0 && count > 0 && first >= 0 && rows < 1 << 24,
                    "gather_byte_rows: \(count) rows of \(rowLength) bytes from \(first), of \(rows) rows")
        try require(rows * rowLength <= source.count * 4,
                    "gather_byte_rows: \(rows) rows of \(rowLength) bytes need \(rows * rowLength) bytes; the source holds \(source.count * 4)")
        try require(first + count <= indices.count, "gather_byte_rows: indices \(first)..<\(first + count) of \(indices.count)")
        try require(output.count == count * rowLength,
                    "gather_byte_rows: output has \(output.count) floats, needs \(count)x\(rowLength)")
    }

    func checkConfusion(logits: Buffer, target: Buffer, rows: Int, classes: Int, confusion: Buffer) throws {
        try checkSameCount("confusion_add", logits, target)
        try require(rows > 0 && classes > 1 && logits.count == rows * classes,
                    "confusion_add: \(logits.count) logits are not \(rows)x\(classes)")
        try require(confusion.count == classes * classes, "confusion_add: the matrix has \(confusion.count) cells, needs \(classes)x\(classes)")
    }

    func checkNoise(_ amount: Float) throws {
        try require(amount >= 0 && amount <= 1, "salt-and-pepper amount \(amount) must be in [0, 1]")
    }

    func checkDropout(_ p: Float) throws {
        try require(p >= 0 && p < 1, "dropout probability \(p) must be in [0, 1)")
    }
}

/// Adam's bias corrections `1 − βᵗ`, computed once per step in Double on the host
/// (both backends use these same numbers).
struct AdamCorrection {
    let first: Float, second: Float
    init(beta1: Float, beta2: Float, step: Int) {
        first = Float(1 - pow(Double(beta1), Double(step)))
        second = Float(1 - pow(Double(beta2), Double(step)))
    }
}
