import Compute

/// A dataset in the backend's memory: its images as one tensor and, for a classifier, its
/// one-hot labels as `[count, classes]`. Uploaded once; every batch is then gathered on the
/// device (`gatherRows`, or `gatherByteRows` for a set kept as bytes, which stays bytes there
/// too), so a training step moves no data between host and device.
struct ResidentDataset {
    let dataset: Dataset
    let backend: any Backend
    /// `[count, imageSize]` floats, or for a byte set its bytes packed four to a float.
    let pixels: Tensor
    let targets: Tensor?

    init(_ dataset: Dataset, spec: ModelSpec, backend: any Backend) throws {
        if let problem = spec.inputProblem(dataset.shape) { throw TrainingError.configuration(problem) }
        self.dataset = dataset; self.backend = backend
        switch dataset.values {
        case .floats(let values):
            pixels = try backend.tensor([dataset.count, dataset.imageSize], values: values)
        case .bytes(let bytes):
            // The bytes as they are, four to a float of the buffer.
            let packed = try backend.tensor([(bytes.count + 3) / 4])
            try bytes.withUnsafeBytes { try backend.upload(bytes: $0, to: packed.buffer) }
            pixels = packed
        }
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
/// `Batches(_:for:batchSize:shuffleSeed:)` makes one for a loop of one's own (TrainingLoop.swift).
public struct Batches {
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

    /// How many batches a pass has (the last may be smaller).
    public var count: Int { (data.dataset.count + batchSize - 1) / batchSize }

    /// The positions in pass order that batch `batch` covers.
    public func range(_ batch: Int) -> Range<Int> {
        (batch * batchSize)..<min((batch + 1) * batchSize, data.dataset.count)
    }

    /// Batch `batch`'s images, `[n] + spec.input`.
    public func input(_ batch: Int) throws -> Tensor {
        guard case .bytes = data.dataset.values else { return try gather(data.pixels, batch, shape: spec.input) }
        let rows = range(batch), rowLength = data.dataset.imageSize
        let output = try data.backend.tensor([rows.count] + spec.input)
        try data.backend.gatherByteRows(data.pixels.buffer, rows: data.dataset.count, rowLength: rowLength, indices: order.buffer,
                                        first: rows.lowerBound, count: rows.count, output: output.buffer)
        return output
    }

    /// Batch `batch`'s one-hot labels, `[n, classes]` (a classifier's).
    public func targets(_ batch: Int) throws -> Tensor {
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
