/// What a training step runs besides the layers: losses, reductions, the confusion matrix, the
/// batch gather and the optimizers. Accumulators start at a random value, so an op that
/// overwrites instead of adding fails.
extension OpCase {
    /// MSE on `[rows, classes]` predictions in [-3, 3] against targets in [0, 1], or softmax
    /// cross-entropy against one-hot labels.
    static func loss(_ op: Op, rows: Int, classes: Int, _ random: inout SeededRandom) -> OpCase {
        let n = rows * classes
        return OpCase(op: op, shape: "\(rows)x\(classes)", outputs: [n], flops: 4 * Double(n), bytes: floatBytes * Double(3 * n),
                      random: &random, inputs: { r in
            let prediction = r.uniforms(n, -3, 3)
            var target = r.uniforms(n, 0, 1)
            if op == .softmaxCrossEntropy { target = oneHot(rows: rows, classes: classes, &r) }
            return [prediction, target, [r.uniform(-1, 1)]]
        }) { backend, i, o in
            switch op {
            case .mseLoss: try backend.mseLoss(prediction: i[0], target: i[1], gradient: o[0], lossAccumulator: i[2])
            case .softmaxCrossEntropy:
                try backend.softmaxCrossEntropy(logits: i[0], target: i[1], rows: rows, classes: classes,
                                                gradient: o[0], lossAccumulator: i[2])
            default: notInFamily(op, "loss")
            }
            return [o[0], i[2]]
        }
    }

    /// Each of `losses` on predictions a sigmoid's outputs could be (in (0, 1), with exact 0s and
    /// 1s where BCE's log clamp matters) and targets in [0, 1] (some exactly 0 or 1).
    static func pixelLoss(count n: Int, _ losses: [PixelLoss], _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .pixelLoss, shape: losses.count == 1 ? "\(n) \(losses[0])" : "\(n) x \(losses.count) losses",
               outputs: losses.map { _ in n }, flops: 0, bytes: floatBytes * Double(3 * n * losses.count), random: &random,
               inputs: { r in
            var prediction = r.uniforms(n, 0.001, 0.999), target = r.uniforms(n, 0, 1)
            for i in stride(from: 0, to: n, by: 97) { prediction[i] = Float(i % 2) }
            for i in stride(from: 5, to: n, by: 89) { target[i] = Float(i % 2) }
            return [prediction, target] + losses.map { _ in [0.5] }
        }) { backend, i, o in
            try losses.enumerated().flatMap { k, loss in
                try backend.pixelLoss(loss, prediction: i[0], target: i[1], gradient: o[k], lossAccumulator: i[2 + k])
                return [o[k], i[2 + k]]
            }
        }
    }

    /// sum, squared-difference sum and binary-agreement sum of vectors in [0, 1], scaled, added
    /// into an accumulator.
    static func reduction(_ op: Op, count n: Int, scale: Float, _ random: inout SeededRandom) -> OpCase {
        let reads = op == .sum ? n : 2 * n
        return OpCase(op: op, shape: "\(n) scale \(scale)", flops: Double(reads), bytes: floatBytes * Double(reads),
                      random: &random, inputs: { r in [r.uniforms(n, 0, 1), r.uniforms(n, 0, 1), [r.uniform(-1, 1)]] }) { backend, i, _ in
            switch op {
            case .sum: try backend.sum(i[0], scale: scale, into: i[2])
            case .squaredDifferenceSum: try backend.squaredDifferenceSum(i[0], i[1], scale: scale, into: i[2])
            case .binaryAgreementSum: try backend.binaryAgreementSum(i[0], i[1], scale: scale, into: i[2])
            default: notInFamily(op, "reduction")
            }
            return [i[2]]
        }
    }

    /// Logits with ties among them (rounded to a few values), so the first-maximum rule is
    /// checked, added into a confusion matrix that already holds counts.
    static func confusion(rows: Int, classes: Int, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .confusionAdd, shape: "\(rows)x\(classes)", flops: 0, bytes: floatBytes * Double(2 * rows * classes),
               random: &random, inputs: { r in
            [r.uniforms(rows * classes, -2, 2).map { ($0 * 2).rounded() }, oneHot(rows: rows, classes: classes, &r),
             (0..<(classes * classes)).map { _ in Float(r.next() % 5) }]
        }) { backend, i, _ in
            try backend.confusionAdd(logits: i[0], target: i[1], rows: rows, classes: classes, confusion: i[2])
            return [i[2]]
        }
    }

    /// `count` rows of `rowLength` gathered from a source of `rows` rows by the indices from
    /// `first` on (drawn with repeats).
    static func gatherRows(rows: Int, rowLength: Int, count: Int, first: Int, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .gatherRows, shape: "\(count)x\(rowLength) of \(rows)", outputs: [count * rowLength], flops: 0,
               bytes: floatBytes * Double(2 * count * rowLength), random: &random, inputs: { r in
            [r.uniforms(rows * rowLength), (0..<(first + count)).map { _ in Float(r.next() % UInt64(rows)) }]
        }) { backend, i, o in
            try backend.gatherRows(i[0], rowLength: rowLength, indices: i[1], first: first, count: count, output: o[0])
            return o
        }
    }

    /// `gatherRows` from a source of bytes: the floats drawn for it are read as `rows` rows of
    /// `rowLength` bytes (any bit pattern is a byte), so both backends see the same bytes.
    static func gatherByteRows(rows: Int, rowLength: Int, count: Int, first: Int, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: .gatherByteRows, shape: "\(count)x\(rowLength) of \(rows)", outputs: [count * rowLength], flops: 0,
               bytes: Double(count * rowLength) * (1 + floatBytes), random: &random, inputs: { r in
            [r.uniforms((rows * rowLength + 3) / 4), (0..<(first + count)).map { _ in Float(r.next() % UInt64(rows)) }]
        }) { backend, i, o in
            try backend.gatherByteRows(i[0], rows: rows, rowLength: rowLength, indices: i[1], first: first, count: count,
                                       output: o[0])
            return o
        }
    }

    /// An SGD or Adam step on `n` parameters; every state it updates is compared.
    static func optimizer(_ op: Op, count n: Int, learningRate lr: Float, weightDecay decay: Float, momentum: Float,
                          nesterov: Bool, step: Int, _ random: inout SeededRandom) -> OpCase {
        let variant = op == .sgdStep ? "lr\(lr) m\(momentum)\(nesterov ? " nesterov" : "") wd\(decay)" : "lr\(lr) wd\(decay) t\(step)"
        // SGD reads w, g and v and writes w and v; Adam reads four vectors and writes three.
        let (flops, traffic) = op == .sgdStep ? (5, 5) : (12, 7)
        return OpCase(op: op, shape: "\(n) \(variant)", flops: Double(flops * n), bytes: floatBytes * Double(traffic * n),
                      random: &random, inputs: { r in [r.uniforms(n), r.uniforms(n), r.uniforms(n), r.uniforms(n, 0, 1)] }) { backend, i, _ in
            switch op {
            case .sgdStep:
                try backend.sgdStep(parameter: i[0], gradient: i[1], velocity: momentum == 0 ? nil : i[2],
                                    learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: decay)
                return [i[0], i[2]]
            case .adamStep:
                try backend.adamStep(parameter: i[0], gradient: i[1], firstMoment: i[2], secondMoment: i[3],
                                     learningRate: lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: decay, step: step)
                return [i[0], i[2], i[3]]
            default: notInFamily(op, "optimizer")
            }
        }
    }

    /// `rows` one-hot rows of `classes`, the hot class drawn uniformly.
    private static func oneHot(rows: Int, classes: Int, _ random: inout SeededRandom) -> [Float] {
        var target = [Float](repeating: 0, count: rows * classes)
        for row in 0..<rows { target[row * classes + Int(random.next() % UInt64(classes))] = 1 }
        return target
    }
}
