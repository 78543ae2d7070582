import ArgumentParser
import Compute

struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Run every op on a device and on the CPU backend, and compare the results element by element.",
        discussion: "Exits 1 if any op differs beyond the tolerance. Run this first on a new GPU host.")

    @Option(help: "The device to check against the CPU backend: opencl, opencl:N or auto.")
    var device = "opencl"

    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "The seed of the random shapes and inputs.")
    var seed: UInt64 = 1

    @Option(help: "How many random shapes to try per op.")
    var cases = ParitySuite.defaultCases

    @Option(help: "Check only the ops whose names contain this text.")
    var only: String?

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be at least 1") }
        do { _ = try Op.matching(only) } catch { throw ValidationError("--only: \(error)") }
    }

    func run() throws {
        let threads = try threadOptions.budget()
        let choice = try DeviceSelection.select(device, threads: threads)
        print("checking \(choice.backend.name) (\(choice.backend.deviceDescription)) against cpu; seed \(seed); "
              + "an element passes when |opencl - cpu| <= atol + rtol * |cpu|")
        var rows = [["op", "cases", "max abs err", "max rel err", "tolerance", "result"]]
        var failed: [ParityReport] = []
        for op in try Op.matching(only) {
            let report = try ParitySuite.check(ParitySuite.parityOp(op), reference: CPUBackend(threads: threads), candidate: choice.backend,
                                               seed: seed, cases: cases)
            rows.append([report.op, "\(report.cases)", String(format: "%.2e", report.maxAbsoluteError),
                         String(format: "%.2e", report.maxRelativeError), "\(report.tolerance)",
                         report.passed ? "ok" : "FAIL"])
            if !report.passed { failed.append(report) }
        }
        print(table(rows))
        for report in failed {
            print("\n\(report.op) failed:")
            report.failures.prefix(5).forEach { print("  \($0)") }
        }
        guard failed.isEmpty else { throw ExitCode(1) }
        print("\nall \(rows.count - 1) ops agree")
    }
}
