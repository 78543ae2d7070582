import AEKit
import Compute
import Foundation

/// The one-class benchmark of Ruff et al., "Deep One-Class Classification" (ICML 2018), for its
/// convolutional autoencoder baseline (DCAE): an autoencoder trained on one class of the training
/// set alone scores every test image by its summed squared reconstruction error, and the AUROC
/// of that score tells the class (normal) from the other nine (anomalies). The model, the
/// preprocessing and the recipe are those of the authors' PyTorch code
/// (lukasruff/Deep-SVDD-PyTorch: `MNIST_LeNet_Autoencoder`, `global_contrast_normalization`,
/// `AETrainer`, and the README's MNIST command).
public enum OneClass {
    /// `MNIST_LeNet_Autoencoder` as one Sequential: 5×5 convolutions without bias, BatchNorm
    /// without affine (eps 1e-4), `F.leaky_relu` (slope 0.01), a 32-value code, and a decoder of
    /// nearest upsampling and transposed convolutions; `F.interpolate` and `x.view` are
    /// `Upsample` and `Unflatten` here.
    public static let model = ModelSpec(input: [1, 28, 28], loss: .mse, initialization: .pytorch, layers: try! LayerSpec.parsing([
        "Conv2d(1, 8, kernel_size=5, padding=2, bias=False)", "BatchNorm2d(8, eps=0.0001, affine=False)", "LeakyReLU()",
        "MaxPool2d(2, 2)",
        "Conv2d(8, 4, kernel_size=5, padding=2, bias=False)", "BatchNorm2d(4, eps=0.0001, affine=False)", "LeakyReLU()",
        "MaxPool2d(2, 2)",
        "Flatten()", "Linear(196, 32, bias=False)",
        "Unflatten(1, (2, 4, 4))", "LeakyReLU()", "Upsample(scale_factor=2)",
        "ConvTranspose2d(2, 4, kernel_size=5, padding=2, bias=False)", "BatchNorm2d(4, eps=0.0001, affine=False)", "LeakyReLU()",
        "Upsample(scale_factor=2)",
        "ConvTranspose2d(4, 8, kernel_size=5, padding=3, bias=False)", "BatchNorm2d(8, eps=0.0001, affine=False)", "LeakyReLU()",
        "Upsample(scale_factor=2)",
        "ConvTranspose2d(8, 1, kernel_size=5, padding=2, bias=False)", "Sigmoid()",
    ]), label: "mnist-lenet-ae")

    /// The README's pretraining flags: Adam, lr 1e-4 divided by 10 after epoch 50, L2 weight
    /// decay 0.5e-3 (PyTorch's Adam adds it to the gradient, as AEKit's does), batch 200,
    /// 150 epochs; `nn.MSELoss()`, the mean over pixels, as AEKit's `mse`.
    public static let optimizer = OptimizerSpec(kind: .adam, learningRate: 1e-4, weightDecay: 0.5e-3, milestones: [50])
    public static let batchSize = 200
    public static let epochs = 150

    /// The DCAE column of the paper's Table 1 (MNIST; mean ± std of the AUROC in %, over 10
    /// seeds), class 0 to 9, as recalled: the paper could not be fetched from this machine to
    /// check them, and the report says so beside them.
    public static let publishedMNIST: [(mean: Double, std: Double)] = [
        (97.6, 0.7), (98.3, 0.6), (85.4, 2.4), (86.7, 0.9), (86.5, 2.0), (78.2, 2.7), (94.6, 0.5), (92.3, 1.0), (86.5, 1.6), (90.4, 1.8),
    ]

    /// Global contrast normalisation with the L1 scale, per image: minus its mean, divided by
    /// its mean absolute deviation (`global_contrast_normalization(x, scale='l1')`).
    public static func contrastNormalized(_ data: Dataset) -> [Float] {
        var values = data.pixels
        let size = data.imageSize
        for start in stride(from: 0, to: values.count, by: size) {
            let image = start..<(start + size)
            let mean = values[image].reduce(0, +) / Float(size)
            for i in image { values[i] -= mean }
            let scale = values[image].reduce(0) { $0 + abs($1) } / Float(size)
            if scale > 0 { for i in image { values[i] /= scale } }
        }
        return values
    }

    /// The benchmark's sets for `normalClass`: the training images of that class alone and
    /// the whole test set, contrast-normalised, then scaled by the minimum and maximum over the
    /// normal class's training values (the authors hard-code those per class; here they are
    /// computed), so the training values lie in [0, 1] and the test's may lie beyond.
    public static func sets(train: Dataset, test: Dataset, normalClass: UInt8) -> (train: Dataset, test: Dataset) {
        let normal = train.subset(train.labels.indices.filter { train.labels[$0] == normalClass })
        let trainValues = contrastNormalized(normal), testValues = contrastNormalized(test)
        let low = trainValues.min() ?? 0, high = trainValues.max() ?? 1, range = max(high - low, .leastNormalMagnitude)
        func scaled(_ values: [Float], _ like: Dataset) -> Dataset {
            Dataset(values: .floats(values.map { ($0 - low) / range }), labels: like.labels, channels: like.channels,
                    height: like.height, width: like.width, classNames: like.classNames)
        }
        return (scaled(trainValues, normal), scaled(testValues, test))
    }

    /// One cell of the table.
    public struct Result: Codable, Sendable, Equatable {
        public let dataset: String
        public let normalClass: Int
        public let seed: UInt64
        public let epochs: Int
        /// The AUROC of the reconstruction error, anomalies (the other classes) positive.
        public let auroc: Double
        public let trainLoss: Double
        public let seconds: Double
    }

    /// Trains the model from `seed` on `normalClass`'s training images for `epochs` (the
    /// milestone scaled to a third of them when fewer than the recipe's) and scores the test set.
    public static func run(train: Dataset, test: Dataset, dataset: String, normalClass: UInt8, seed: UInt64, epochs: Int = epochs,
                           backend: any Backend, progress: any TrainingProgress = SilentProgress()) throws -> Result {
        let (normal, all) = sets(train: train, test: test, normalClass: normalClass)
        let model = try Sequential(Self.model, backend: backend, seed: seed)
        var recipe = optimizer
        if epochs != Self.epochs { recipe.milestones = [max(1, epochs / 3)] }
        let start = DispatchTime.now().uptimeNanoseconds
        // The validation pass each epoch needs a set: a batch of the normal images stands in.
        let history = try model.fit(normal, epochs: epochs, batchSize: batchSize, optimizer: recipe,
                                    validation: normal.prefix(batchSize), seed: seed, progress: progress)
        let scores = try model.reconstructionErrors(all)
        let roc = try ROC(scores: scores, positive: all.labels.map { $0 != normalClass })
        return Result(dataset: dataset, normalClass: Int(normalClass), seed: seed, epochs: epochs, auroc: roc.auroc,
                      trainLoss: history.last?.train.loss ?? .nan,
                      seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }

    /// `report.md`'s table for each dataset: per normal class the AUROC in % (mean ± standard
    /// deviation over seeds) of AEKit's runs — a column for the recipe's 150 epochs and one for
    /// each other length trained — of the PyTorch reference's where given, and the paper's DCAE
    /// for MNIST; then the mean over the classes.
    public static func report(_ results: [Result], reference: [Result] = []) -> String {
        /// "mean ± std (n)" in %; one value alone has no spread to give.
        func cell(_ values: [Double], of what: (one: String, many: String)) -> String {
            guard !values.isEmpty else { return "–" }
            let mean = values.reduce(0, +) / Double(values.count)
            guard values.count > 1 else { return String(format: "%.1f (1 %@)", 100 * mean, what.one) }
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            return String(format: "%.1f ± %.1f (%d %@)", 100 * mean, 100 * std, values.count, what.many)
        }
        func classMeans(_ rs: [Result]) -> [Double] {
            (0..<ModelSpec.classes).compactMap { k in
                let a = rs.filter { $0.normalClass == k }.map(\.auroc)
                return a.isEmpty ? nil : a.reduce(0, +) / Double(a.count)
            }
        }
        let seeds = ("seed", "seeds"), classes = ("class", "classes")
        var lines: [String] = []
        for dataset in Array(Set(results.map(\.dataset))).sorted() {
            let ours = results.filter { $0.dataset == dataset }, theirs = reference.filter { $0.dataset == dataset }
            // The recipe's length first, then the others trained, shortest first.
            let lengths = Set(ours.map(\.epochs)).sorted { ($0 == epochs ? 0 : $0) < ($1 == epochs ? 0 : $1) }
            let columns = lengths.map { length in
                (length == epochs ? "AEKit, the recipe (\(length) epochs)" : "AEKit, \(length) epochs",
                 ours.filter { $0.epochs == length })
            }
            lines += ["### \(dataset)", "",
                      "| normal class | " + columns.map(\.0).joined(separator: " | ") + " | PyTorch reference | paper (DCAE) |",
                      "|---|" + String(repeating: "---|", count: columns.count + 2)]
            for k in 0..<ModelSpec.classes {
                let paper = dataset == "mnist" ? String(format: "%.1f ± %.1f", publishedMNIST[k].mean, publishedMNIST[k].std) : "–"
                let cells = columns.map { cell($0.1.filter { $0.normalClass == k }.map(\.auroc), of: seeds) }
                lines.append("| \(k) | " + cells.joined(separator: " | ")
                             + " | \(cell(theirs.filter { $0.normalClass == k }.map(\.auroc), of: seeds)) | \(paper) |")
            }
            let paperMean = publishedMNIST.reduce(0) { $0 + $1.mean } / Double(publishedMNIST.count)
            lines.append("| mean of the classes | " + columns.map { cell(classMeans($0.1), of: classes) }.joined(separator: " | ")
                         + " | \(cell(classMeans(theirs), of: classes)) | "
                         + (dataset == "mnist" ? String(format: "%.1f", paperMean) : "–") + " |")
            lines.append("")
        }
        if results.contains(where: { $0.dataset == "mnist" }) {
            lines.append("The paper's column is its Table 1 (DCAE, 10 seeds) as recalled, not checked against the PDF here.")
        }
        return lines.joined(separator: "\n")
    }
}
