@testable import Compute
import Foundation
import Testing

/// Bad input is a thrown error with a message that names the fault, never a crash.
@Suite struct ErrorTests {
    @Test func unknownDeviceNamesTheChoices() throws {
        for name in ["gpu", "opencl:99", "cuda"] {
            #expect {
                _ = try DeviceSelection.select(name)
            } throws: { error in
                let text = "\(error)"
                return text.contains("unknown device '\(name)'") && text.contains("cpu") && text.contains("aekit devices")
            }
        }
    }

    @Test func brokenKernelCarriesItsBuildLog() throws {
        let cl = try openCL()
        let source = "__kernel void broken(__global float* x) { x[0] = undefined_name; }"
        #expect {
            try cl.compileForTesting(source: source, name: "broken")
        } throws: { error in
            guard case ComputeError.openCL(let cl) = error else { return false }
            return cl.name == "CL_BUILD_PROGRAM_FAILURE" && (cl.buildLog ?? "").contains("undefined_name")
                && "\(error)".contains("build log")
        }
    }

    @Test(arguments: [sharedCPU as any Backend, try openCL() as any Backend])
    func mismatchedShapesThrow(_ backend: any Backend) throws {
        let a = try backend.tensor([6]), b = try backend.tensor([7])
        #expect(throws: ComputeError.self) { try backend.copy(a.buffer, to: b.buffer) }
        #expect(throws: ComputeError.self) {
            try backend.gemm(transA: false, transB: false, m: 2, n: 4, k: 3, alpha: 1, a: a.buffer, b: b.buffer, beta: 0, c: a.buffer)
        }
        let g = ConvGeometry(batch: 1, inChannels: 1, inHeight: 4, inWidth: 4, outChannels: 1, kernelHeight: 3, kernelWidth: 3)
        #expect(throws: ComputeError.self) { try backend.conv2dForward(g, input: a.buffer, weight: b.buffer, output: a.buffer) }
        #expect(throws: ComputeError.self) { try backend.dropoutForward(a.buffer, output: a.buffer, p: 1, seed: 0, step: 0) }
        let t = ConvTransposeGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernel: 3,
                                      stride: 2, outputPadding: 2)
        #expect(throws: ComputeError.self) { try backend.convTranspose2dForward(t, input: a.buffer, weight: b.buffer, output: a.buffer) }
    }

    @Test func buffersCannotCrossBackends() throws {
        let cpuBuffer = try sharedCPU.tensor([4], filledWith: 1).buffer
        #expect {
            try openCL().fill(cpuBuffer, with: 2)
        } throws: { error in
            guard case ComputeError.foreignBuffer = error else { return false }
            return "\(error)".contains("another backend")
        }
    }
}

@Suite struct ProgramCacheTests {
    /// A second backend on the same device finds every program in the disk cache.
    @Test func secondBackendLoadsFromDisk() throws {
        let device = try #require(try OpenCLDevice.all().first)
        let directory = FileManager.default.temporaryDirectory.appending(path: "aekit-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try OpenCLBackend(device: device, cacheDirectory: directory)
        try first.prepareAllPrograms()
        #expect(first.programsFromCache.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".bin") }.count == OpenCLBackend.kernelFiles.count)

        let second = try OpenCLBackend(device: device, cacheDirectory: directory)
        try second.prepareAllPrograms()
        #expect(second.programsFromCache.count == OpenCLBackend.kernelFiles.count)
        // And the cached programs compute the same as the CPU.
        let x = try second.tensor([5], values: [1, -2, 3, -4, 5]), y = try second.tensor([5])
        try second.reluForward(x.buffer, output: y.buffer)
        #expect(try second.download(y.buffer) == [1, 0, 3, 0, 5])
    }
}
