@testable import Compute
import Foundation

/// The OpenCL backend the tests compare against the CPU: the first OpenCL device (PoCL on a
/// machine without a GPU; scripts/setup installs it). Shared, because building its programs
/// is the slow part; OpenCLBackend serialises its own launches.
let sharedOpenCL: Result<OpenCLBackend, any Error> = Result {
    guard let device = try OpenCLDevice.all().first else {
        throw ComputeError.unknownDevice("opencl", available: ["cpu"])
    }
    return try OpenCLBackend(device: device)
}

let sharedCPU = CPUBackend()

func openCL() throws -> OpenCLBackend { try sharedOpenCL.get() }

