import AEKit
import Compute
import Foundation

/// One measured figure beside the report's: a row of `results.json`.
public struct ResultRow: Codable, Sendable, Equatable {
    public var report: String
    /// What is measured, e.g. `test MSE, N = 64`.
    public var quantity: String
    /// The report's figure; nil where it published none.
    public var published: Double?
    public var measured: Double
    /// `stated`, `reading`, `best` or `extra` (see `GridRun.Role`).
    public var recipe: String
    /// The run folder, relative to the reproduction's folder (or several, for a mean over runs).
    public var run: String
}

/// The figures the reports published (docs/reports.md), by report and row label.
enum PublishedFigures {
    static func testMSE(_ report: ReportID, _ run: GridRun) -> Double? {
        switch (report, run.name) {
        case (.s0, "s0-L64"), (.s0, "s0-L64-e-reading"), (.s0, "s0-L64-adam"): return 0.0119
        case (.s2, let name) where name.hasSuffix("-N64"): return 0.0241
        case (.s2, let name) where name.hasSuffix("-N128"): return 0.0179
        case (.s2, let name) where name.hasSuffix("-N256"): return 0.0146
        case (.s2, let name) where name.hasSuffix("-N512"): return 0.0123
        case (.s3, _): return 0.0075
        case (.s4, "s4-base"), (.s4, "s4-base-linear-output"): return 0.037
        case (.s4, "s4-n128"), (.s4, "s4-n256"): return 0.031
        case (.s4, "s4-n512"): return 0.029
        case (.s4, "s4-p0.05"): return 0.025
        case (.s4, "s4-p0.01"), (.s4, "s4-p0.0001"): return 0.023
        case (.s4, "s4-improved"): return 0.021
        default: return nil
        }
    }

    /// S0's binary accuracy at L = 64, whichever reading of its recipe.
    static func binaryAccuracy(_ report: ReportID, _ run: GridRun) -> Double? {
        report == .s0 && run.name.hasPrefix("s0-L64") && run.role != .extra ? 0.968 : nil
    }

    /// S1's training time, 50 epochs on an RTX 3060 Ti: 28 s for the conv AE, 10 s for dense-512.
    static func secondsPerEpoch(_ report: ReportID, _ run: GridRun) -> Double? {
        guard report == .s1 else { return nil }
        switch ModelPreset(recognizing: run.config.model)?.architecture {
        case .convKeras?: return 28.0 / 50
        case .dense?: return 10.0 / 50
        default: return nil
        }
    }
}

/// Why each report's best recipe is what it is (or why there is none), under its table.
enum ReproductionNotes {
    static func text(_ report: ReportID) -> String {
        switch report {
        case .s0:
            "SGD at lr 1e-3 and batch 1000 takes 3 000 small steps in 50 epochs and hardly leaves its initialisation; "
                + "read as lr e⁻³ ≈ 0.05 it gets further. The best recipe is the same model with Adam at lr 1e-3. "
                + "The denoising AE (beyond the report) trains on 30 % salt-and-pepper inputs against the clean images, "
                + "with Adam too, so that its noise grid sits beside the plain Adam model's."
        case .s1:
            "No best recipe: with Adam (lr 1e-3 or 2e-4, batch 100 or 1000) every ReLU of the conv AE dies within the "
                + "first epoch and it puts out one constant image (test MSE 0.114); PyTorch does the same with this model, "
                + "with its own initialisation or Keras', while dense-512 reaches 0.009 in 4 epochs. The published ratio "
                + "is a statement about S1's optimiser, which is the stated column. Seconds per epoch are the device that "
                + "ran the grid, beside the report's RTX 3060 Ti."
        case .s2:
            "The stated recipe lands where a faithful PyTorch re-run does (0.049 and 0.028 at N = 64 and 512), not at "
                + "the published figures. The best recipe (`s2-best`: the same model size, data, split and epochs; Adam "
                + "1e-3, batch 100, no dropout, sigmoid output) goes below them."
        case .s3:
            "The stated model's ReLU output stalls near 0.012 whichever batch size is read (the report states none). "
                + "The best recipe changes one thing, a sigmoid output, and reaches the published figures."
        case .s4:
            "The report's eq. 1 is ½·Σ over pixels and batch; AEKit's MSE is the mean, as PyTorch's `MSELoss`. "
                + "Its kernel sizes and output activation are not stated: AEKit reads 3×3 and 5×5 transposed kernels and a "
                + "sigmoid output, and runs the base model with no output activation as the other reading. Each "
                + "autoencoder with dropout is also evaluated with its dropout left on, as a PyTorch model is without "
                + "`model.eval()`: the report's code is not given, and that reading lowers the test MSE. The "
                + "classifier's accuracy is on the 10 000 test images, the mean and standard deviation over its runs. Its "
                + "stated head (Linear n → 10, ReLU, softmax) can lose a class: once that class's ReLU logit dies, the "
                + "class is never predicted and the run ends near 0.81 (its confusion matrix has an empty column), which "
                + "pulls the mean down and the spread up (the lowest-run row and the worst run's confusion matrix show it). "
                + "The best recipe changes that one thing: linear logits, as PyTorch's `CrossEntropyLoss` expects "
                + "(`--logits linear`), for both encoders. The report publishes the pre-trained encoder's accuracy and "
                + "says the fresh one ends at the same. Its \"validation accuracy over 15 trainings\" names no epoch, and "
                + "its validation set is the test set: the rows at each run's best epoch (what a best-checkpoint "
                + "callback keeps) are that reading; the other rows are after the last epoch."
        }
    }
}

extension Reproduction {
    /// Reads every finished run back and writes `report.md` (tables whose columns are
    /// published | stated recipe | best recipe, and the figures), `results.json` and the
    /// sweep's curves; returns the rows.
    @discardableResult
    public func collect() throws -> [ResultRow] {
        let results = try finishedRuns()
        var tests: [String: Dataset] = [:]
        try completeFigures(results, tests: &tests)
        var rows: [ResultRow] = []
        func add(_ quantity: String, _ published: Double?, _ measured: Double, _ run: GridRun) {
            rows.append(ResultRow(report: report.rawValue, quantity: "\(quantity), \(run.label)", published: published,
                                  measured: measured, recipe: run.role.rawValue, run: run.name))
        }
        for run in runs where run.config.model.isAutoencoder {
            guard let (history, test) = results[run.name] else { continue }
            add("test MSE", PublishedFigures.testMSE(report, run), test.loss, run)
            if report == .s4, run.config.model.hasDropout {
                // S4's code is not given. A PyTorch model evaluated without `model.eval()` keeps
                // its dropout on, and before a max-pool that changes the MSE: training scales the
                // kept activations up, and the pool's maximum of them is larger than what the
                // same pool picks with dropout off. Read from the run's checkpoint.
                let model = try Checkpoint.load(runFolder(run).model, backend: CPUBackend())
                let kept = try model.evaluate(testSet(run, &tests), keepingDropout: true, seed: UInt32(truncatingIfNeeded: run.config.seed))
                rows.append(ResultRow(report: report.rawValue, quantity: "test MSE, dropout left on at test time, \(run.label)",
                                      published: PublishedFigures.testMSE(report, run), measured: kept.loss, recipe: "reading",
                                      run: run.name))
            }
            if report == .s0, let accuracy = test.binaryAccuracy {
                add("test binary accuracy", PublishedFigures.binaryAccuracy(report, run), accuracy, run)
            }
            if report == .s3, let last = history.last {
                add("train MSE", 0.0077, last.train.loss, run)
                add("validation MSE", 0.0076, last.validation.loss, run)
            }
            if report == .s1 {
                // Published on a GPU; ours on whatever device ran the grid (the run's config.json says).
                add("seconds per epoch", PublishedFigures.secondsPerEpoch(report, run),
                    history.map(\.seconds).reduce(0, +) / Double(max(history.count, 1)), run)
            }
        }
        if report == .s1, let dense = results["s1-dense-512"] {
            // "about half the MSE of the best dense AE".
            for run in runs where ModelPreset(recognizing: run.config.model)?.architecture == .convKeras {
                guard let conv = results[run.name] else { continue }
                rows.append(ResultRow(report: "s1", quantity: "test MSE against dense-512's, \(run.label)", published: 0.5,
                                      measured: conv.test.loss / dense.test.loss, recipe: run.role.rawValue,
                                      run: "\(run.name), s1-dense-512"))
            }
        }
        let study = report == .s4 ? classifierStudy(results) : []
        for (arm, variant, members) in study {
            let count = members.count, runs = members.map(\.name).joined(separator: ", ")
            // Published for the pre-trained encoder at 30 and 50 epochs; the fresh one, the
            // report says, ends at the same accuracy.
            let epochs = members[0].config.epochs
            let published: (mean: Double, std: Double)? = epochs == 30 ? (0.911, 0.003) : epochs == 50 ? (0.914, 0.002) : nil
            func add(_ what: String, _ spread: Spread, recipe: String) {
                rows.append(ResultRow(report: "s4", quantity: "\(what), \(arm.encoder) encoder, mean of \(count) runs",
                                      published: published?.mean, measured: spread.mean, recipe: recipe, run: runs))
                rows.append(ResultRow(report: "s4", quantity: "\(what), \(arm.encoder) encoder, std over \(count) runs",
                                      published: published?.std, measured: spread.std, recipe: recipe, run: runs))
            }
            add("classifier test accuracy", variant.testAccuracy, recipe: arm.role.rawValue)
            rows.append(ResultRow(report: "s4", quantity: "classifier test accuracy, \(arm.encoder) encoder, lowest of \(count) runs",
                                  published: nil, measured: variant.testAccuracy.values.min() ?? .nan, recipe: arm.role.rawValue,
                                  run: runs))
            // The report's "validation accuracy over 15 trainings" does not say at which epoch.
            // Its validation set is the test set, so the other reading is each run's best epoch
            // of the per-epoch test-set evaluations (what a best-checkpoint callback keeps).
            guard members[0].config.validation == .testSet else { continue }
            add("classifier test accuracy at each run's best epoch",
                Spread(members.map { results[$0.name]!.history.compactMap(\.validation.accuracy).max() ?? .nan }),
                recipe: arm.role == .best ? "best" : "reading")
        }
        try writeOutputs(rows, results: results, study: study)
        return rows
    }

    /// Runs finished by an earlier AEKit may lack figures this one writes (the PNG curves, the
    /// code map): they are drawn now from the run's checkpoint, so every link in report.md holds.
    private func completeFigures(_ results: [String: (history: [EpochRecord], test: Evaluation)],
                                 tests: inout [String: Dataset]) throws {
        for run in runs {
            let folder = runFolder(run)
            let needed = ["loss.png"] + (run.config.model.isAutoencoder ? ["codes.png", "reconstructions.png"] : [])
            guard let result = results[run.name],
                  !needed.allSatisfy({ FileManager.default.fileExists(atPath: folder.file($0)) }) else { continue }
            let model = try Checkpoint.load(folder.model, backend: CPUBackend())
            try Figures.writeRunFigures(folder: folder, config: run.config, history: result.history, model: model,
                                        test: testSet(run, &tests))
        }
    }

    /// The test set of `run`'s dataset, loaded once per collect (`tests` holds them by name).
    private func testSet(_ run: GridRun, _ tests: inout [String: Dataset]) throws -> Dataset {
        let name = run.config.data.name
        if let test = tests[name] { return test }
        let test = try run.config.data.load().test
        tests[name] = test
        return test
    }

    /// S4's classifier study from the grid's finished runs: per arm, its summary (the same
    /// `StudyVariant` that `aekit study` writes) and its runs.
    private func classifierStudy(_ results: [String: (history: [EpochRecord], test: Evaluation)])
        -> [(arm: ClassifierArm, variant: StudyVariant, members: [GridRun])] {
        ClassifierArm.all.compactMap { arm in
            let members = runs.filter { arm.isMember($0) && results[$0.name] != nil }
            guard !members.isEmpty else { return nil }
            let variant = StudyVariant(name: arm.name, encoder: members[0].config.encoderCheckpoint, seeds: members.map(\.config.seed),
                                       histories: members.map { results[$0.name]!.history },
                                       testAccuracies: members.map { results[$0.name]!.test.accuracy ?? .nan })
            return (arm, variant, members)
        }
    }

    private func writeOutputs(_ rows: [ResultRow], results: [String: (history: [EpochRecord], test: Evaluation)],
                              study: [(arm: ClassifierArm, variant: StudyVariant, members: [GridRun])]) throws {
        try RunFolder(path: folder).writeJSON(rows, to: Paths.join(folder, "results.json"))
        // The sweep: every autoencoder's validation loss per epoch on one plot.
        let autoencoders = runs.filter { $0.config.model.isAutoencoder }
        let curves = Figures.curves(autoencoders.compactMap { run in
            results[run.name].map { ("\(run.name)", $0.history.map(\.validation.loss)) }
        }, title: "\(report.rawValue): validation loss per epoch", yLabel: "MSE", logScale: true)
        try curves.write(to: folder, name: "validation-loss")
        var figures: [(title: String, file: String)] = [("validation loss per epoch, every autoencoder of the grid", "validation-loss.png")]
        if report == .s2 {
            // The test errors per N: published, stated recipe, best recipe.
            let groups = [64, 128, 256, 512].map { n -> (label: String, values: [Double?]) in
                let stated = results["s2-N\(n)"]?.test.loss, best = results["s2-best-N\(n)"]?.test.loss
                let published = runs.first { $0.name == "s2-N\(n)" }.flatMap { PublishedFigures.testMSE(report, $0) }
                return ("N = \(n)", [published, stated, best])
            }
            try Figures.bars(groups, series: ["published", "stated recipe", "best recipe"], title: "S2: test MSE by N",
                             yLabel: "test MSE").write(to: folder, name: "test-mse")
            figures.append(("test MSE by N", "test-mse.png"))
            // What an untrained network puts out (the report's figure), from the grid's first model.
            if let first = runs.first {
                let model = try Sequential(first.config.model, backend: CPUBackend(), seed: first.config.seed)
                let test = try first.config.data.load().test
                try writeAtomically(Figures.reconstructions(model, test).png(), to: Paths.join(folder, "untrained.png"))
                figures.append(("an untrained \(first.config.model.name): test images above its outputs", "untrained.png"))
            }
        }
        if report == .s4 {
            // The study's curves, pre-trained against fresh (the report's figure), and each again
            // with linear logits.
            if let runCount = study.first?.variant.testAccuracy.values.count {
                try StudyVariant.accuracyFigure(study.map(\.variant),
                                                title: "S4 classifier: validation accuracy, mean ± std over \(runCount) runs")
                    .write(to: folder, name: "classifier-accuracy")
                figures.append(("classifier validation accuracy per epoch, mean ± one standard deviation over the runs",
                                "classifier-accuracy.png"))
            }
            // Each arm's worst run: where a class was lost, its empty column shows.
            for (arm, _, members) in study {
                guard let worst = members.min(by: { (results[$0.name]?.test.accuracy ?? 1) < (results[$1.name]?.test.accuracy ?? 1) }),
                      let test = results[worst.name]?.test, let confusion = test.confusion else { continue }
                try Figures.heatmap(confusion, title: "\(worst.name): test-set confusion matrix").write(to: folder, name: "confusion-\(arm.slug)")
                figures.append(("confusion matrix on the test set of \(worst.name), the \(arm.name) arm's lowest test accuracy ("
                                    + String(format: "%.4f", test.accuracy ?? .nan) + ")", "confusion-\(arm.slug).png"))
            }
        }
        try writeAtomically(Data(markdown(rows, figures: figures).utf8), to: Paths.join(folder, "report.md"))
    }

    /// The report's tables: one row per label and quantity, with the published figure, the
    /// stated recipe's (or a reading's) and the best recipe's side by side.
    func markdown(_ rows: [ResultRow], figures: [(title: String, file: String)]) -> String {
        func number(_ value: Double?) -> String {
            guard let value else { return "–" }
            return abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.4g", value)
        }
        var text = "# \(report.rawValue.uppercased()): published against AEKit (\(scale.rawValue) scale)\n\n"
        text += "Every figure here comes from the run folders beside this file; `results.json` holds the same rows.\n"
        text += "The stated recipe is the report's as written; a reading is the other reading of what the report leaves open; "
            + "the best recipe is AEKit's better one, where the stated one does not reach the published figure.\n\n"
        text += "| quantity | published | stated recipe (AEKit) | best recipe (AEKit) |\n|---|---|---|---|\n"
        var seen: [String] = []
        for row in rows where !seen.contains(row.quantity) {
            seen.append(row.quantity)
            let same = rows.filter { $0.quantity == row.quantity }
            let stated = same.first { $0.recipe != "best" }, best = same.first { $0.recipe == "best" }
            let label = stated.map { $0.recipe == "stated" ? $0.quantity : "\($0.quantity) (\($0.recipe))" } ?? row.quantity
            text += "| \(label) | \(number(row.published)) | \(number(stated?.measured)) | \(number(best?.measured)) |\n"
        }
        text += "\n" + ReproductionNotes.text(report) + "\n\n## Figures\n\n"
        for figure in figures { text += "**\(figure.title)**\n\n![\(figure.title)](\(figure.file))\n\n" }
        if report == .s0 {
            text += "**Salt-and-pepper noise 0 … 0.5 (rows of noisy inputs above their reconstructions): the AE trained "
                + "plainly (Adam), then the same trained as a denoising AE**\n\n"
                + "![plain](s0-L64-adam/salt-and-pepper.png) ![denoising](s0-L64-denoise/salt-and-pepper.png)\n\n"
        }
        text += "Each run: its loss curves, test images above their reconstructions, and its code space "
            + "(PCA of the test-set codes, coloured by class).\n\n"
        for run in runs where run.config.model.isAutoencoder {
            text += "### \(run.name): \(run.label)\n\n![\(run.name) loss](\(run.name)/loss.png) "
                + "![\(run.name) reconstructions](\(run.name)/reconstructions.png) ![\(run.name) codes](\(run.name)/codes.png)\n\n"
        }
        return text
    }
}
