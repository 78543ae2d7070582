import Compute

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
