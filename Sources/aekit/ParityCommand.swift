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

    @Option(help: ArgumentHelp("Only shapes of at most this many multiply-adds (GEMM, convolutions) or elements (the rest).",
                               discussion: "For slow simulators: scripts/oclgrind-parity runs Oclgrind with a small bound."))
    var maxWork: Int?

    @OptionGroup var filter: OpFilterOptions

    @Flag(help: "After the table, list every kernel that ran with the work-group sizes it was launched with.")
    var launchSizes = false

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be at least 1") }
        if let maxWork, maxWork < 1 { throw ValidationError("--max-work must be at least 1") }
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
        var sizes: [String: Set<String>] = [:]
        for op in try filter.ops() {
            _ = cl?.takeLaunchedKernels()
            let report = try ParitySuite.check(ParitySuite.parityOp(op), reference: CPUBackend(threads: threads), candidate: choice.backend,
                                               seed: seed, cases: cases, maxWork: maxWork)
            rows.append([report.op, "\(report.cases)", String(format: "%.2e", report.maxAbsoluteError),
                         String(format: "%.2e", report.maxRelativeError), "\(report.tolerance)",
                         report.passed ? "ok" : "FAIL"] + (cl.map { backend in
                let launched = backend.takeLaunchedKernelSizes()
                for (kernel, groups) in launched { sizes[kernel, default: []].formUnion(groups) }
                return [launched.map(\.kernel).joined(separator: " ")]
            } ?? []))
            if !report.passed { failed.append(report) }
        }
        print(table(rows))
        if launchSizes {
            print("\nlaunch sizes (kernel, work-group sizes):")
            for kernel in sizes.keys.sorted() { print("  \(kernel) \(sizes[kernel]!.sorted().joined(separator: " "))") }
        }
        for report in failed {
            print("\n\(report.op) failed:")
            report.failures.prefix(5).forEach { print("  \($0)") }
        }
        guard failed.isEmpty else { throw ExitCode(1) }
        print("\nall \(rows.count - 1) ops agree")
    }
}
