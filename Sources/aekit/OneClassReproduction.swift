import AEKit
import Reports
import ArgumentParser
import Compute
import Foundation

/// `aekit reproduce one-class`: Ruff et al.'s one-class benchmark (`OneClass`) for each
/// dataset, normal class and seed, each cell kept in `results.json` as it finishes (so the same
/// command continues a cut-off table), then `report.md` with the PyTorch reference's figures
/// (`pytorch.json`, written by bench/one_class_pytorch.py into the same folder) and the paper's.
struct OneClassReproduction {
    let folder: String
    let datasets: [String]
    /// The normal classes to train (all ten by default).
    let classes: [Int]
    let seeds: Int
    let epochs: Int
    /// quick: a fifth of each normal class's images, for a check of the machinery.
    let quick: Bool

    func run(backend: any Backend, progress: any TrainingProgress) throws {
        _ = try createFolders(folder)
        let resultsPath = Paths.join(folder, "results.json")
        var results = try Self.read(resultsPath)
        for dataset in datasets {
            let sets = try progress.load(DataSource(name: dataset))
            let train = quick ? sets.train.prefix(sets.train.count / 5) : sets.train
            for normal in classes {
                for seed in 1...UInt64(seeds) where !results.contains(where: {
                    $0.dataset == dataset && $0.normalClass == normal && $0.seed == seed && $0.epochs == epochs
                }) {
                    let result = try OneClass.run(train: train, test: sets.test, dataset: dataset, normalClass: UInt8(normal),
                                                  seed: seed, epochs: epochs, backend: backend)
                    results.append(result)
                    try writeAtomically(Data(try jsonString(results).utf8), to: resultsPath)
                    print(String(format: "%@ class %d seed %d: AUROC %.4f (train loss %.5f, %.0f s)", dataset, normal, seed,
                                 result.auroc, result.trainLoss, result.seconds))
                    fflush(nil)  // a cell takes minutes: its line shows as it finishes, in a log too
                }
            }
        }
        let referencePath = Paths.join(folder, "pytorch.json")
        let reference = try Self.read(referencePath)
        let report = "# One-class benchmark (Ruff et al., ICML 2018: DCAE)\n\nAUROC in % (mean ± std over seeds, seed count); "
            + "each cell an autoencoder trained on the normal class alone, the whole test set scored.\n\n"
            + OneClass.report(results.filter { datasets.contains($0.dataset) }, reference: reference)
        try writeAtomically(Data(report.utf8), to: Paths.join(folder, "report.md"))
        print(report)
        print("\(folder)/report.md and results.json written")
    }

    /// The cells a results file holds; none where there is no file.
    static func read(_ path: String) throws -> [OneClass.Result] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do { return try JSONDecoder().decode([OneClass.Result].self, from: readRegularFile(path, limit: 1 << 24)) } catch let error as DecodingError {
            throw contentError("\(path) is not a list of one-class results (\(error)); move it away to start the table again")
        }
    }
}

/// `reproduce one-class`'s flags: which cells of the table to train, and how long.
struct OneClassOptions: ParsableArguments {
    @Option(help: "one-class: the datasets, separated by commas (default mnist,fashion-mnist).")
    var datasets: String?

    @Option(help: "one-class: the normal classes to train, separated by commas (default all ten).")
    var classes: String?

    @Option(parsing: .unconditional, help: "one-class: seeds per normal class (default 3 at full scale, 1 at quick).")
    var seeds: Int?

    @Option(parsing: .unconditional, help: "one-class: epochs per model (default the recipe's 150 at full scale, 3 at quick).")
    var epochs: Int?

    /// The datasets the benchmark runs on, and so the default of `--datasets`.
    static let allDatasets = ["mnist", "fashion-mnist"]

    /// `--datasets` as a list, or every dataset.
    var datasetNames: [String] { datasets.map { $0.split(separator: ",").map(String.init) } ?? Self.allDatasets }

    /// `--classes` as numbers (nil where an item is not one), or every class.
    var classNumbers: [Int?] { classes.map { $0.split(separator: ",").map { Int($0) } } ?? Array(0..<ModelSpec.classes) }

    /// The flags given, by name (the other reports refuse them).
    var givenFlags: [String] {
        [("--datasets", datasets != nil), ("--classes", classes != nil), ("--seeds", seeds != nil), ("--epochs", epochs != nil)]
            .filter(\.1).map(\.0)
    }

    func validate() throws {
        if let classes, classNumbers.contains(where: { $0.map { !(0..<ModelSpec.classes).contains($0) } ?? true }) {
            throw ValidationError("--classes must be class numbers 0...\(ModelSpec.classes - 1) separated by commas (got '\(classes)')")
        }
        if let seeds, !(1...100).contains(seeds) { throw ValidationError("--seeds must be in 1...100 (got \(seeds))") }
        if let epochs, !(1...TrainingConfig.maximumEpochs).contains(epochs) {
            throw ValidationError("--epochs must be in 1...\(TrainingConfig.maximumEpochs) (got \(epochs))")
        }
        if let unknown = datasetNames.first(where: { !Self.allDatasets.contains($0) }) {
            throw ValidationError("--datasets: unknown dataset '\(unknown)'; one-class runs on \(Self.allDatasets.joined(separator: " and "))")
        }
    }

    /// The table these flags ask for (checked by `validate`), at `scale` where a flag is not given.
    func reproduction(folder: String, scale: ReproductionScale) -> OneClassReproduction {
        OneClassReproduction(folder: folder, datasets: datasetNames, classes: classNumbers.map { $0! },
                             seeds: seeds ?? (scale == .full ? 3 : 1), epochs: epochs ?? (scale == .full ? OneClass.epochs : 3),
                             quick: scale == .quick)
    }
}
