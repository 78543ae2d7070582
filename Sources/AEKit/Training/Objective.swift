import Compute

/// What a model is trained and judged by, in one place for training and evaluation: for an
/// autoencoder, its loss (MSE, BCE, L1) against its own input and the binary accuracy of its
/// reconstruction (pixels rounded to 0/1 that agree); for a classifier, softmax
/// cross-entropy against the one-hot labels and accuracy (with a confusion matrix when
/// evaluating). One `Objective` sums one pass over `dataset`, on the device where it can.
final class Objective {
    let spec: ModelSpec, dataset: Dataset, backend: any Backend
    /// Training: the sum of the batches' mean losses (a PyTorch loop's running sum).
    /// Evaluation: the dataset's mean loss, each batch adding its share.
    private let loss: Tensor
    /// Autoencoder: the fraction of the dataset's pixels whose rounded values agree.
    private let agreement: Tensor
    /// Classifier: `confusion[true][predicted]` counts, kept on the device (`confusionAdd`).
    private let confusion: Tensor
    /// The layers' own terms (a VAE's β·KL), summed as `loss` is; part of the loss reported.
    private let terms: Tensor
    /// An evaluation batch's terms, added by its forward pass, folded into `terms` by `add`.
    private var batchTerms: Tensor?
    private(set) var batches = 0

    init(_ spec: ModelSpec, dataset: Dataset, backend: any Backend) throws {
        guard dataset.count > 0 else { throw TrainingError.configuration("the set to train or evaluate on is empty") }
        guard spec.loss != .none else { throw TrainingError.configuration(ModelSpec.partProblem(spec.name)) }
        if !spec.isAutoencoder, let (index, label) = dataset.firstUnknownLabel {
            throw TrainingError.configuration("example \(index) has the label \(label); "
                                              + "the classifier's labels lie in 0...\(ModelSpec.classes - 1)")
        }
        self.spec = spec; self.dataset = dataset; self.backend = backend
        loss = try backend.tensor([1], filledWith: 0)
        agreement = try backend.tensor([1], filledWith: 0)
        confusion = try backend.tensor([ModelSpec.classes, ModelSpec.classes], filledWith: 0)
        terms = try backend.tensor([1], filledWith: 0)
    }

    /// Where the next batch's forward pass adds the layers' own loss terms
    /// (`ForwardContext.lossTerms`); nil for a model without such layers. Training adds each
    /// batch's mean straight into the running sum; evaluation adds it to a batch's own
    /// accumulator, which `add` weights by the batch's share.
    func lossTerms(training: Bool) throws -> Tensor? {
        guard spec.hasLossTerms else { return nil }
        if training { return terms }
        let fresh = try backend.tensor([1], filledWith: 0)
        batchTerms = fresh
        return fresh
    }

    /// Adds batch `batch` of `source`: the model's output `y` for input `x`. With `gradient`
    /// (training), writes the loss's gradient with respect to `y` into it. Reads nothing back.
    func add(output y: Tensor, input x: Tensor, batch: Int, source: Batches, gradient: Tensor?) throws {
        let b = backend
        batches += 1
        if let pending = batchTerms, gradient == nil {
            try b.axpy(alpha: Float(source.range(batch).count) / Float(dataset.count), x: pending.buffer, y: terms.buffer)
            batchTerms = nil
        }
        if spec.isAutoencoder {
            let pixelShare = 1 / Float(dataset.count * dataset.imageSize)
            if let gradient {
                try spec.addLoss(output: y, target: x, gradient: gradient, into: loss, backend: b)
            } else if let pixelLoss = spec.loss.pixelLoss {
                // The batch's mean, weighted by its share of the dataset; a loss summed per image
                // is the mean times the image's pixels.
                let batchLoss = try b.tensor([1], filledWith: 0)
                try b.pixelLoss(pixelLoss, prediction: y.buffer, target: x.buffer, gradient: b.tensor(y.shape).buffer,
                                lossAccumulator: batchLoss.buffer)
                try b.axpy(alpha: Float(y.count) * pixelShare * spec.loss.perImage(pixels: dataset.imageSize),
                           x: batchLoss.buffer, y: loss.buffer)
            } else {
                try b.squaredDifferenceSum(y.buffer, x.buffer, scale: pixelShare, into: loss.buffer)
            }
            let reconstruction = try spec.reconstruction(of: y, backend: b)
            try b.binaryAgreementSum(reconstruction.buffer, x.buffer, scale: pixelShare, into: agreement.buffer)
            return
        }
        let target = try source.targets(batch), rows = source.range(batch).count
        if let gradient {
            try spec.addLoss(output: y, target: target, gradient: gradient, into: loss, backend: b)
        } else {
            let scratch = try b.tensor(y.shape), batchLoss = try b.tensor([1], filledWith: 0)
            try b.softmaxCrossEntropy(logits: y.buffer, target: target.buffer, rows: rows, classes: ModelSpec.classes,
                                      gradient: scratch.buffer, lossAccumulator: batchLoss.buffer)
            try b.axpy(alpha: Float(rows) / Float(dataset.count), x: batchLoss.buffer, y: loss.buffer)
        }
        try b.confusionAdd(logits: y.buffer, target: target.buffer, rows: rows, classes: ModelSpec.classes,
                           confusion: confusion.buffer)
    }

    /// The mean of the batches' losses so far (training's running loss; reads the device).
    func runningLoss() throws -> Double {
        (Double(try backend.scalar(loss.buffer)) + (spec.hasLossTerms ? Double(try backend.scalar(terms.buffer)) : 0))
            / Double(max(batches, 1))
    }

    /// The metrics of the whole pass: `trainingLoss` as training reports it (the running
    /// loss), or nil for evaluation (the dataset's mean loss, and the confusion matrix).
    func result(trainingLoss: Double? = nil) throws -> Evaluation {
        var metrics = Evaluation(loss: try trainingLoss ?? Double(backend.scalar(loss.buffer)), examples: dataset.count)
        if spec.hasLossTerms {
            // Training's running terms are a sum of batch means, as its loss is.
            let value = Double(try backend.scalar(terms.buffer)) / Double(trainingLoss == nil ? 1 : max(batches, 1))
            if trainingLoss == nil { metrics.loss += value }
            metrics.lossTerms = value
        }
        if spec.isAutoencoder {
            metrics.binaryAccuracy = Double(try backend.scalar(agreement.buffer))
        } else {
            let counts = try backend.download(confusion.buffer).map { Int($0) }
            let confusion = (0..<ModelSpec.classes).map { Array(counts[($0 * ModelSpec.classes)..<(($0 + 1) * ModelSpec.classes)]) }
            let correct = (0..<ModelSpec.classes).reduce(0) { $0 + confusion[$1][$1] }
            metrics.accuracy = Double(correct) / Double(max(dataset.count, 1))
            if trainingLoss == nil { metrics.confusion = confusion }
        }
        return metrics
    }
}

extension ModelSpec {
    /// What a training step differentiates: adds the batch's mean loss of `output` against
    /// `target` (the input itself for an autoencoder, one-hot labels `[n, classes]` for a
    /// classifier) to `accumulator`, and writes its gradient with respect to `output` into
    /// `gradient`. A loss summed per image (`perImage`) is the mean times the image's pixels,
    /// its gradient too. Reads nothing back.
    func addLoss(output y: Tensor, target: Tensor, gradient: Tensor, into accumulator: Tensor, backend b: any Backend) throws {
        guard isAutoencoder else {
            try b.softmaxCrossEntropy(logits: y.buffer, target: target.buffer, rows: y.shape[0], classes: ModelSpec.classes,
                                      gradient: gradient.buffer, lossAccumulator: accumulator.buffer)
            return
        }
        guard let pixelLoss = loss.pixelLoss else {
            try b.mseLoss(prediction: y.buffer, target: target.buffer, gradient: gradient.buffer, lossAccumulator: accumulator.buffer)
            return
        }
        let perImage = loss.perImage(pixels: y.count / max(y.shape[0], 1))
        let batchLoss = perImage == 1 ? accumulator : try b.tensor([1], filledWith: 0)
        try b.pixelLoss(pixelLoss, prediction: y.buffer, target: target.buffer, gradient: gradient.buffer,
                        lossAccumulator: batchLoss.buffer)
        if perImage != 1 {
            try b.axpy(alpha: perImage, x: batchLoss.buffer, y: accumulator.buffer)
            try b.scale(gradient.buffer, by: perImage)
        }
    }
}
