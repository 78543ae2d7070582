import ArgumentParser
import Compute
import Foundation

struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search an OpenCL device's GEMM tile sizes and convolution threshold, and keep the best for it.",
        discussion: """
            Tunes the GEMM kernel the device runs (the vector kernel on a CPU device such as PoCL, the \
            tiled kernel on a GPU; --kernel-policy changes which) at the autoencoders' shapes and \
            1024³, then the output-channel count from which convolutions use im2col + GEMM. Every \
            candidate is checked against the CPU backend before it is timed. The best set is stored \
            in the cache folder for this device and driver, and used from then on.
            """)

    @OptionGroup var deviceOptions: DeviceOptions

    @OptionGroup var filter: OpFilterOptions

    @Option(parsing: .unconditional, help: "How long to search GEMM candidates, in seconds (the defaults are always timed; the convolution step comes after).")
    var seconds: Double = 60

    @Option(parsing: .unconditional, help: "Timed runs per shape; the median counts.")
    var repeats = 3

    func validate() throws {
        guard seconds >= 0, seconds.isFinite else { throw ValidationError("--seconds must be a number of seconds, not \(seconds)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be at least 1") }
        let ops = try filter.ops()
        guard ops.contains(.gemm) || ops.contains(where: Self.convolutionOps.contains) else {
            throw ValidationError("--only: tune searches gemm and the conv2d ops; \(ops.map(\.name).joined(separator: ", ")) have nothing to tune")
        }
    }

    static let convolutionOps: [Op] = [.conv2dForward, .conv2dBackwardData, .conv2dBackwardWeights]

    func run() throws {
        let choice = try deviceOptions.select(fallback: "opencl")
        guard let cl = choice.backend as? OpenCLBackend else {
            throw ValidationError("tune needs an OpenCL device; --device \(choice.backend.name) is the CPU backend")
        }
        let ops = try filter.ops()
        var tuner = KernelTuner(device: cl.device, policy: cl.policy, cpu: CPUBackend(threads: try deviceOptions.threads()))
        tuner.repeats = repeats
        tuner.tuneConvolution = ops.contains(where: Self.convolutionOps.contains)
        tuner.progress = { printError("  \($0)") }
        printError("tuning the \(tuner.kernel) GEMM kernel on \(cl.name) (\(cl.device.name), driver \(cl.device.driverVersion)) "
                   + "for up to \(Int(seconds)) s")
        let result = try tuner.run(seconds: ops.contains(.gemm) ? seconds : 0)

        print("\(result.kernel) GEMM kernel on \(cl.device.name): \(result.tried) candidates tried, "
              + "\(result.rejected.count) rejected by the check against the CPU")
        print("default: \(result.defaults)")
        print("tuned:   \(result.best)")
        var rows = [["shape", "default ms", "tuned ms", "speed-up"]]
        for t in result.timings {
            rows.append([t.shape, String(format: "%.3f", t.defaultMs), String(format: "%.3f", t.tunedMs),
                         String(format: "%.2fx", t.defaultMs / t.tunedMs)])
        }
        print(table(rows))
        guard let directory = ProgramCache.defaultDirectory else {
            print("no cache folder (set XDG_CACHE_HOME or HOME): not stored")
            return
        }
        try TunedConstants.save(result.best, for: cl.device, directory: directory)
        print("stored in \(TunedConstants.file(for: cl.device, directory: directory)); "
              + "OpenCL backends on this device and driver use it from now on")
    }
}
