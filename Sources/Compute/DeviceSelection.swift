import Foundation

/// Picks a backend by the name a user types: `cpu`, `opencl` (the first OpenCL device),
/// `opencl:N` (the N-th in `aekit devices`), `opencl:NAME` (the first whose platform or device
/// name holds NAME: `opencl:rusticl`) or `auto`.
public enum DeviceSelection {
    /// What was chosen and why, for the one line a command prints.
    public struct Choice: Sendable {
        public let backend: any Backend
        public let reason: String
    }

    /// Every name `select` accepts on this machine.
    public static func names(devices: [OpenCLDevice]) -> [String] {
        ["auto", "cpu"] + (devices.isEmpty ? [] : ["opencl"]) + devices.map { "opencl:\($0.index)" }
    }

    /// `threads` is the CPU backend's budget where the choice is the CPU backend; `policy` the
    /// OpenCL backend's kernel policy where it is an OpenCL device.
    public static func select(_ name: String, threads: ThreadBudget = .standard, policy: KernelPolicy = .standard,
                              cacheDirectory: String? = ProgramCache.defaultDirectory) throws -> Choice {
        let wanted = name.lowercased()
        // Listing OpenCL devices can fail (a broken ICD); `cpu` must work regardless.
        if wanted == "cpu" { return Choice(backend: CPUBackend(threads: threads), reason: "asked for the CPU backend") }
        // `auto` must work where OpenCL does not (no ICD, a broken driver): then it is the CPU.
        let listing = Result { try OpenCLDevice.all() }
        if wanted == "auto", case .failure(let error) = listing {
            return Choice(backend: CPUBackend(threads: threads), reason: "auto: CPU backend, because listing OpenCL devices failed (\(error))")
        }
        let devices = try listing.get()
        switch wanted {
        case "auto":
            if let gpu = devices.first(where: \.isAccelerator) {
                return Choice(backend: try OpenCLBackend(device: gpu, cacheDirectory: cacheDirectory, policy: policy),
                              reason: "auto: \(gpu.type) \(gpu.name) is the first OpenCL GPU/accelerator")
            }
            let why = devices.isEmpty ? "no OpenCL device was found"
                : "the OpenCL devices here are CPU devices (\(devices.map(\.name).joined(separator: ", "))), "
                    + "which serve parity checks; the CPU backend is faster"
            return Choice(backend: CPUBackend(threads: threads), reason: "auto: CPU backend, because \(why)")
        case "opencl":
            guard let first = devices.first else { break }
            return Choice(backend: try OpenCLBackend(device: first, cacheDirectory: cacheDirectory, policy: policy),
                          reason: "opencl: the first OpenCL device, \(first.name)")
        default:
            if wanted.hasPrefix("opencl:"), let index = Int(wanted.dropFirst("opencl:".count)),
               devices.indices.contains(index) {
                let device = devices[index]
                return Choice(backend: try OpenCLBackend(device: device, cacheDirectory: cacheDirectory, policy: policy),
                              reason: "opencl:\(index): \(device.name)")
            }
            // `opencl:rusticl`, `opencl:nvidia`, `opencl:llvmpipe`: the first device whose
            // platform or device name holds the text.
            let text = wanted.dropFirst("opencl:".count)
            if wanted.hasPrefix("opencl:"), Int(text) == nil, !text.isEmpty,
               let device = devices.first(where: { "\($0.platform) \($0.name)".lowercased().contains(text) }) {
                return Choice(backend: try OpenCLBackend(device: device, cacheDirectory: cacheDirectory, policy: policy),
                              reason: "\(name): opencl:\(device.index), \(device.name) on \(device.platform)")
            }
        }
        if devices.isEmpty && (wanted == "opencl" || wanted.hasPrefix("opencl:")) {
            throw ComputeError.noOpenCL(name, unregistered: OpenCLDrivers.scan().filter { !$0.isRegistered })
        }
        throw ComputeError.unknownDevice(name, available: names(devices: devices))
    }
}
