import AEKit
import Compute
import Foundation

/// A mean and sample standard deviation over repeated runs, with the runs' own values.
public struct Spread: Codable, Sendable {
    public var mean: Double
    /// Sample standard deviation (n − 1); 0 for a single run.
    public var std: Double
    public var values: [Double]

    public init(_ values: [Double]) {
        let mean = values.reduce(0, +) / Double(max(values.count, 1))
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.values = values
        self.mean = mean
        std = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    }
}

/// One variant of a study (the encoder it starts from), over all its runs.
public struct StudyVariant: Codable, Sendable {
    /// `pre-trained` or `fresh`.
    public var name: String
    public var encoder: String?
    public var seeds: [UInt64]
    /// Per epoch, across runs: validation accuracy and loss.
    public var validationAccuracy: [Spread]
    public var validationLoss: [Spread]
    /// After the last epoch, on the test set.
    public var testAccuracy: Spread

    enum CodingKeys: String, CodingKey {
        case name, encoder, seeds
        case validationAccuracy = "validation_accuracy", validationLoss = "validation_loss"
        case testAccuracy = "test_accuracy"
    }
}

extension StudyVariant {
    /// The variant summed up from its runs: their histories and their test-set accuracies.
    public init(name: String, encoder: String?, seeds: [UInt64], histories: [[EpochRecord]], testAccuracies: [Double]) {
        let epochs = histories.map(\.count).min() ?? 0
        self.init(name: name, encoder: encoder, seeds: seeds,
                  validationAccuracy: (0..<epochs).map { e in Spread(histories.map { $0[e].validation.accuracy ?? .nan }) },
                  validationLoss: (0..<epochs).map { e in Spread(histories.map { $0[e].validation.loss }) },
                  testAccuracy: Spread(testAccuracies))
    }

    /// The study's figure: each variant's mean validation accuracy per epoch, with a band of
    /// ± one standard deviation over its runs.
    public static func accuracyFigure(_ variants: [StudyVariant], title: String) -> SVGImage {
        Figures.curves(variants.map { ($0.name, $0.validationAccuracy.map(\.mean)) }, title: title, yLabel: "accuracy",
                       spreads: variants.map { $0.validationAccuracy.map(\.std) })
    }
}

/// S4's classifier study: the classifier trained several times from different seeds, starting
/// from a trained encoder and, for the comparison, from random weights; the accuracy reported as
/// mean ± std over the runs, per epoch (the report's 15 runs: 91.1 ± 0.3 % at 30 epochs).
///
/// Every run is an ordinary run folder under `folder/<variant>/seed-<seed>`. A run that
/// finished is read back rather than trained again, and one that was cut off is resumed, so an
/// interrupted study picks up where it stopped.
public struct Study {
    public let config: TrainingConfig
    public let folder: RunFolder
    public let runs: Int
    /// `nil` for the randomly initialised encoder.
    public let encoders: [String?]

    public init(config: TrainingConfig, folder: RunFolder, runs: Int, encoders: [String?]) throws {
        guard !config.model.isAutoencoder else {
            throw TrainingError.configuration("a study trains the classifier (--recipe s4-classifier); got \(config.model.name)")
        }
        guard runs >= 1 else { throw TrainingError.configuration("--runs must be at least 1 (got \(runs))") }
        guard !encoders.isEmpty else { throw TrainingError.configuration("a study needs an encoder variant") }
        self.config = config; self.folder = folder; self.runs = runs; self.encoders = encoders
    }

    public static func variantName(encoder: String?) -> String { encoder == nil ? "fresh" : "pre-trained" }

    /// Trains (or reads back) every run and writes `study.json`, `study.csv` and `accuracy.svg`.
    /// `announce` hears of each run before it starts; `progress` follows its epochs.
    public func run(backend: any Backend, data: (train: Dataset, test: Dataset), progress: any TrainingProgress,
                    announce: (String) -> Void) throws -> [StudyVariant] {
        let lock = try folder.lockCreating()
        defer { lock.release() }
        var variants: [StudyVariant] = []
        for encoder in encoders {
            let name = Study.variantName(encoder: encoder)
            var histories: [[EpochRecord]] = [], tests: [Double] = [], seeds: [UInt64] = []
            for index in 0..<runs {
                var runConfig = config
                runConfig.seed = config.seed &+ UInt64(index)
                runConfig.encoderCheckpoint = encoder
                let runFolder = RunFolder(path: folder.file("\(name)/seed-\(runConfig.seed)"))
                announce("\(name) run \(index + 1)/\(runs) (seed \(runConfig.seed)) in \(runFolder.path)")
                let (history, test) = try OwnedRun(config: runConfig, folder: runFolder, owner: "this study")
                    .result(backend: backend, data: data, progress: progress)
                histories.append(history)
                tests.append(test.accuracy ?? .nan)
                seeds.append(runConfig.seed)
            }
            variants.append(StudyVariant(name: name, encoder: encoder, seeds: seeds, histories: histories, testAccuracies: tests))
        }
        try write(variants)
        return variants
    }

    private func write(_ variants: [StudyVariant]) throws {
        try folder.writeJSON(variants, to: folder.file("study.json"))
        var csv = "variant,epoch,runs,val_accuracy_mean,val_accuracy_std,val_loss_mean,val_loss_std\n"
        for v in variants {
            for (e, (accuracy, loss)) in zip(v.validationAccuracy, v.validationLoss).enumerated() {
                csv += "\(v.name),\(e + 1),\(accuracy.values.count),\(accuracy.mean),\(accuracy.std),\(loss.mean),\(loss.std)\n"
            }
        }
        try writeAtomically(Data(csv.utf8), to: folder.file("study.csv"))
        let validationName = config.validation == .testSet ? "test" : "validation"
        try StudyVariant.accuracyFigure(variants, title: "\(config.model.name): \(validationName) accuracy, mean ± std over \(runs) runs")
            .write(to: folder.path, name: "accuracy")
    }
}
