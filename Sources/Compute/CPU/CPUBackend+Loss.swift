import Foundation

extension CPUBackend {
    public func mseLoss(prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSameCount("mse", prediction, target, gradient)
        let p = try pointer(prediction), t = try pointer(target), g = try pointer(gradient)
        let scale = 2 / Float(prediction.count)
        for i in 0..<prediction.count { g[i] = scale * (p[i] - t[i]) }
        try squaredDifferenceSum(prediction, target, scale: 1 / Float(prediction.count), into: lossAccumulator)
    }

    public func softmaxCrossEntropy(logits: Buffer, target: Buffer, rows: Int, classes: Int,
                                    gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSameCount("softmax cross-entropy", logits, target, gradient)
        try require(rows > 0 && classes > 0 && logits.count == rows * classes,
                    "softmax cross-entropy: \(logits.count) logits are not \(rows)x\(classes)")
        let z = try pointer(logits), t = try pointer(target), g = try pointer(gradient)
        var loss: Double = 0
        for r in 0..<rows {
            let row = z + r * classes, tr = t + r * classes, gr = g + r * classes
            var top = -Float.infinity
            for c in 0..<classes { top = max(top, row[c]) }
            var total: Float = 0
            for c in 0..<classes { total += exp(row[c] - top) }
            let logTotal = log(total)
            for c in 0..<classes {
                let logProbability = row[c] - top - logTotal
                loss -= Double(tr[c] * logProbability)
                gr[c] = (exp(logProbability) - tr[c]) / Float(rows)
            }
        }
        try pointer(lossAccumulator)[0] += Float(loss / Double(rows))
    }

    public func sum(_ x: Buffer, scale: Float, into accumulator: Buffer) throws {
        let a = try pointer(x)
        try reduce(count: x.count, scale: scale, into: accumulator) { Double(a[$0]) }
    }

    public func squaredDifferenceSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try checkSameCount("squared difference", a, b)
        let x = try pointer(a), y = try pointer(b)
        try reduce(count: a.count, scale: scale, into: accumulator) {
            let d = Double(x[$0] - y[$0]); return d * d
        }
    }

    public func binaryAgreementSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try checkSameCount("binary agreement", a, b)
        let x = try pointer(a), y = try pointer(b)
        // Rounding to 0/1 is a threshold at 0.5 (ties go up, as in `rint`'s neighbour `floor(v + 0.5)`).
        try reduce(count: a.count, scale: scale, into: accumulator) { (x[$0] >= 0.5) == (y[$0] >= 0.5) ? 1 : 0 }
    }

    /// `accumulator[0] += scale · Σ term(i)`, summed in Double.
    private func reduce(count: Int, scale: Float, into accumulator: Buffer, _ term: (Int) -> Double) throws {
        var total: Double = 0
        for i in 0..<count { total += term(i) }
        try pointer(accumulator)[0] += Float(total * Double(scale))
    }
}
