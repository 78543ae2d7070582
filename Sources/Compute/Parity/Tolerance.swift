/// The one tolerance every parity check uses: an element passes when
/// `|value − reference| ≤ absolute + relative · |reference|`.
///
/// Float32 sums in a different order (OpenBLAS vs a tiled kernel, Double vs a tree
/// reduction) differ by a few units in the last place times √terms; these bounds sit well
/// above that and far below any real bug (a wrong index or a missed term is off by O(1)).
public struct Tolerance: Sendable, Codable, CustomStringConvertible {
    public let absolute: Float
    public let relative: Float

    public static let parity = Tolerance(absolute: 1e-4, relative: 1e-3)

    public func accepts(_ value: Float, reference: Float) -> Bool {
        if value.isNaN || reference.isNaN { return value.isNaN && reference.isNaN }
        return abs(value - reference) <= absolute + relative * abs(reference)
    }

    public var description: String { "atol \(absolute) + rtol \(relative)" }
}
