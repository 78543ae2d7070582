@testable import Compute
import Testing

/// Every op of the protocol, CPU against OpenCL, on `ParitySuite.defaultCases` random shapes.
@Suite struct ParityTests {
    @Test(arguments: Op.allCases)
    func opAgreesWithCPU(_ op: Op) throws {
        let report = try ParitySuite.check(ParitySuite.parityOp(op), reference: sharedCPU, candidate: try openCL(), seed: 20_261_125)
        #expect(report.cases >= 20)
        #expect(report.passed, "\(report.failures.joined(separator: "\n"))")
    }

    /// Each convolution algorithm forced (`auto` mixes them by shape), against the CPU, for
    /// every op built on the convolutions.
    @Test(arguments: Op.allCases.filter { $0.name.hasPrefix("conv") },
          [OpenCLBackend.ConvAlgorithm.direct, .im2col])
    func eachConvolutionAlgorithmAgreesWithCPU(_ op: Op, _ algorithm: OpenCLBackend.ConvAlgorithm) throws {
        let forced = try OpenCLBackend(device: try openCL().device, convolution: algorithm)
        let report = try ParitySuite.check(ParitySuite.parityOp(op), reference: sharedCPU, candidate: forced, seed: 20_261_126)
        #expect(report.passed, "\(report.failures.joined(separator: "\n"))")
    }

    /// The comparison can fail: identical results pass with zero error, and a tolerance no
    /// result can meet turns every case into a reported failure.
    @Test func parityReportsFailures() throws {
        let op = ParitySuite.parityOp(.scale)
        let good = try ParitySuite.check(op, reference: sharedCPU, candidate: sharedCPU, seed: 3)
        #expect(good.passed && good.maxAbsoluteError == 0)
        let bad = try ParitySuite.check(op, reference: sharedCPU, candidate: sharedCPU, seed: 3,
                                        tolerance: Tolerance(absolute: -1, relative: 0))
        #expect(!bad.passed && bad.failures.count == bad.cases)
    }

    /// Every op with a kernel of its own finds it under its name in its family's file: what
    /// `launch(op, …)` relies on. GEMM, with its epilogue or without, runs kernels named for
    /// their strategy; the fused convolution forward and the transposed convolutions run the
    /// convolution's.
    @Test(arguments: Op.allCases.filter {
        ![.gemm, .gemmBiasActivation, .conv2dBiasActivationForward].contains($0) && !$0.name.hasPrefix("conv_transpose")
    })
    func kernelHasTheOpsName(_ op: Op) throws {
        let cl = try openCL()
        _ = try cl.locked { try cl.kernel(op.kernelFile, op.name) }
    }

    @Test func kernelPolicyComesFromTheOptionOrTheEnvironment() throws {
        let env = [KernelPolicy.environmentVariable: "GPU"]
        #expect(try KernelPolicy.resolve(option: .cpu, environment: env) == .cpu)
        #expect(try KernelPolicy.resolve(option: nil, environment: env) == .gpu)
        #expect(try KernelPolicy.resolve(option: nil, environment: [:]) == .auto)
        #expect { try KernelPolicy.resolve(option: nil, environment: [KernelPolicy.environmentVariable: "tpu"]) }
            throws: { "\($0)".contains("AEKIT_KERNEL_POLICY='tpu'") }
        // On PoCL (a CPU device) auto makes a CPU device's choices, gpu a GPU's.
        let device = try openCL().device
        #expect(try OpenCLBackend(device: device, policy: .gpu).choosesForGPU)
        #expect(try OpenCLBackend(device: device, policy: .auto).choosesForGPU == (device.type != "cpu"))
    }

    @Test func misspeltOpNameIsRefused() throws {
        #expect(try Op.matching("max_pool") == [.maxPool2dForward, .maxPool2dBackward])
        #expect(try Op.matching("pool").count == 4)
        #expect(try Op.matching(nil) == Op.allCases)
        #expect { try Op.matching("maxpool") } throws: { "\($0)".contains("max_pool2d_forward") }
    }

    @Test func dropoutMaskIsTheSameOnBothBackends() throws {
        let cl = try openCL()
        let n = 10_000
        let ones = [Float](repeating: 1, count: n)
        var masks: [[Float]] = []
        for backend in [sharedCPU, cl] as [any Backend] {
            let x = try backend.tensor([n], values: ones), y = try backend.tensor([n])
            try backend.dropoutForward(x.buffer, output: y.buffer, p: 0.3, seed: 42, step: 7)
            masks.append(try backend.download(y.buffer))
        }
        #expect(masks[0] == masks[1])
        let kept = masks[0].filter { $0 != 0 }.count
        #expect(abs(Double(kept) / Double(n) - 0.7) < 0.03, "kept \(kept) of \(n) at p = 0.3")
        #expect(masks[0].allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
    }
}

/// Each of the OpenCL GEMM kernels forced (`auto` runs only the vector kernel on a CPU device
/// such as PoCL, so the tiled and direct kernels a GPU would run are checked nowhere else),
/// in every transpose case, on sizes that are no multiple of a tile.
@Suite struct ForcedGEMMParityTests {
    static let sizes = [1, 7, 13, 31, 63, 65, 784, 1000]

    @Test(arguments: [OpenCLBackend.GEMMKernel.tiled, .direct, .vector], [(false, false), (false, true), (true, false), (true, true)])
    func kernelAgreesWithCPU(_ kernel: OpenCLBackend.GEMMKernel, _ transposes: (Bool, Bool)) throws {
        let cl = try openCL()
        var random = SeededRandom(seed: 77)
        var checked = 0
        for m in Self.sizes {
            for n in Self.sizes {
                // Every (m, n) pair with a k drawn from the sizes, kept to a few M multiply-adds.
                let k = Self.sizes[Int(random.next() % UInt64(Self.sizes.count))]
                if m * n * k > 8_000_000 { continue }
                let (transA, transB) = transposes
                let a = random.uniforms(m * k), b = random.uniforms(k * n), c = random.uniforms(m * n)
                var results: [[Float]] = []
                for backend in [sharedCPU, cl] as [any Backend] {
                    let ta = try backend.tensor([a.count], values: a), tb = try backend.tensor([b.count], values: b)
                    let tc = try backend.tensor([c.count], values: c)
                    if let cl = backend as? OpenCLBackend {
                        try cl.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: ta.buffer, b: tb.buffer,
                                    beta: 0.25, c: tc.buffer, kernel: kernel)
                    } else {
                        try backend.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: ta.buffer,
                                         b: tb.buffer, beta: 0.25, c: tc.buffer)
                    }
                    results.append(try backend.download(tc.buffer))
                }
                let bad = zip(results[1], results[0]).filter { !Tolerance.parity.accepts($0, reference: $1) }.count
                #expect(bad == 0, "\(kernel) \(m)x\(n)x\(k) transA \(transA) transB \(transB): \(bad) elements differ")
                checked += 1
            }
        }
        #expect(checked > 50)
    }
}
