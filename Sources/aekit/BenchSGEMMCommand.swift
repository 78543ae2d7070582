import ArgumentParser
import Compute
import Foundation

struct BenchSGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm",
        abstract: "Time OpenBLAS' SGEMM on a square product on one thread and on --threads: the CPU's practical peak.",
        discussion: """
            The figure `scripts/bench-vs-pytorch` divides a training epoch's achieved GFLOP/s by. \
            It runs through the CPU backend's gemm (one OpenBLAS call per thread); the fastest of \
            --repeats runs after a warm-up.
            """)

    @OptionGroup var threadOptions: ThreadOptions

    @Option(parsing: .unconditional, help: "The matrices' side.")
    var size = 1024

    @Option(parsing: .unconditional, help: "Timed runs per thread count; the fastest is reported.")
    var repeats = 5

    @OptionGroup var output: JSONOutputOption

    func validate() throws {
        guard (16...8192).contains(size) else { throw ValidationError("--size must be in 16...8192 (got \(size))") }
        guard repeats > 0 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        printBLASWarning()
        let all = try threadOptions.budget()
        var counts = [ThreadBudget(count: 1, source: all.source)]
        if all.count > 1 { counts.append(all) }
        let records = try counts.map { try SGEMMReference.measure(size: size, threads: $0, repeats: repeats) }
        if output.json { print(try jsonString(records)); return }
        print("OpenBLAS SGEMM \(size)x\(size)x\(size) (\(BLASInfo.current.description))")
        print(table([["threads", "GFLOP/s"]] + records.map { ["\($0.threads)", String(format: "%.1f", $0.gigaflopsPerSecond)] }))
    }
}
