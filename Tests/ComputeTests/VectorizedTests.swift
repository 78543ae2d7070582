@testable import Compute
import Foundation
import Testing

/// The CPU backend's vectorised, multi-core loops against plain scalar loops written here, on a
/// buffer long enough to be split across cores and whose length leaves a tail after the blocks
/// of eight.
@Suite struct VectorizedTests {
    let n = 100_003
    let x: [Float], y: [Float]

    init() {
        var random = SeededRandom(seed: 42)
        x = random.uniforms(n, -1, 1)
        y = random.uniforms(n, 0, 1)
    }

    private func reduced(_ body: (Buffer, Buffer, Buffer) throws -> Void) throws -> Double {
        let a = try sharedCPU.tensor([n], values: x), b = try sharedCPU.tensor([n], values: y)
        let total = try sharedCPU.tensor([1], filledWith: 0.25)
        try body(a.buffer, b.buffer, total.buffer)
        return Double(try sharedCPU.download(total.buffer)[0])
    }

    @Test func reductionsMatchScalarLoops() throws {
        let sum = x.reduce(0) { $0 + Double($1) }
        let squares = zip(x, y).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let agreeing = zip(x, y).filter { ($0.0 >= 0.5) == ($0.1 >= 0.5) }.count
        #expect(abs(try reduced { try sharedCPU.sum($0, scale: 0.5, into: $2) } - (0.25 + 0.5 * sum)) <= 1e-3)
        #expect(abs(try reduced { try sharedCPU.squaredDifferenceSum($0, $1, scale: 1, into: $2) } - (0.25 + squares)) <= 1e-2)
        #expect(try reduced { try sharedCPU.binaryAgreementSum($0, $1, scale: 1, into: $2) } == 0.25 + Double(agreeing))
    }

    @Test func elementwiseMatchesScalarLoops() throws {
        let a = try sharedCPU.tensor([n], values: x), b = try sharedCPU.tensor([n], values: y)
        let out = try sharedCPU.tensor([n]), loss = try sharedCPU.tensor([1], filledWith: 0)

        try sharedCPU.activationBackward(.relu, input: a.buffer, output: a.buffer, outputGrad: b.buffer, inputGrad: out.buffer)
        #expect(try sharedCPU.download(out.buffer) == zip(x, y).map { $0.0 > 0 ? $0.1 : 0 })

        try sharedCPU.mseLoss(prediction: a.buffer, target: b.buffer, gradient: out.buffer, lossAccumulator: loss.buffer)
        let gradient = try sharedCPU.download(out.buffer)
        #expect(zip(gradient, zip(x, y)).allSatisfy { abs($0.0 - 2 / Float(n) * ($0.1.0 - $0.1.1)) <= 1e-9 })

        let key = DropoutMask.key(seed: 7, step: 3)
        try sharedCPU.dropoutForward(a.buffer, output: out.buffer, p: 0.3, seed: 7, step: 3)
        let expected = x.indices.map { i in
            DropoutMask.keeps(key: key, index: UInt32(i), p: 0.3) ? x[i] * (1 / (1 - 0.3)) : 0
        }
        #expect(try sharedCPU.download(out.buffer) == expected)
    }
}
