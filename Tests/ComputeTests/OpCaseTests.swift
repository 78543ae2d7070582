@testable import Compute
import Testing

/// The op descriptions the parity check and the benchmark share.
@Suite struct OpCaseTests {
    /// Every op has a benchmark row as well as a parity case (the compiler asks for the latter).
    @Test func everyOpIsBenchmarked() {
        let benched = Set(KernelBench.workloads().map(\.op))
        #expect(Op.allCases.filter { !benched.contains($0) } == [])
    }

    /// A case draws the same inputs on every call: what lets two backends, or a contender and
    /// its reference, be compared.
    @Test func inputsAreTheSameOnEveryBackend() throws {
        var random = SeededRandom(seed: 5)
        let g = ConvGeometry(batch: 2, inChannels: 3, inHeight: 9, inWidth: 9, outChannels: 4, kernelHeight: 3, kernelWidth: 3)
        let conv = OpCase.convolution(.conv2dForward, .forward, g, &random)
        #expect(try conv.results(on: sharedCPU) == conv.results(on: sharedCPU))
        let cl = try conv.results(on: try openCL())[0], cpu = try conv.results(on: sharedCPU)[0]
        #expect(zip(cl, cpu).allSatisfy { Tolerance.parity.accepts($0, reference: $1) })
    }

    /// The benchmark validates before it times: a contender computing something else (here,
    /// the product with a wrong alpha) is named, and nothing is timed.
    @Test func benchRefusesAContenderThatDisagrees() throws {
        var random = SeededRandom(seed: 9)
        let s = GEMMShape(m: 33, n: 17, k: 65, transA: false, transB: true)
        let good = OpCase.gemm(s, &random)
        let wrong = good.calling { backend, i, _ in
            try backend.gemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1.01,
                             a: i[0], b: i[1], beta: 0, c: i[2])
            return [i[2]]
        }
        var bench = KernelBench(cpu: sharedCPU, openCL: nil, clblast: nil)
        bench.repeats = 1
        let contenders = [good, good, wrong].enumerated().map { index, workload in
            KernelBench.Contender(label: "row\(index)", device: "CPU", backend: sharedCPU, workload: workload)
        }
        #expect(try bench.measureSideBySide(Array(contenders.prefix(2))).count == 2)
        #expect { try bench.measureSideBySide(contenders) } throws: {
            "\($0)".contains("row2 disagrees with row0") && "\($0)".contains("nothing was timed")
        }
    }
}
