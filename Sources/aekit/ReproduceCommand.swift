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

    @OptionGroup var oneClass: OneClassOptions

    @Flag(help: "Print the grid as `aekit train` commands, one per run, and exit.")
    var plan = false

    @Option(parsing: .unconditional, help: "Train only every --tasks-th run, starting at this one (0-based).")
    var task: Int?

    @Option(parsing: .unconditional, help: "How many tasks share the grid (with --task).")
    var tasks: Int?

    @OptionGroup var deviceOptions: DeviceOptions

    var isOneClass: Bool { report.lowercased() == "one-class" }

    func validate() throws {
        if !isOneClass && !oneClass.givenFlags.isEmpty {
            throw ValidationError("\(oneClass.givenFlags.joined(separator: ", ")) belong to `aekit reproduce one-class`")
        }
        if isOneClass && (task != nil || plan || studyRuns != nil) {
            throw ValidationError("one-class trains its cells in one process: no --task, --plan or --study-runs")
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
            try oneClass.reproduction(folder: out ?? "runs/reproduce-one-class", scale: scale)
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
