import AEKit
import Reports
import ArgumentParser
import Compute
import Foundation

extension ReproductionScale: ExpressibleByArgument {}

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run a report's experiment grid and write its tables and figures beside the published ones.",
        discussion: """
            Each run of the grid (docs/reports.md) is an ordinary run folder under --out: a \
            finished one is read back, a cut-off one resumed, so the same command continues a grid. \
            With --task I --tasks N a process trains every N-th run from I (a Slurm array: \
            scripts/slurm/reproduce.sbatch); the command without --task then trains what is left \
            and writes report.md, results.json and the figures.
            """)

    @Argument(help: "s0, s1, s2, s3, s4, all, or one-class (Ruff et al.'s one-class benchmark).")
    var report: String

    @Option(help: "quick (every run, 2 epochs on 2 000 images) or full (the reports' epochs and run counts).")
    var scale: ReproductionScale = .full

    @Option(help: "The folder (default: runs/reproduce-<report>; with 'all', one folder per report inside it).")
    var out: String?

    @Option(parsing: .unconditional, help: "S4's classifier study: classifiers per variant (default 15 at full scale, as the report; 2 at quick).")
    var studyRuns: Int?

    @Option(help: "one-class: the datasets, separated by commas (default mnist,fashion-mnist).")
    var datasets: String?

    @Option(help: "one-class: the normal classes to train, separated by commas (default all ten).")
    var classes: String?

    @Option(parsing: .unconditional, help: "one-class: seeds per normal class (default 3 at full scale, 1 at quick).")
    var seeds: Int?

    @Option(parsing: .unconditional, help: "one-class: epochs per model (default the recipe's 150 at full scale, 3 at quick).")
    var epochs: Int?

    @Flag(help: "Print the grid as `aekit train` commands, one per run, and exit.")
    var plan = false

    @Option(parsing: .unconditional, help: "Train only every --tasks-th run, starting at this one (0-based).")
    var task: Int?

    @Option(parsing: .unconditional, help: "How many tasks share the grid (with --task).")
    var tasks: Int?

    @OptionGroup var deviceOptions: DeviceOptions

    var isOneClass: Bool { report.lowercased() == "one-class" }

    func validate() throws {
        let oneClassFlags = [("--datasets", datasets != nil), ("--classes", classes != nil), ("--seeds", seeds != nil),
                             ("--epochs", epochs != nil)].filter(\.1).map(\.0)
        if !isOneClass && !oneClassFlags.isEmpty {
            throw ValidationError("\(oneClassFlags.joined(separator: ", ")) belong to `aekit reproduce one-class`")
        }
        if isOneClass && (task != nil || plan || studyRuns != nil) {
            throw ValidationError("one-class trains its cells in one process: no --task, --plan or --study-runs")
        }
        if let classes, classes.split(separator: ",").contains(where: { Int($0).map { !(0..<ModelSpec.classes).contains($0) } ?? true }) {
            throw ValidationError("--classes must be class numbers 0...\(ModelSpec.classes - 1) separated by commas (got '\(classes)')")
        }
        if let seeds, !(1...100).contains(seeds) { throw ValidationError("--seeds must be in 1...100 (got \(seeds))") }
        if let epochs, !(1...TrainingConfig.maximumEpochs).contains(epochs) {
            throw ValidationError("--epochs must be in 1...\(TrainingConfig.maximumEpochs) (got \(epochs))")
        }
        if let datasets, let unknown = datasets.split(separator: ",").first(where: { !["mnist", "fashion-mnist"].contains(String($0)) }) {
            throw ValidationError("--datasets: unknown dataset '\(unknown)'; one-class runs on mnist and fashion-mnist")
        }
        if (task == nil) != (tasks == nil) { throw ValidationError("--task and --tasks go together") }
        if let tasks, tasks < 1 { throw ValidationError("--tasks must be at least 1 (got \(tasks))") }
        if let studyRuns, !(1...1000).contains(studyRuns) { throw ValidationError("--study-runs must be in 1...1000 (got \(studyRuns))") }
        if let task, let tasks, !(0..<tasks).contains(task) {
            throw ValidationError("--task \(task) is not one of the \(tasks) tasks (0...\(tasks - 1))")
        }
    }

    func run() throws {
        if isOneClass {
            let choice = try deviceOptions.select()
            printError("device: \(choice.reason)")
            try OneClassReproduction(folder: out ?? "runs/reproduce-one-class",
                                     datasets: datasets.map { $0.split(separator: ",").map(String.init) } ?? ["mnist", "fashion-mnist"],
                                     classes: classes.map { $0.split(separator: ",").map { Int($0)! } } ?? Array(0..<ModelSpec.classes),
                                     seeds: seeds ?? (scale == .full ? 3 : 1), epochs: epochs ?? (scale == .full ? OneClass.epochs : 3),
                                     quick: scale == .quick)
                .run(backend: choice.backend, progress: consoleProgress())
            return
        }
        let reports = try asFlagError { try ReportID.parse(report) }
        let base = out ?? (reports.count == 1 ? "runs/reproduce-\(reports[0].rawValue)" : "runs/reproduce-all")
        let grids = try reports.map {
            try Reproduction(report: $0, scale: scale, folder: reports.count == 1 ? base : Paths.join(base, $0.rawValue),
                             studyRuns: studyRuns)
        }
        if plan {
            for grid in grids { try grid.plan(device: deviceOptions.device).forEach { print($0) } }
            return
        }
        let choice = try deviceOptions.select()
        printError("device: \(choice.reason)")
        let progress = consoleProgress()
        for grid in grids {
            try grid.claimFolder()
            let share = try task.map { try grid.share(task: $0, of: tasks ?? 1) } ?? grid.runs
            let trained = try grid.train(share, backend: choice.backend, progress: progress) { printError("\(grid.report.rawValue) \($0)") }
            if let task, let tasks {
                print("\(grid.report.rawValue): task \(task) of \(tasks) has \(trained.done.count) runs done in \(grid.folder)"
                      + (trained.waiting.isEmpty ? "" : "; left for the collect step: \(trained.waiting.joined(separator: ", "))"))
                continue
            }
            // Runs that waited for an encoder trained in this same pass: now they can go.
            if !trained.waiting.isEmpty {
                _ = try grid.train(grid.runs, backend: choice.backend, progress: progress) { printError("\(grid.report.rawValue) \($0)") }
            }
            let rows = try grid.collect()
            printTable(rows)
            print("\(grid.folder)/report.md, results.json and validation-loss.svg written")
        }
        if task != nil {
            print("when every task has finished, run `aekit reproduce \(report)` without --task to collect the tables")
        }
    }

    private func printTable(_ rows: [ResultRow]) {
        var lines = [["quantity", "recipe", "published", "measured"]]
        for row in rows {
            lines.append([row.quantity, row.recipe, row.published.map { String(format: "%.4g", $0) } ?? "–",
                          String(format: "%.4g", row.measured)])
        }
        print(table(lines))
    }
}
