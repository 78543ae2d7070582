import AEKit
import Foundation

/// The reports AEKit reproduces (docs/reports.md).
public enum ReportID: String, CaseIterable, Codable, Sendable {
    case s0, s1, s2, s3, s4

    /// `s0` … `s4`, or `all`; throws naming the choices otherwise.
    public static func parse(_ text: String) throws -> [ReportID] {
        if text.lowercased() == "all" { return allCases }
        guard let report = ReportID(rawValue: text.lowercased()) else {
            throw TrainingError.configuration("unknown report '\(text)'; use one of: "
                                              + (allCases.map(\.rawValue) + ["all"]).joined(separator: ", "))
        }
        return [report]
    }
}

/// How much of a report's grid to train: `quick` runs every run of the grid for a couple of
/// epochs on a subset (minutes on two cores; the tests use it), `full` the reports' epochs and
/// run counts.
public enum ReproductionScale: String, CaseIterable, Codable, Sendable {
    case quick, full
}

/// One run of a report's grid: its folder name under the reproduction's folder, its
/// configuration, and what it stands for in the report's tables.
public struct GridRun: Sendable {
    public let name: String
    public var config: TrainingConfig
    /// `stated` (the report's recipe as written, or one reading of it), `reading` (the other
    /// reading of an ambiguous recipe), `best` (AEKit's better recipe), `extra` (beyond the
    /// report: the denoising AE).
    public let role: Role
    /// The row it fills in the report's tables: `L = 64`, `N = 512`, `pre-trained, seed 3`;
    /// a stated run and its best-recipe counterpart share one.
    public let label: String
    /// Runs whose models this one needs (a classifier's encoder): trained first.
    public var needs: [String] = []

    public enum Role: String, Codable, Sendable { case stated, reading, best, extra }
}

/// One variant of S4's classifier study: the report's two (the encoder pre-trained as the base
/// autoencoder, or fresh) with its stated head, and each again with linear logits, the better
/// recipe (a ReLU'd logit that dies takes its class with it).
public struct ClassifierArm: Sendable {
    /// In figures and run labels: `pre-trained`, `fresh, linear logits`.
    public let name: String
    /// Starts from s4-base's encoder.
    public let pretrained: Bool
    public let logits: ModelPreset.Logits?
    public let role: GridRun.Role

    public static let all = [
        ClassifierArm(name: "pre-trained", pretrained: true, logits: nil, role: .stated),
        ClassifierArm(name: "fresh", pretrained: false, logits: nil, role: .stated),
        ClassifierArm(name: "pre-trained, linear logits", pretrained: true, logits: .linear, role: .best),
        ClassifierArm(name: "fresh, linear logits", pretrained: false, logits: .linear, role: .best),
    ]

    /// The encoder, as the table's rows name it: a stated arm and its better recipe share a row.
    public var encoder: String { pretrained ? "pre-trained" : "fresh" }

    /// `pre-trained`, `fresh-linear-logits`: in file names.
    public var slug: String { name.replacingOccurrences(of: ", ", with: "-").replacingOccurrences(of: " ", with: "-") }

    /// `s4-classifier-pre-trained-seed3`, `s4-classifier-fresh-linear-logits-seed3`.
    func runName(seed: UInt64) -> String { "s4-classifier-\(slug)-seed\(seed)" }

    /// Whether `run` is one of this arm's ("…-pre-trained-seed" is no prefix of the
    /// linear-logits arm's names).
    func isMember(_ run: GridRun) -> Bool { run.name.hasPrefix("s4-classifier-\(slug)-seed") }
}

/// The grids, from docs/reports.md. Each run is an ordinary `aekit train` run.
public enum ReproductionGrid {
    /// S4's classifier study: runs per variant at full scale (the report's 15) and at quick scale.
    public static func defaultStudyRuns(_ scale: ReproductionScale) -> Int { scale == .full ? 15 : 2 }

    /// `studyRuns`: classifiers per variant in S4's study (default `defaultStudyRuns`).
    public static func runs(_ report: ReportID, scale: ReproductionScale, studyRuns: Int? = nil) throws -> [GridRun] {
        var runs: [GridRun]
        switch report {
        case .s0:
            var base = try Recipe.config("s0")
            runs = [GridRun(name: "s0-L64", config: base, role: .stated, label: "L = 64")]
            // "learning rate e^{-3}, weight decay e^{-5}": the other reading is e⁻³ and e⁻⁵.
            var eReading = base
            eReading.optimizer.learningRate = Float(exp(-3.0))
            eReading.optimizer.weightDecay = Float(exp(-5.0))
            runs.append(GridRun(name: "s0-L64-e-reading", config: eReading, role: .reading, label: "L = 64, read as lr e⁻³, wd e⁻⁵"))
            for hidden in [128, 256, 512] {
                try base.changePreset(flags: "the grid's L") { $0.hidden = hidden }
                runs.append(GridRun(name: "s0-L\(hidden)", config: base, role: .stated, label: "L = \(hidden)"))
            }
            var adam = try Recipe.config("s0")
            adam.optimizer = OptimizerSpec(kind: .adam, learningRate: 1e-3)
            runs.append(GridRun(name: "s0-L64-adam", config: adam, role: .best, label: "L = 64"))
            runs.append(GridRun(name: "s0-L64-denoise", config: try Recipe.config("s0-denoise"), role: .extra,
                                label: "L = 64, denoising AE (noise 0.3)"))
        case .s1:
            let conv = try Recipe.config("s1")
            // The comparison: S0's dense model at L = 512 with S1's optimiser, batch and epochs.
            var dense = conv
            dense.model = ModelPreset(architecture: .dense, hidden: 512, dropout: 0.1, output: .sigmoid).spec
            // The text lists 16 filters at the third encoder convolution but a 4×4×8 code.
            var sixteen = conv
            try sixteen.changePreset(flags: "S1's reading") { $0.codeChannels = 16 }
            runs = [GridRun(name: "s1-conv", config: conv, role: .stated, label: "conv AE (4×4×8 code)"),
                    GridRun(name: "s1-conv-16", config: sixteen, role: .reading, label: "conv AE, read as 16 filters (4×4×16 code)"),
                    GridRun(name: "s1-dense-512", config: dense, role: .stated, label: "dense-512")]
        case .s2:
            runs = []
            for (recipe, role) in [("s2", GridRun.Role.stated), ("s2-best", .best)] {
                for hidden in [64, 128, 256, 512] {
                    var config = try Recipe.config(recipe)
                    try config.changePreset(flags: "the grid's N") { $0.hidden = hidden }
                    runs.append(GridRun(name: "\(recipe)-N\(hidden)", config: config, role: role, label: "N = \(hidden)"))
                }
            }
        case .s3:
            let stated = try Recipe.config("s3")
            // The report states no batch size: 64 is AEKit's reading, 32 (Keras' default) the other.
            var other = stated
            other.batchSize = 32
            // The stated model's ReLU output stalls at 0.012; a sigmoid output (nothing else
            // changed) reaches the published 0.0075.
            var sigmoid = stated
            try sigmoid.changePreset(flags: "S3's best recipe") { $0.output = .sigmoid }
            runs = [GridRun(name: "s3-batch64", config: stated, role: .stated, label: "batch 64 (AEKit's reading)"),
                    GridRun(name: "s3-batch32", config: other, role: .reading, label: "read as batch 32"),
                    GridRun(name: "s3-sigmoid", config: sigmoid, role: .best, label: "batch 64 (AEKit's reading)")]
        case .s4:
            let base = try Recipe.config("s4")
            func variant(_ name: String, hidden: Int, dropout: Float, label: String, role: GridRun.Role = .stated) throws -> GridRun {
                var config = base
                try config.changePreset(flags: "S4's n and p") { $0.hidden = hidden; $0.dropout = dropout }
                return GridRun(name: name, config: config, role: role, label: label)
            }
            runs = [try variant("s4-base", hidden: 64, dropout: 0.2, label: "base, n = 64, p = 0.2")]
            runs += try [128, 256, 512].map { try variant("s4-n\($0)", hidden: $0, dropout: 0.2, label: "n = \($0), p = 0.2") }
            runs += try [Float(0.05), 0.01, 0.0001].map { try variant("s4-p\($0)", hidden: 64, dropout: $0, label: "n = 64, p = \($0)") }
            runs.append(try variant("s4-improved", hidden: 128, dropout: 0.01, label: "improved, n = 128, p = 0.01"))
            // The report leaves the output activation out: sigmoid is AEKit's reading, none the other.
            var linear = runs[0]
            try linear.config.changePreset(flags: "S4's reading") { $0.output = .none }
            runs.append(GridRun(name: "s4-base-linear-output", config: linear.config, role: .reading,
                                label: "base, read as no output activation"))
            let studyRuns = studyRuns ?? defaultStudyRuns(scale)
            for arm in ClassifierArm.all {
                for index in 0..<studyRuns {
                    var config = try Recipe.config("s4-classifier")
                    config.seed = 1 &+ UInt64(index)
                    try config.changePreset(flags: "S4's study") { $0.logits = arm.logits }
                    var run = GridRun(name: arm.runName(seed: config.seed), config: config, role: arm.role,
                                      label: "\(arm.name), seed \(config.seed)")
                    // The encoder's path is set when the grid runs, from the trained s4-base.
                    if arm.pretrained { run.needs = ["s4-base"] }
                    runs.append(run)
                }
            }
        }
        return runs.map { scaled($0, scale) }
    }

    /// Quick scale: two epochs on the first 2 000 training images (a split-off validation set
    /// becomes a tenth of them); evaluation stays on the whole test set.
    private static func scaled(_ run: GridRun, _ scale: ReproductionScale) -> GridRun {
        guard scale == .quick else { return run }
        var run = run
        run.config.epochs = 2
        run.config.trainLimit = 2000
        if case .count = run.config.validation { run.config.validation = .fraction(0.1) }
        return run
    }
}
