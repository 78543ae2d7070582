import Compute
import Foundation

/// The first principal components of a set of rows, by power iteration on the centred data
/// (never forming the covariance matrix), each later one kept orthogonal to the earlier.
enum PrincipalComponents {
    /// Each row's coordinates on the first `components` components, and the fraction of the
    /// total variance each explains.
    static func project(_ values: [Float], rows: Int, columns: Int, components: Int = 2,
                        iterations: Int = 60) -> (coordinates: [[Double]], explained: [Double]) {
        var x = values.map(Double.init)
        for c in 0..<columns {
            let mean = (0..<rows).reduce(0) { $0 + x[$1 * columns + c] } / Double(rows)
            for r in 0..<rows { x[r * columns + c] -= mean }
        }
        let total = x.reduce(0) { $0 + $1 * $1 }
        var random = SeededRandom(seed: 7)
        var basis: [[Double]] = [], explained: [Double] = []
        for _ in 0..<components {
            var v = (0..<columns).map { _ in Double(random.uniform(-1, 1)) }
            var variance = 0.0
            for _ in 0..<iterations {
                // v ← Xᵀ X v, made orthogonal to the components found, then unit length.
                let xv = (0..<rows).map { r in (0..<columns).reduce(0) { $0 + x[r * columns + $1] * v[$1] } }
                var next = [Double](repeating: 0, count: columns)
                for r in 0..<rows { for c in 0..<columns { next[c] += x[r * columns + c] * xv[r] } }
                for b in basis {
                    let dot = zip(next, b).reduce(0) { $0 + $1.0 * $1.1 }
                    for c in 0..<columns { next[c] -= dot * b[c] }
                }
                let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { break }
                v = next.map { $0 / norm }
                variance = xv.reduce(0) { $0 + $1 * $1 }
            }
            basis.append(v)
            explained.append(total > 0 ? variance / total : 0)
        }
        let coordinates = (0..<rows).map { r in basis.map { b in (0..<columns).reduce(0) { $0 + x[r * columns + $1] * b[$1] } } }
        return (coordinates, explained)
    }
}

extension Figures {
    /// The codes of the first `count` images of `data` (the encoder's output), on their first two
    /// principal components, coloured by class: how the code space sorts the classes.
    public static func codeMap(_ model: Sequential, _ data: Dataset, count: Int = 1000) throws -> SVGImage {
        let n = min(count, data.count)
        let (codes, width) = try model.codes(data.prefix(n))
        let (coordinates, explained) = PrincipalComponents.project(codes, rows: n, columns: width)
        let points = (0..<n).map { (x: coordinates[$0][0], y: coordinates[$0][1], label: Int(data.labels[$0])) }
        func axis(_ i: Int) -> String { String(format: "principal component %d (%.0f %% of the variance)", i + 1, explained[i] * 100) }
        return scatter(points, title: "\(model.spec.name): codes of \(n) test images (\(width) numbers each), PCA",
                       xLabel: axis(0), yLabel: axis(1), classNames: data.classNames)
    }
}
