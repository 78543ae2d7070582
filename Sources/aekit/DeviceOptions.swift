import AEKit
import ArgumentParser
import Compute

extension KernelPolicy: ExpressibleByArgument {}

/// `--device` and `--threads`, for every command that computes.
struct DeviceOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where to compute: auto, cpu, opencl, opencl:N or opencl:NAME (see `aekit devices`).",
        discussion: "Default: auto (an OpenCL GPU if there is one, else the CPU backend); opencl for parity and bench, "
            + "which check or time a device beside the CPU backend."))
    var device: String?

    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: ArgumentHelp(
        "Whose kernel choices an OpenCL device makes: auto (its own type's), gpu or cpu.",
        discussion: "gpu runs the kernels a GPU would (tiled and direct GEMM) on any OpenCL device, such as PoCL "
            + "on a machine without a GPU. Default: \(KernelPolicy.environmentVariable) if set, else auto."))
    var kernelPolicy: KernelPolicy?

    /// The device these flags name, `fallback` where --device is not given.
    func select(fallback: String = "auto") throws -> DeviceSelection.Choice {
        let choice = try DeviceSelection.select(device ?? fallback, threads: threadOptions.budget(), policy: policy())
        if choice.backend is CPUBackend { printBLASWarning() }
        return choice
    }

    /// The kernel policy: --kernel-policy, else AEKIT_KERNEL_POLICY, else auto.
    func policy() throws -> KernelPolicy { try KernelPolicy.resolve(option: kernelPolicy) }

    /// The CPU backend's thread budget.
    func threads() throws -> ThreadBudget { try threadOptions.budget() }
}
