import AEKit
import Reports
import ArgumentParser
import Compute
import Foundation

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train S4's classifier several times and report its accuracy as mean ± std over the runs.",
        discussion: """
            S4 trained its classifier 15 times from a pre-trained encoder and reported the \
            validation accuracy as mean ± std per epoch, and compared it with an encoder that starts \
            from random weights. This runs that study: --runs classifiers from seeds --seed, \
            --seed + 1, … with the encoder of --encoder, and as many from random weights with \
            --fresh (or without --encoder). Each run is a run folder under --out; a finished run is \
            read back and a cut-off one resumed, so the same command continues a study. Writes \
            study.json, study.csv (per variant and epoch) and accuracy.svg (mean ± std bands).
            """)

    @Option(help: "A trained conv-linear checkpoint (aekit train --recipe s4) whose encoder the classifiers start from.")
    var encoder: String?

    @Flag(help: "Also train the classifiers from a randomly initialised encoder, for the comparison.")
    var fresh = false

    @Option(parsing: .unconditional, help: "Classifiers per variant (S4: 15).")
    var runs = 15

    @Option(parsing: .unconditional, help: "Passes over the training set per run (S4: 30, and 50).")
    var epochs: Int?

    @Option(help: "The classifier's logits: relu (S4's head, the default) or linear.")
    var logits: ModelPreset.Logits?

    @Option(parsing: .unconditional, help: "The first run's seed; run k uses seed + k.")
    var seed: UInt64 = 1

    @OptionGroup var dataOptions: TrainingDataOptions

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: "The study's folder (default: runs/study).")
    var out: String?

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1 (got \(runs))") }
    }

    func makeConfig() throws -> TrainingConfig {
        var config = try dataOptions.config(recipe: "s4-classifier")
        if let epochs { config.epochs = epochs }
        if let logits { try asFlagError { try config.changePreset(flags: "--logits") { $0.logits = logits } } }
        config.seed = seed
        if let encoder {
            try asFlagError { try config.startFromEncoder(at: encoder) }
        }
        if let problem = config.problem { throw ValidationError(problem) }
        return config
    }

    func run() throws {
        let config = try makeConfig()
        let encoders: [String?] = (encoder.map { [$0] } ?? []) + (fresh || encoder == nil ? [nil] : [])
        if encoder == nil { printError("note: no --encoder given; every classifier starts from random weights") }
        let study = try Study(config: config, folder: RunFolder(path: out ?? "runs/study"), runs: runs, encoders: encoders)
        // The data and the device once, for every run.
        let dataset = try config.data.load()
        let choice = try deviceOptions.select()
        printError("device: \(choice.reason)")
        let progress = consoleProgress()
        let variants = try study.run(backend: choice.backend, data: dataset, progress: progress) { printError($0) }

        let validationName = config.validation == .testSet ? "test-set" : "validation"
        var rows = [["variant", "runs", "epochs", "\(validationName) accuracy (last epoch)", "best epoch's mean", "test accuracy"]]
        for v in variants {
            guard let last = v.validationAccuracy.last else { continue }
            let best = v.validationAccuracy.enumerated().max { $0.element.mean < $1.element.mean }!
            rows.append([v.name, "\(v.seeds.count)", "\(v.validationAccuracy.count)", percent(last),
                         "\(percent(best.element)) at epoch \(best.offset + 1)", percent(v.testAccuracy)])
        }
        print(table(rows))
        print("mean ± sample std over the runs; per-epoch figures in \(study.folder.file("study.csv")), bands in \(study.folder.file("accuracy.svg"))")
    }

    private func percent(_ spread: Spread) -> String {
        String(format: "%.1f ± %.1f %%", spread.mean * 100, spread.std * 100)
    }
}
