import CPUKernels
import Foundation

extension CPUBackend {
    public func mseLoss(prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSameCount("mse", prediction, target, gradient)
        let p = try pointer(prediction), t = try pointer(target), g = try pointer(gradient)
        let scale = 2 / Float(prediction.count)
        parallelChunks(prediction.count) { r in
            inBlocksOf8(r, vector: { i in g.store8(scale * (p.load8(i) - t.load8(i)), i) },
                        scalar: { i in g[i] = scale * (p[i] - t[i]) })
        }
        try squaredDifferenceSum(prediction, target, scale: 1 / Float(prediction.count), into: lossAccumulator)
    }

    public func pixelLoss(_ loss: PixelLoss, prediction: Buffer, target: Buffer, gradient: Buffer,
                          lossAccumulator: Buffer) throws {
        try checkSameCount("pixel loss", prediction, target, gradient)
        let p = try pointer(prediction), t = try pointer(target), g = try pointer(gradient), n = prediction.count
        let total = parallelSum(n) { r in
            pixel_loss(loss.rawValue, p + r.lowerBound, t + r.lowerBound, g + r.lowerBound, Int64(r.count), 1 / Float(n))
        }
        try pointer(lossAccumulator)[0] += Float(total / Double(n))
    }

    public func softmaxCrossEntropy(logits: Buffer, target: Buffer, rows: Int, classes: Int,
                                    gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSoftmaxCrossEntropy(logits: logits, target: target, gradient: gradient, rows: rows, classes: classes)
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
        try reduce(count: x.count, scale: scale, into: accumulator) { r in
            sumInBlocksOf8(r, vector: { a.load8($0) }, scalar: { a[$0] })
        }
    }

    public func squaredDifferenceSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try checkSameCount("squared difference", a, b)
        let x = try pointer(a), y = try pointer(b)
        try reduce(count: a.count, scale: scale, into: accumulator) { r in
            sumInBlocksOf8(r, vector: { i in let d = x.load8(i) - y.load8(i); return d * d },
                           scalar: { i in let d = x[i] - y[i]; return d * d })
        }
    }

    public func binaryAgreementSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try checkSameCount("binary agreement", a, b)
        let x = try pointer(a), y = try pointer(b)
        // Rounding to 0/1 is a threshold at 0.5 (ties go up, as in `floor(v + 0.5)`); an element
        // counts 1 when both sides fall on the same side of it.
        let half = SIMD8<Float>(repeating: 0.5), zero = SIMD8<Float>(), one = SIMD8<Float>(repeating: 1)
        try reduce(count: a.count, scale: scale, into: accumulator) { r in
            sumInBlocksOf8(r, vector: { i in
                zero.replacing(with: one, where: .!((x.load8(i) .>= half) .^ (y.load8(i) .>= half)))
            }, scalar: { i in (x[i] >= 0.5) == (y[i] >= 0.5) ? 1 : 0 })
        }
    }

    /// `accumulator[0] += scale · Σ`, the ranges' sums (`partial`) taken on all cores.
    private func reduce(count: Int, scale: Float, into accumulator: Buffer, _ partial: (Range<Int>) -> Double) throws {
        let total = parallelSum(count, partial)
        try pointer(accumulator)[0] += Float(total * Double(scale))
    }
}
