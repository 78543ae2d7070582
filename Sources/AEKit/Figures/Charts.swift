import Compute
import Foundation

// Bars, heatmaps and scatter maps as SVG (and so PNG, through `SVGImage`), in the style of
// `Figures.curves`: white ground, a title, labelled axes.

extension Figures {
    /// Ten colours: one per class, one per curve (the usual categorical palette).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }

    private static func svgHeader(_ width: Double, _ height: Double, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escaped(title))</text>\n"
    }

    /// Grouped bars: one group per label (N = 64, …), one bar per series (published, stated,
    /// best); a missing value leaves its slot empty.
    public static func bars(_ groups: [(label: String, values: [Double?])], series: [String], title: String,
                            yLabel: String) -> SVGImage {
        let width = 640.0, height = 400.0, left = 70.0, right = 150.0, top = 40.0, bottom = 50.0
        let high = (groups.flatMap { $0.values.compactMap { $0 } }.max() ?? 1) * 1.1
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let groupWidth = plotWidth / Double(max(groups.count, 1)), barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        var svg = svgHeader(width, height, title)
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"black\"/>\n"
        for i in 0...4 {
            let value = high * Double(i) / 4, y = height - bottom - plotHeight * Double(i) / 4
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(String(format: "%.3g", value))</text>\n"
        }
        svg += "<text x=\"18\" y=\"\(top + plotHeight / 2)\" transform=\"rotate(-90 18 \(top + plotHeight / 2))\" "
            + "text-anchor=\"middle\">\(escaped(yLabel))</text>\n"
        for (g, group) in groups.enumerated() {
            let x0 = left + groupWidth * Double(g) + groupWidth * 0.1
            for (s, value) in group.values.enumerated() {
                guard let value, value.isFinite else { continue }
                let h = plotHeight * value / high
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>\n",
                              x0 + barWidth * Double(s), height - bottom - h, barWidth * 0.95, h, palette[s % 10])
            }
            svg += "<text x=\"\(x0 + groupWidth * 0.4)\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(escaped(group.label))</text>\n"
        }
        for (s, name) in series.enumerated() {
            svg += "<rect x=\"\(width - right + 12)\" y=\"\(top + 2 + Double(s) * 18)\" width=\"14\" height=\"12\" fill=\"\(palette[s % 10])\"/>"
            svg += "<text x=\"\(width - right + 32)\" y=\"\(top + 12 + Double(s) * 18)\">\(escaped(name))</text>\n"
        }
        return SVGImage(svg + "</svg>\n", width: Int(width), height: Int(height))
    }

    /// A confusion matrix as a heatmap: row = true class, column = predicted, darker = more;
    /// each cell shows its count.
    public static func heatmap(_ counts: [[Int]], title: String) -> SVGImage {
        let n = counts.count, cell = 40.0, left = 60.0, top = 60.0
        let width = left + cell * Double(n) + 20, height = top + cell * Double(n) + 40
        let high = Double(counts.flatMap { $0 }.max() ?? 1)
        var svg = svgHeader(width, height, title)
        for (t, row) in counts.enumerated() {
            for (p, count) in row.enumerated() {
                let shade = Int(255 * (1 - Double(count) / max(high, 1)))
                let x = left + cell * Double(p), y = top + cell * Double(t)
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"white\"/>"
                svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" font-size=\"10\" "
                    + "fill=\"\(shade < 110 ? "white" : "black")\">\(count)</text>\n"
            }
            svg += "<text x=\"\(left - 8)\" y=\"\(top + cell * Double(t) + cell / 2 + 4)\" text-anchor=\"end\">\(t)</text>\n"
            svg += "<text x=\"\(left + cell * Double(t) + cell / 2)\" y=\"\(top - 8)\" text-anchor=\"middle\">\(t)</text>\n"
        }
        svg += "<text x=\"\(left + cell * Double(n) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">rows: true class, columns: predicted</text>\n"
        return SVGImage(svg + "</svg>\n", width: Int(width), height: Int(height))
    }

    /// Points coloured by class, with a legend (the classes' names where given, first 12
    /// characters): a 2-D map of a model's codes.
    public static func scatter(_ points: [(x: Double, y: Double, label: Int)], title: String,
                               xLabel: String, yLabel: String, classNames: [String]? = nil) -> SVGImage {
        let width = 560.0 + (classNames == nil ? 0 : 40), height = 480.0, left = 50.0, right = classNames == nil ? 80.0 : 120
        let top = 40.0, bottom = 40.0
        let xs = points.map(\.x), ys = points.map(\.y)
        let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        func px(_ v: Double) -> Double { left + (width - left - right) * (v - x0) / max(x1 - x0, 1e-12) }
        func py(_ v: Double) -> Double { height - bottom - (height - top - bottom) * (v - y0) / max(y1 - y0, 1e-12) }
        var svg = svgHeader(width, height, title)
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(height - top - bottom)\" fill=\"none\" stroke=\"black\"/>\n"
        for p in points {
            svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\" fill=\"%@\" fill-opacity=\"0.6\"/>", px(p.x), py(p.y),
                          palette[p.label % 10])
        }
        svg += "\n<text x=\"\((width - right + left) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">\(escaped(xLabel))</text>\n"
        svg += "<text x=\"16\" y=\"\(height / 2)\" transform=\"rotate(-90 16 \(height / 2))\" text-anchor=\"middle\">\(escaped(yLabel))</text>\n"
        for c in 0..<min(10, classNames?.count ?? 10) {
            let name = classNames.map { String($0[c].prefix(12)) } ?? "class \(c)"
            svg += "<circle cx=\"\(width - right + 16)\" cy=\"\(top + 8 + Double(c) * 18)\" r=\"5\" fill=\"\(palette[c])\"/>"
            svg += "<text x=\"\(width - right + 26)\" y=\"\(top + 12 + Double(c) * 18)\">\(escaped(name))</text>\n"
        }
        return SVGImage(svg + "</svg>\n", width: Int(width), height: Int(height))
    }
}
