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
        let first = try OpenCLBackend(device: device, cacheDirectory: directory.path)
        try first.prepareAllPrograms()
        #expect(first.programsFromCache.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".bin") }.count == OpenCLBackend.kernelFiles.count)

        let second = try OpenCLBackend(device: device, cacheDirectory: directory.path)
        try second.prepareAllPrograms()
        #expect(second.programsFromCache.count == OpenCLBackend.kernelFiles.count)
        // And the cached programs compute the same as the CPU.
        let x = try second.tensor([5], values: [1, -2, 3, -4, 5]), y = try second.tensor([5])
        try second.activationForward(.relu, x.buffer, output: y.buffer)
        #expect(try second.download(y.buffer) == [1, 0, 3, 0, 5])
    }

    /// A cache file cut short, or with a byte changed, or in the old unframed form, is never
    /// handed to the driver (PoCL crashed on a truncated binary in every later run): it is
    /// removed, the program is built from source, and a good file takes its place.
    @Test func damagedCacheFilesAreRebuilt() throws {
        let device = try #require(try OpenCLDevice.all().first)
        let directory = FileManager.default.temporaryDirectory.appending(path: "aekit-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try OpenCLBackend(device: device, cacheDirectory: directory.path).prepareAllPrograms()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".bin") }.sorted()
        let good = try files.map { try Data(contentsOf: directory.appending(path: $0)) }
        for (index, name) in files.enumerated() {
            let url = directory.appending(path: name)
            var bytes = good[index]
            switch index % 3 {
            case 0: bytes = bytes.prefix(bytes.count / 2)
            case 1: bytes[bytes.count - 100] ^= 0xff
            default: bytes = bytes.dropFirst(ProgramCache.magic.count + 8 + 64)
            }
            try bytes.write(to: url)
        }
        let rebuilt = try OpenCLBackend(device: device, cacheDirectory: directory.path)
        try rebuilt.prepareAllPrograms()
        #expect(rebuilt.programsFromCache.isEmpty)
        for name in files { #expect(ProgramCache.verifiedBinary(at: directory.appending(path: name).path) != nil, "\(name)") }
        let x = try rebuilt.tensor([3], values: [-1, 2, -3]), y = try rebuilt.tensor([3])
        try rebuilt.activationForward(.relu, x.buffer, output: y.buffer)
        #expect(try rebuilt.download(y.buffer) == [0, 2, 0])
    }
}

/// The device's limits, lowered artificially: a buffer or a launch beyond them is refused with
/// a message that names the limit, before the driver sees it.
@Suite struct DeviceLimitTests {
    func lowered(policy: KernelPolicy = .standard, _ change: (inout DeviceLimits) -> Void) throws -> OpenCLBackend {
        let device = try openCL().device
        var limits = device.limits
        change(&limits)
        return try OpenCLBackend(device: device, policy: policy, limits: limits)
    }

    @Test func limitsAreRead() throws {
        let limits = try openCL().device.limits
        #expect(limits.maxWorkGroupSize > 0 && limits.localMemoryBytes > 0 && limits.maxAllocationBytes > 0)
        #expect(!limits.maxWorkItemSizes.isEmpty && limits.maxWorkItemSizes.allSatisfy { $0 > 0 })
    }

    @Test func bufferOverTheLargestAllocationIsRefused() throws {
        let cl = try lowered { $0.maxAllocationBytes = 1 << 20 }
        _ = try cl.makeBuffer(count: (1 << 20) / 4)
        #expect { _ = try cl.makeBuffer(count: (1 << 20) / 4 + 1) } throws: { "\($0)".contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE") }
        #expect { _ = try cl.makeBuffer(count: Int.max / 2) } throws: { "\($0)".contains("largest allocation") }
    }

    @Test func workGroupOverTheDeviceMaximumIsRefused() throws {
        // The tiled GEMM runs in work-groups of (64 / 4) x (64 / 4) = 256 work-items, fixed by its
        // tile: forced on a device that allows 64, it is refused by name; left to choose, the
        // GEMM runs the direct kernel instead, and computes the same.
        let cl = try lowered(policy: .gpu) { $0.maxWorkGroupSize = 64 }
        let a = try cl.tensor([64 * 16], filledWith: 1), b = try cl.tensor([16 * 64], filledWith: 1), c = try cl.tensor([64 * 64])
        #expect {
            try cl.gemm(transA: false, transB: false, m: 64, n: 64, k: 16, alpha: 1, a: a.buffer, b: b.buffer,
                        beta: 0, c: c.buffer, kernel: .tiled)
        } throws: { "\($0)".contains("gemm_tiled_nn") && "\($0)".contains("CL_DEVICE_MAX_WORK_GROUP_SIZE") }
        _ = cl.takeLaunchedKernels()
        try cl.gemm(transA: false, transB: false, m: 64, n: 64, k: 16, alpha: 1, a: a.buffer, b: b.buffer, beta: 0, c: c.buffer)
        #expect(cl.takeLaunchedKernels() == ["gemm_direct_nn"])
        #expect(try cl.download(c.buffer).allSatisfy { $0 == 16 })
    }

    /// The kernels that sum in local memory pick their work-group at launch: on a device that
    /// allows fewer work-items than KernelConstants prefers (Mesa's llvmpipe allows 32 in a
    /// kernel with barriers), they run in smaller groups and sum the same.
    @Test(arguments: [64, 32, 1])
    func summingKernelsFitASmallerWorkGroup(_ maximum: Int) throws {
        let cl = try lowered(policy: .gpu) { $0.maxWorkGroupSize = maximum }
        let dy = try cl.tensor([3 * 8 * 5], values: (0..<120).map { Float($0 % 7) }), db = try cl.tensor([8])
        try cl.biasGradient(dy.buffer, channels: 8, inner: 5, into: db.buffer)
        var expected = [Float](repeating: 0, count: 8)
        for o in 0..<3 { for c in 0..<8 { for i in 0..<5 { expected[c] += Float(((o * 8 + c) * 5 + i) % 7) } } }
        #expect(try cl.download(db.buffer) == expected)
        let x = try cl.tensor([1000], filledWith: 0.5), total = try cl.tensor([1], filledWith: 1)
        try cl.sum(x.buffer, scale: 2, into: total.buffer)
        #expect(try cl.download(total.buffer) == [1001])
    }

    @Test func localMemoryOverTheDeviceIsRefused() throws {
        // The reductions keep one float per work-item in local memory (KernelConstants.reduceGroup).
        let cl = try lowered { $0.localMemoryBytes = 64 }
        let x = try cl.tensor([1000], filledWith: 1), total = try cl.tensor([1], filledWith: 0)
        #expect { try cl.sum(x.buffer, scale: 1, into: total.buffer) } throws: { "\($0)".contains("CL_DEVICE_LOCAL_MEM_SIZE") }
    }
}
