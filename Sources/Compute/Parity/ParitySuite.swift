import Foundation

/// One op's parity check: random cases, each run on a reference and a candidate backend,
/// outputs compared element by element under `Tolerance.parity`.
public struct ParityOp: Sendable {
    public let op: Op
    public var name: String { op.name }
    /// Draws one case: a random shape and random inputs.
    let makeCase: @Sendable (inout SeededRandom) -> OpCase
}

/// The result of one op on one pair of backends.
public struct ParityReport: Sendable, Codable {
    public let op: String
    public let cases: Int
    public let maxAbsoluteError: Float
    /// Over the elements whose reference exceeds the tolerance's absolute part.
    public let maxRelativeError: Float
    public let tolerance: Tolerance
    /// One line per case that failed: its shape and worst element.
    public let failures: [String]
    public var passed: Bool { failures.isEmpty }
}

public enum ParitySuite {
    /// Cases drawn per op; each op's shapes include sizes that fit no tile (1, 7, 13, 31, …).
    public static let defaultCases = 24

    /// Every op of the `Backend` protocol (transposed convolution and the fused ops included).
    public static var ops: [ParityOp] { Op.allCases.map(ParityCatalog.parityOp) }

    /// The parity check of one op.
    public static func parityOp(_ op: Op) -> ParityOp { ParityCatalog.parityOp(op) }

    /// Runs `op` on both backends for `cases` shapes drawn from `seed`; with `maxWork`, only
    /// shapes of at most that size (each case drawn again until it fits, the smallest of a
    /// thousand draws where none does).
    public static func check(_ op: ParityOp, reference: any Backend, candidate: any Backend,
                             seed: UInt64, cases: Int = defaultCases, maxWork: Int? = nil,
                             tolerance: Tolerance = .parity) throws -> ParityReport {
        var maxAbsolute: Float = 0, maxRelative: Float = 0
        var failures: [String] = []
        for index in 0..<cases {
            // Each case has its own stream, so a case is reproducible without running the
            // others; a draw again for `maxWork` has a stream of its own too.
            func draw(_ attempt: UInt64) -> OpCase {
                var random = SeededRandom(seed: seed ^ (UInt64(index) &* 0x9e37_79b9_7f4a_7c15) ^ fnv1a64(op.name)
                                          ^ (attempt &* 0xbf58_476d_1ce4_e5b9))
                return op.makeCase(&random)
            }
            var parityCase = draw(0)
            if let maxWork {
                for attempt in 1..<1000 where parityCase.work > maxWork {
                    let next = draw(UInt64(attempt))
                    if next.work < parityCase.work { parityCase = next }
                }
            }
            let expected = try parityCase.results(on: reference)
            let actual = try parityCase.results(on: candidate)
            var worst: (index: Int, value: Float, reference: Float)?
            for (output, (want, got)) in zip(expected, actual).enumerated() {
                guard want.count == got.count else {
                    failures.append("\(parityCase.shape): output \(output) has \(got.count) elements, expected \(want.count)")
                    continue
                }
                for i in want.indices {
                    let error = abs(got[i] - want[i])
                    if error.isFinite {
                        maxAbsolute = max(maxAbsolute, error)
                        // Relative only against references above the absolute tolerance: near zero
                        // (GELU(-6) is -6e-9) any last-bit difference is a huge share of the value,
                        // and the absolute tolerance is what governs there.
                        if abs(want[i]) > tolerance.absolute { maxRelative = max(maxRelative, error / abs(want[i])) }
                    }
                    if !tolerance.accepts(got[i], reference: want[i]), worst == nil { worst = (i, got[i], want[i]) }
                }
            }
            if let worst {
                failures.append("\(parityCase.shape): element \(worst.index) is \(worst.value), reference \(worst.reference)")
            }
        }
        return ParityReport(op: op.name, cases: cases, maxAbsoluteError: maxAbsolute,
                            maxRelativeError: maxRelative, tolerance: tolerance, failures: failures)
    }
}
