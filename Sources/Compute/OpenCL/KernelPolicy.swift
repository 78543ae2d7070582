import Foundation

/// Which device's kernel choices an OpenCL backend makes. `auto` follows the device's type;
/// `gpu` makes any device (PoCL on a CPU included) run exactly the kernels a GPU would, so CI,
/// which has no GPU, checks that path; `cpu` does the same for a CPU device's choices.
/// The choice it governs today is GEMM's kernel: the vector kernel on a CPU device, the tiled
/// or direct kernel (by shape) on a GPU. The convolution rule depends on the shape only.
public enum KernelPolicy: String, CaseIterable, Sendable, Codable {
    case auto, gpu, cpu

    /// The environment variable that sets the policy where no `--kernel-policy` is given.
    public static let environmentVariable = "AEKIT_KERNEL_POLICY"

    /// `option` if given, else `AEKIT_KERNEL_POLICY`, else `auto`.
    public static func resolve(option: KernelPolicy?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KernelPolicy {
        if let option { return option }
        guard let text = environment[environmentVariable] else { return .auto }
        guard let policy = KernelPolicy(rawValue: text.lowercased()) else {
            throw ComputeError.invalidArgument("\(environmentVariable)='\(text)' is not a kernel policy; use auto, gpu or cpu")
        }
        return policy
    }

    /// The policy `OpenCLBackend` gets by default: the environment's if it is valid.
    public static let standard: KernelPolicy = (try? resolve(option: nil)) ?? .auto

    /// Whether a backend on a device of `type` ("gpu", "cpu", "accelerator", …) makes a GPU's choices.
    func choosesForGPU(deviceType: String) -> Bool {
        switch self {
        case .auto: deviceType != "cpu"
        case .gpu: true
        case .cpu: false
        }
    }
}
