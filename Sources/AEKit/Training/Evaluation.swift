import Compute
import Foundation

/// Metrics of a model on a dataset (or of one training epoch).
public struct Evaluation: Codable, Sendable {
    /// MSE for an autoencoder (mean over pixels and images), cross-entropy for a classifier.
    public var loss: Double
    /// S0's binary accuracy: pixels of input and reconstruction rounded to 0/1 that agree.
    public var binaryAccuracy: Double?
    /// Fraction of images classified correctly.
    public var accuracy: Double?
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]?
    public var examples: Int

    enum CodingKeys: String, CodingKey {
        case loss, accuracy, confusion, examples
        case binaryAccuracy = "binary_accuracy"
    }

    /// The metric beside the loss that the model's reports follow.
    public var metric: (name: String, value: Double)? {
        if let accuracy { return ("accuracy", accuracy) }
        if let binaryAccuracy { return ("binary_accuracy", binaryAccuracy) }
        return nil
    }
}

/// Feeds a dataset to a model in batches: the input tensor of each batch and, for a
/// classifier, its one-hot targets.
struct Batches {
    let dataset: Dataset
    let spec: ModelSpec
    let batchSize: Int
    let order: [Int]

    init(_ dataset: Dataset, spec: ModelSpec, batchSize: Int, shuffleSeed: UInt64? = nil) {
        self.dataset = dataset; self.spec = spec; self.batchSize = batchSize
        if let shuffleSeed {
            var random = SeededRandom(seed: shuffleSeed)
            order = Array(0..<dataset.count).shuffled(using: &random)
        } else {
            order = Array(0..<dataset.count)
        }
    }

    var count: Int { (dataset.count + batchSize - 1) / batchSize }

    func indices(_ batch: Int) -> ArraySlice<Int> {
        order[(batch * batchSize)..<min((batch + 1) * batchSize, order.count)]
    }

    func input(_ indices: ArraySlice<Int>, backend: any Backend) throws -> Tensor {
        let size = dataset.imageSize
        var pixels = [Float](repeating: 0, count: indices.count * size)
        pixels.withUnsafeMutableBufferPointer { out in
            dataset.pixels.withUnsafeBufferPointer { all in
                for (row, i) in indices.enumerated() {
                    out.baseAddress!.advanced(by: row * size).update(from: all.baseAddress!.advanced(by: i * size), count: size)
                }
            }
        }
        return try backend.tensor([indices.count] + spec.exampleShape, values: pixels)
    }

    func oneHot(_ indices: ArraySlice<Int>, backend: any Backend) throws -> Tensor {
        var values = [Float](repeating: 0, count: indices.count * ModelSpec.classes)
        for (row, i) in indices.enumerated() { values[row * ModelSpec.classes + Int(dataset.labels[i])] = 1 }
        return try backend.tensor([indices.count, ModelSpec.classes], values: values)
    }
}

/// Argmax of each row of `[rows, classes]` logits.
func predictions(_ logits: [Float], classes: Int) -> [Int] {
    stride(from: 0, to: logits.count, by: classes).map { start in
        var best = start
        for i in start..<(start + classes) where logits[i] > logits[best] { best = i }
        return best - start
    }
}

extension Sequential {
    /// The model's metrics on `dataset`, in evaluation mode (no dropout).
    public func evaluate(_ dataset: Dataset, batchSize: Int = 1000) throws -> Evaluation {
        let b = backend, context = ForwardContext(backend: b, training: false)
        let batches = Batches(dataset, spec: spec, batchSize: batchSize)
        let loss = try b.tensor([1], filledWith: 0), agreement = try b.tensor([1], filledWith: 0)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: ModelSpec.classes), count: ModelSpec.classes)
        for batch in 0..<batches.count {
            let indices = batches.indices(batch)
            let x = try batches.input(indices, backend: b)
            let y = try forward(x, context)
            if spec.isAutoencoder {
                let scale = 1 / Float(dataset.count * dataset.imageSize)
                try b.squaredDifferenceSum(y.buffer, x.buffer, scale: scale, into: loss.buffer)
                try b.binaryAgreementSum(y.buffer, x.buffer, scale: scale, into: agreement.buffer)
            } else {
                let target = try batches.oneHot(indices, backend: b), gradient = try b.tensor(y.shape)
                let batchLoss = try b.tensor([1], filledWith: 0)
                try b.softmaxCrossEntropy(logits: y.buffer, target: target.buffer, rows: indices.count,
                                          classes: ModelSpec.classes, gradient: gradient.buffer, lossAccumulator: batchLoss.buffer)
                try b.axpy(alpha: Float(indices.count) / Float(dataset.count), x: batchLoss.buffer, y: loss.buffer)
                for (row, predicted) in predictions(try b.download(y.buffer), classes: ModelSpec.classes).enumerated() {
                    confusion[Int(dataset.labels[indices[indices.startIndex + row]])][predicted] += 1
                }
            }
        }
        var result = Evaluation(loss: Double(try b.scalar(loss.buffer)), examples: dataset.count)
        if spec.isAutoencoder {
            result.binaryAccuracy = Double(try b.scalar(agreement.buffer))
        } else {
            result.accuracy = Double((0..<ModelSpec.classes).reduce(0) { $0 + confusion[$1][$1] }) / Double(max(dataset.count, 1))
            result.confusion = confusion
        }
        return result
    }
}
