@testable import Compute
import Testing

/// Every op of the protocol, CPU against OpenCL, on `ParitySuite.defaultCases` random shapes.
@Suite struct ParityTests {
    @Test(arguments: ParitySuite.ops.map(\.name))
    func opAgreesWithCPU(_ name: String) throws {
        let op = try #require(ParitySuite.ops.first { $0.name == name })
        let report = try ParitySuite.check(op, reference: sharedCPU, candidate: try openCL(), seed: 20_261_125)
        #expect(report.cases >= 20)
        #expect(report.passed, "\(report.failures.joined(separator: "\n"))")
    }

    /// Each convolution algorithm forced (`auto` mixes them by shape), against the CPU, for
    /// every op built on the convolutions.
    @Test(arguments: ParitySuite.ops.map(\.name).filter { $0.hasPrefix("conv") },
          [OpenCLBackend.ConvAlgorithm.direct, .im2col])
    func eachConvolutionAlgorithmAgreesWithCPU(_ name: String, _ algorithm: OpenCLBackend.ConvAlgorithm) throws {
        let op = try #require(ParitySuite.ops.first { $0.name == name })
        let forced = try OpenCLBackend(device: try openCL().device, convolution: algorithm)
        let report = try ParitySuite.check(op, reference: sharedCPU, candidate: forced, seed: 20_261_126)
        #expect(report.passed, "\(report.failures.joined(separator: "\n"))")
    }

    /// The comparison can fail: identical results pass with zero error, and a tolerance no
    /// result can meet turns every case into a reported failure.
    @Test func parityReportsFailures() throws {
        let op = try #require(ParitySuite.ops.first { $0.name == "scale" })
        let good = try ParitySuite.check(op, reference: sharedCPU, candidate: sharedCPU, seed: 3)
        #expect(good.passed && good.maxAbsoluteError == 0)
        let bad = try ParitySuite.check(op, reference: sharedCPU, candidate: sharedCPU, seed: 3,
                                        tolerance: Tolerance(absolute: -1, relative: 0))
        #expect(!bad.passed && bad.failures.count == bad.cases)
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
