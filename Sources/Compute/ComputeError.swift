/// Errors from the compute layer. Each names what was being done and, where it can, what to do.
public enum ComputeError: Error, CustomStringConvertible, Equatable {
    /// A buffer or argument does not fit the operation (`what` says which and why).
    case shapeMismatch(String)
    /// A buffer made by one backend was handed to another.
    case foreignBuffer(String)
    /// A device name that `aekit devices` does not list.
    case unknownDevice(String, available: [String])
    /// An OpenCL device was asked for, and the OpenCL loader finds no platform at all.
    /// `unregistered`: GPU drivers on disk that no ICD file names.
    case noOpenCL(String, unregistered: [OpenCLDrivers.Found])
    /// An OpenCL call failed.
    case openCL(OpenCLError)
    /// A setting (an option or an environment variable) out of its range; the text names it.
    case invalidArgument(String)
    /// A buffer or a launch beyond what the device allows; the text names the limit.
    case deviceLimit(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let what): return "shape mismatch: \(what)"
        case .foreignBuffer(let op):
            return "\(op): a buffer from another backend was passed; copy it through the host first"
        case .unknownDevice(let name, let available):
            return "unknown device '\(name)'; use one of: \(available.joined(separator: ", ")), or opencl:NAME for a platform or device name "
                + "(run `aekit devices` to see them)"
        case .noOpenCL(let name, let unregistered) where !unregistered.isEmpty:
            return "--device \(name): the OpenCL loader finds no OpenCL platform, but "
                + unregistered.map { "\($0.vendor)'s driver \($0.library)" }.joined(separator: " and ")
                + " is here with no ICD file naming it; make it visible with: " + OpenCLDrivers.registrationCommand(for: unregistered)
        case .noOpenCL(let name, _):
            return "--device \(name): the OpenCL loader finds no OpenCL platform on this machine, so there is no OpenCL "
                + "device. Install a driver (its ICD file goes in /etc/OpenCL/vendors/): NVIDIA's or AMD's for a GPU, "
                + "or pocl-opencl-icd for the CPU (scripts/setup installs it); or use --device cpu"
        case .openCL(let error): return error.description
        case .invalidArgument(let what): return what
        case .deviceLimit(let what): return what
        }
    }
}

/// Throws `shapeMismatch` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ComputeError.shapeMismatch(message()) }
}
