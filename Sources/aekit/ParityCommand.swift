import ArgumentParser
import Compute

struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Run every op on a device and on the CPU backend, and compare the results element by element.",
        discussion: "Exits 1 if any op differs beyond the tolerance. Run this first on a new GPU host.")

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(parsing: .unconditional, help: "The seed of the random shapes and inputs.")
    var seed: UInt64 = 1

    @Option(help: "How many random shapes to try per op.")
    var cases = ParitySuite.defaultCases

    @OptionGroup var filter: OpFilterOptions

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be at least 1") }
    }

    func run() throws {
        let threads = try deviceOptions.threads()
        let choice = try deviceOptions.select(fallback: "opencl")
        let cl = choice.backend as? OpenCLBackend
        print("checking \(choice.backend.name) (\(choice.backend.deviceDescription)) against cpu; seed \(seed); "
              + "an element passes when |opencl - cpu| <= atol + rtol * |cpu|")
        if let cl {
            print("kernel policy \(cl.policy.rawValue): \(cl.choosesForGPU ? "a GPU's" : "a CPU device's") kernel choices")
        }
        var rows = [["op", "cases", "max abs err", "max rel err", "tolerance", "result"] + (cl == nil ? [] : ["kernels run"])]
        var failed: [ParityReport] = []
        for op in try filter.ops() {
            _ = cl?.takeLaunchedKernels()
            let report = try ParitySuite.check(ParitySuite.parityOp(op), reference: CPUBackend(threads: threads), candidate: choice.backend,
                                               seed: seed, cases: cases)
            rows.append([report.op, "\(report.cases)", String(format: "%.2e", report.maxAbsoluteError),
                         String(format: "%.2e", report.maxRelativeError), "\(report.tolerance)",
                         report.passed ? "ok" : "FAIL"] + (cl.map { [$0.takeLaunchedKernels().joined(separator: " ")] } ?? []))
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
