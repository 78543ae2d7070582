import ArgumentParser
import Compute
import Foundation

struct BenchKernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Time every op's kernels at the reports' shapes, each contender checked against the first before it is timed.",
        discussion: """
            OpenCL rows are device time from profiling events (median of --repeats runs after a \
            warm-up); CPU rows are wall-clock time of the CPU backend on the same shape. Where \
            libclblast is installed, CLBlast's SGEMM runs on the same device as a baseline. A \
            contender whose results differ from the first row's (beyond the parity tolerance, \
            taken at the result's largest element) is named and nothing is timed.
            """)

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(parsing: .unconditional, help: "Timed runs per measurement; the median is reported.")
    var repeats = 5

    @OptionGroup var filter: OpFilterOptions

    @Flag(help: "Leave out the CPU backend's rows.")
    var noCPU = false

    @OptionGroup var output: JSONOutputOption

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let threads = try deviceOptions.threads()
        let choice = try deviceOptions.select(fallback: "opencl")
        let cl = choice.backend as? OpenCLBackend
        printError("device: \(choice.backend.name) (\(choice.reason))")
        printError("cpu rows: \(BLASInfo.current.description)")
        printBLASWarning()
        var bench = KernelBench(cpu: CPUBackend(threads: threads), openCL: cl, clblast: cl == nil ? nil : CLBlastGEMM())
        bench.repeats = repeats
        if let cl {
            bench.convolutionVariants = try [.direct, .im2col].map {
                try OpenCLBackend(device: cl.device, convolution: $0, policy: cl.policy, constants: cl.constants)
            }
            if cl.isTuned {
                bench.untuned = try OpenCLBackend(device: cl.device, policy: cl.policy, constants: .defaults)
                printError("tuned constants for \(cl.device.name): \(cl.constants); opencl-untuned rows use the defaults")
            }
        }
        bench.includeCPU = !noCPU || cl == nil
        if !output.json { bench.progress = { printError("  timing \($0)") } }
        if cl != nil && bench.clblast == nil { printError("libclblast not found: no CLBlast baseline rows") }
        let records = try bench.run(ops: filter.ops())
        if output.json {
            print(try jsonString(records))
            return
        }
        print(BenchTable.render(records))
    }
}

/// The bench records as a table, one line per (op, shape, backend), with each OpenCL row's
/// speed as a ratio to the CPU backend and, for GEMM, to CLBlast.
enum BenchTable {
    static func render(_ records: [BenchRecord]) -> String {
        var rows = [["op", "shape", "backend", "median ms", "GFLOP/s", "GB/s", "vs cpu", "vs clblast"]]
        for record in records {
            let peers = records.filter { $0.op == record.op && $0.shape == record.shape }
            func ratio(_ backend: String) -> String {
                guard record.backend != backend, let other = peers.first(where: { $0.backend == backend }) else { return "" }
                return String(format: "%.2fx", other.medianMs / record.medianMs)
            }
            rows.append([record.op, record.shape, record.backend, String(format: "%.3f", record.medianMs),
                         String(format: "%.1f", record.gflops), String(format: "%.1f", record.gbps),
                         ratio("cpu"), record.op == "gemm" ? ratio("clblast") : ""])
        }
        return table(rows)
    }
}
