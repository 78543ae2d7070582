import ArgumentParser
import Compute

/// `--device` and `--threads`, for every command that computes.
struct DeviceOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where to compute: auto, cpu, opencl or opencl:N (see `aekit devices`).",
        discussion: "Default: auto (an OpenCL GPU if there is one, else the CPU backend); opencl for parity and bench, "
            + "which check or time a device beside the CPU backend."))
    var device: String?

    @OptionGroup var threadOptions: ThreadOptions

    /// The device these flags name, `fallback` where --device is not given.
    func select(fallback: String = "auto") throws -> DeviceSelection.Choice {
        try DeviceSelection.select(device ?? fallback, threads: threadOptions.budget())
    }

    /// The CPU backend's thread budget.
    func threads() throws -> ThreadBudget { try threadOptions.budget() }
}
