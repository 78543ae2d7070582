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
    /// `launch(op, …)` relies on. GEMM runs kernels named for their strategy, and the
    /// transposed convolutions run the convolution's.
    @Test(arguments: Op.allCases.filter { $0 != .gemm && !$0.name.hasPrefix("conv_transpose") })
    func kernelHasTheOpsName(_ op: Op) throws {
        let cl = try openCL()
        _ = try cl.locked { try cl.kernel(op.kernelFile, op.name) }
    }

    @Test func misspeltOpNameIsRefused() throws {
        #expect(try Op.matching("pool") == [.maxPool2dForward, .maxPool2dBackward])
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
