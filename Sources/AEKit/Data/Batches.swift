import Compute

/// A dataset in the backend's memory: its images as one `[count, height·width]` tensor and,
/// for a classifier, its one-hot labels as `[count, classes]`. Uploaded once; every batch is
/// then gathered on the device (`gatherRows`), so a training step moves no data between host
/// and device.
struct ResidentDataset {
    let dataset: Dataset
    let backend: any Backend
    let pixels: Tensor
    let targets: Tensor?

    init(_ dataset: Dataset, spec: ModelSpec, backend: any Backend) throws {
        guard dataset.imageSize == spec.input.reduce(1, *) else {
            throw TrainingError.configuration("\(spec.name) takes examples of \(spec.input) (\(spec.input.reduce(1, *)) values); "
                                              + "the dataset's images are \(dataset.height)×\(dataset.width)")
        }
        self.dataset = dataset; self.backend = backend
        pixels = try backend.tensor([dataset.count, dataset.imageSize], values: dataset.pixels)
        if spec.isAutoencoder {
            targets = nil
        } else {
            var oneHot = [Float](repeating: 0, count: dataset.count * ModelSpec.classes)
            for (row, label) in dataset.labels.enumerated() where Int(label) < ModelSpec.classes {
                oneHot[row * ModelSpec.classes + Int(label)] = 1
            }
            targets = try backend.tensor([dataset.count, ModelSpec.classes], values: oneHot)
        }
    }
}

/// One pass over a resident dataset in batches: the order (shuffled for training) is uploaded
/// once as an index tensor, and each batch's inputs and targets are gathered from it.
struct Batches {
    let data: ResidentDataset
    let spec: ModelSpec
    let batchSize: Int
    /// Row numbers in pass order, as floats (`gatherRows`' indices).
    private let order: Tensor

    init(_ data: ResidentDataset, spec: ModelSpec, batchSize: Int, shuffleSeed: UInt64? = nil) throws {
        self.data = data; self.spec = spec; self.batchSize = batchSize
        var rows = Array(0..<data.dataset.count)
        if let shuffleSeed {
            var random = SeededRandom(seed: shuffleSeed)
            rows.shuffle(using: &random)
        }
        order = try data.backend.tensor([rows.count], values: rows.map(Float.init))
    }

    var count: Int { (data.dataset.count + batchSize - 1) / batchSize }

    /// The positions in pass order that batch `batch` covers.
    func range(_ batch: Int) -> Range<Int> {
        (batch * batchSize)..<min((batch + 1) * batchSize, data.dataset.count)
    }

    /// Batch `batch`'s images, `[n] + spec.input`.
    func input(_ batch: Int) throws -> Tensor {
        try gather(data.pixels, batch, shape: spec.input)
    }

    /// Batch `batch`'s one-hot labels, `[n, classes]` (a classifier's).
    func targets(_ batch: Int) throws -> Tensor {
        guard let targets = data.targets else { throw ModelError.shape("an autoencoder's batches have no labels") }
        return try gather(targets, batch, shape: [ModelSpec.classes])
    }

    private func gather(_ source: Tensor, _ batch: Int, shape: [Int]) throws -> Tensor {
        let rows = range(batch), rowLength = shape.reduce(1, *)
        let backend = data.backend
        let output = try backend.tensor([rows.count] + shape)
        try backend.gatherRows(source.buffer, rowLength: rowLength, indices: order.buffer, first: rows.lowerBound,
                               count: rows.count, output: output.buffer)
        return output
    }
}
