import Compute
import Foundation

/// How badly an autoencoder reconstructs an image: its anomaly score.
public enum ReconstructionError: String, Codable, Sendable, CaseIterable {
    /// The mean squared error over the image's values.
    case mse
    /// The model's own loss per image, without a VAE's KL term: MSE, L1, or binary
    /// cross-entropy on the reconstruction (log clamped at −100, as PyTorch's `BCELoss`).
    case loss

    /// The per-value measure this uses for a model trained by `loss`.
    func measure(for loss: ModelSpec.Loss) -> (Float, Float) -> Double {
        switch (self, loss) {
        case (.loss, .l1): return { y, x in Double(abs(y - x)) }
        case (.loss, .bce), (.loss, .bceSum), (.loss, .bceWithLogits):
            return { y, x in
                let p = Double(y)
                return -(Double(x) * max(log(p), -100) + (1 - Double(x)) * max(log(1 - p), -100))
            }
        default: return { y, x in let d = Double(y - x); return d * d }
        }
    }
}

extension Sequential {
    /// Each image's reconstruction error (`measure`'s mean over the image's values), computed in
    /// batches, in evaluation mode.
    public func reconstructionErrors(_ data: Dataset, measure: ReconstructionError = .mse, batchSize: Int = 1000) throws -> [Double] {
        guard spec.isAutoencoder else { throw ModelError.shape("\(spec.name) is a classifier: it reconstructs nothing") }
        if let problem = spec.inputProblem(data.shape) { throw TrainingError.configuration(problem) }
        let error = measure.measure(for: spec.loss), size = data.imageSize
        var scores: [Double] = []
        scores.reserveCapacity(data.count)
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let range = start..<min(start + batchSize, data.count)
            let x = data.images(range)
            let y = try Figures.reconstruct(self, x, count: range.count)
            for image in 0..<range.count {
                var sum = 0.0
                for i in (image * size)..<((image + 1) * size) { sum += error(y[i], x[i]) }
                scores.append(sum / Double(size))
            }
        }
        return scores
    }
}

/// The receiver operating characteristic of scores against which examples are positive
/// (anomalies: a higher score should mean an anomaly).
public struct ROC: Sendable {
    /// The area under the curve: the probability that a random positive scores above a
    /// random negative, ties counting a half (the Mann–Whitney statistic, from average ranks).
    public let auroc: Double
    /// The curve from (0, 0) to (1, 1): false and true positive rates as the threshold falls
    /// through the distinct scores.
    public let points: [(falsePositiveRate: Double, truePositiveRate: Double)]

    public init(scores: [Double], positive: [Bool]) throws {
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard scores.count == positive.count, positives > 0, negatives > 0 else {
            throw TrainingError.configuration("a ROC needs both positives and negatives (got \(positives) and \(negatives))")
        }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Average ranks (1-based) over runs of tied scores.
        var rankSum = 0.0, i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j where positive[order[k]] { rankSum += rank }
            i = j + 1
        }
        let p = Double(positives), n = Double(negatives)
        auroc = (rankSum - p * (p + 1) / 2) / (p * n)
        var curve: [(Double, Double)] = [(0, 0)], truePositives = 0.0, falsePositives = 0.0
        var k = order.count - 1
        while k >= 0 {
            let score = scores[order[k]]
            while k >= 0 && scores[order[k]] == score {
                if positive[order[k]] { truePositives += 1 } else { falsePositives += 1 }
                k -= 1
            }
            curve.append((falsePositives / n, truePositives / p))
        }
        points = curve
    }
}

extension Figures {
    /// The `count` images of `data` with the highest `scores`, worst first, above their
    /// reconstructions.
    public static func worst(_ model: Sequential, _ data: Dataset, scores: [Double], count: Int = 10) throws -> Picture {
        let picked = Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(count))
        return try reconstructions(model, data.subset(picked), count: picked.count)
    }

    /// A ROC curve with the diagonal of chance and the AUROC in the title.
    public static func roc(_ roc: ROC, title: String) -> SVGImage {
        let size = 540.0, top = 56.0, plot = 400.0, left = (size - plot) / 2 + 10
        func x(_ v: Double) -> Double { left + plot * v }
        func y(_ v: Double) -> Double { top + plot * (1 - v) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(size))\" height=\"\(Int(top + plot + 50))\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(size / 2)\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">\(escaped(title))</text>\n"
            + "<text x=\"\(size / 2)\" y=\"40\" text-anchor=\"middle\" font-size=\"13\">AUROC \(String(format: "%.4f", roc.auroc))</text>\n"
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plot)\" height=\"\(plot)\" fill=\"none\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(x(0))\" y1=\"\(y(0))\" x2=\"\(x(1))\" y2=\"\(y(1))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<text x=\"\(x(tick))\" y=\"\(y(0) + 16)\" text-anchor=\"middle\">\(tick)</text>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(tick)</text>\n"
        }
        let path = roc.points.map { String(format: "%.1f,%.1f", x($0.falsePositiveRate), y($0.truePositiveRate)) }
        svg += "<polyline points=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"2\"/>\n"
        svg += "<text x=\"\(left + plot / 2)\" y=\"\(y(0) + 36)\" text-anchor=\"middle\">false positive rate</text>\n"
        svg += "<text x=\"16\" y=\"\(top + plot / 2)\" transform=\"rotate(-90 16 \(top + plot / 2))\" text-anchor=\"middle\">true positive rate</text>\n"
        return SVGImage(svg + "</svg>\n", width: Int(size), height: Int(top + plot + 50))
    }
}
