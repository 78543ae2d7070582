@testable import Compute
import Foundation

/// The OpenCL backend the tests compare against the CPU: the first OpenCL device (PoCL on a
/// machine without a GPU; scripts/setup installs it). Shared, because building its programs
/// is the slow part; OpenCLBackend serialises its own launches.
let sharedOpenCL: Result<OpenCLBackend, any Error> = Result {
    // `--device opencl`: the first OpenCL device, or an error naming the devices there are.
    try DeviceSelection.select("opencl").backend as! OpenCLBackend
}

let sharedCPU = CPUBackend()

func openCL() throws -> OpenCLBackend { try sharedOpenCL.get() }

