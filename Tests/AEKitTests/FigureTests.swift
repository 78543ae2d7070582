@testable import AEKit
@testable import Reports
import Compute
import Foundation
import Testing

@Suite struct FigureTests {
    /// Points spread along (1, 2, 2)/3 with a little noise across it: the first component is
    /// that direction and explains nearly all the variance.
    @Test func principalComponentsFindTheSpreadDirection() throws {
        var random = SeededRandom(seed: 3)
        var values: [Float] = []
        for _ in 0..<500 {
            let t = random.uniform(-10, 10)
            values += [t * 1 / 3 + random.uniform(-0.1, 0.1), t * 2 / 3 + random.uniform(-0.1, 0.1), t * 2 / 3 + random.uniform(-0.1, 0.1)]
        }
        let (coordinates, explained) = PrincipalComponents.project(values, rows: 500, columns: 3)
        #expect(explained[0] > 0.99 && explained[1] < 0.01)
        // The first coordinate is the position along the line (up to sign): |t| back.
        let t0 = Double(values[0] * 3 / 3 + values[1] * 6 / 3 + values[2] * 6 / 3) / 3
        #expect(abs(abs(coordinates[0][0]) - abs(t0)) < 0.5, "\(coordinates[0][0]) against \(t0)")
    }

    @Test func chartsRenderToPNG() throws {
        let bars = Figures.bars([("N = 64", [0.02, 0.05, nil]), ("N = 512", [0.01, 0.03, 0.002])],
                                series: ["published", "stated", "best"], title: "bars", yLabel: "MSE")
        let heatmap = Figures.heatmap([[5, 1], [0, 7]], title: "confusion <2 classes>")
        for figure in [bars, heatmap] {
            let png = try figure.png()
            #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47]) && png.count > 1000)
            // The PNG's own size is the figure's (IHDR: width and height, big-endian, at 16).
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == figure.width && height == figure.height)
        }
        #expect(heatmap.text.contains("confusion &lt;2 classes>"))
        #expect { try SVGImage("<svg", width: 10, height: 10).png() } throws: { "\($0)".contains("cannot render a figure") }
    }

    /// The legend grows with its longest name (S4's "s4-base-linear-output" ran off a fixed
    /// 640 px figure), and the plot keeps its width; names are escaped.
    @Test func curvesMakeRoomForTheirLegend() throws {
        let short = Figures.curves([("a", [1, 2, 3])], title: "t", yLabel: "MSE")
        let long = Figures.curves([("a", [1, 2, 3]), ("pre-trained, linear logits <n=64>", [2, 3, 4])], title: "t", yLabel: "MSE")
        #expect(short.width == 640 && long.width > 640 + 7 * 10)
        #expect(long.text.contains("pre-trained, linear logits &lt;n=64>"))
        let png = try long.png()
        #expect(png[16..<20].reduce(0) { $0 << 8 | Int($1) } == long.width)
    }

    @Test func aCodeMapHasOnePointPerImage() throws {
        let data = try fashionSubset(train: 10, test: 300).test
        let model = try Sequential(ModelPreset(architecture: .convLinear, hidden: 16, dropout: 0.2).spec, backend: cpu, seed: 1)
        let map = try Figures.codeMap(model, data)
        #expect(map.text.components(separatedBy: "<circle").count - 1 == 300 + 10)
        #expect(map.text.contains("codes of 300 test images (16 numbers each)"))
    }
}
