import Compute
import Foundation

/// The figures a run leaves in its folder: reconstructions of test images, the noise test
/// of a denoising autoencoder and loss (and metric) curves per epoch.
public enum Figures {
    /// Rows of images, each row a list of images of `shape` (`[channels, height, width]`, 1 or
    /// 3 channels, planes as NCHW holds them), drawn at `scale` with 2-pixel gaps; in colour
    /// where the images are.
    public static func grid(_ rows: [[ArraySlice<Float>]], _ shape: [Int], scale: Int = 2) -> Picture {
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let gap = 2, cell = (height * scale + gap)
        let columns = rows.map(\.count).max() ?? 0
        var image = Picture(width: columns * (width * scale + gap) + gap, height: rows.count * cell + gap, channels: channels)
        for (r, row) in rows.enumerated() {
            for (c, values) in row.enumerated() {
                image.draw(values, channels: channels, width: width, height: height, x: gap + c * (width * scale + gap),
                           y: gap + r * cell, scale: scale)
            }
        }
        return image
    }

    /// The model's outputs for `images` (flat, in [0, 1]), in evaluation mode.
    public static func reconstruct(_ model: Sequential, _ images: [Float], count: Int) throws -> [Float] {
        let b = model.backend
        let x = try b.tensor([count] + model.spec.input, values: images)
        let y = try model.forward(x, ForwardContext(backend: b, training: false))
        return try b.download(model.spec.reconstruction(of: y, backend: b).buffer)
    }

    /// Originals (top row) above their reconstructions (bottom row).
    public static func reconstructions(_ model: Sequential, _ data: Dataset, count: Int = 10) throws -> Picture {
        let n = min(count, data.count), size = data.imageSize
        let originals = data.images(0..<n)
        let outputs = try reconstruct(model, originals, count: n)
        let slices = { (values: [Float]) in (0..<n).map { values[($0 * size)..<(($0 + 1) * size)] } }
        return grid([slices(originals), slices(outputs)], data.shape)
    }

    /// The denoising figure: for each noise factor a row of noisy inputs and a row of their
    /// reconstructions. Salt-and-pepper noise: each pixel becomes 0 or 1 (equally likely)
    /// with probability `factor`.
    public static func saltAndPepper(_ model: Sequential, _ data: Dataset, factors: [Float] = [0, 0.1, 0.2, 0.3, 0.4, 0.5],
                                     count: Int = 10, seed: UInt64 = 1) throws -> Picture {
        let n = min(count, data.count), size = data.imageSize
        var random = SeededRandom(seed: seed)
        var rows: [[ArraySlice<Float>]] = []
        for factor in factors {
            var noisy = data.images(0..<n)
            for i in noisy.indices where random.uniform() < factor { noisy[i] = random.uniform() < 0.5 ? 0 : 1 }
            let outputs = try reconstruct(model, noisy, count: n)
            rows.append((0..<n).map { noisy[($0 * size)..<(($0 + 1) * size)] })
            rows.append((0..<n).map { outputs[($0 * size)..<(($0 + 1) * size)] })
        }
        return grid(rows, data.shape)
    }

    /// A line chart of named series over epochs 1…n, with a log-scale y axis when asked.
    /// `spreads[i]`, when given, shades series i ± that much at each epoch (a mean ± std band).
    public static func curves(_ series: [(name: String, values: [Double])], title: String, yLabel: String,
                              logScale: Bool = false, spreads: [[Double]?] = []) -> SVGImage {
        // The legend, right of the plot, is as wide as its longest name (about 7 px a character
        // at 12 px) and never narrower than 150 px; the plot keeps its 420 px.
        let height = 400.0, left = 70.0, top = 40.0, bottom = 50.0
        let right = max(150, 46 + 7 * Double(series.map(\.name.count).max() ?? 0)), width = left + 420 + right
        func image(_ svg: String) -> SVGImage { SVGImage(svg, width: Int(width), height: Int(height)) }
        func spread(_ i: Int) -> [Double]? { i < spreads.count ? spreads[i] : nil }
        let bands = series.indices.flatMap { i -> [Double] in
            guard let d = spread(i) else { return [] }
            return zip(series[i].values, d).flatMap { [$0 - $1, $0 + $1] }
        }
        let all = (series.flatMap(\.values) + bands).filter { $0.isFinite && (!logScale || $0 > 0) }
        let epochs = max(series.map(\.values.count).max() ?? 1, 2)
        guard var low = all.min(), var high = all.max() else { return image("<svg xmlns=\"http://www.w3.org/2000/svg\"/>") }
        let f: (Double) -> Double = logScale ? { Foundation.log10($0) } : { $0 }
        low = f(low); high = f(high)
        if high - low < 1e-12 { high = low + 1 }
        let pad = (high - low) * 0.05; low -= pad; high += pad
        func x(_ epoch: Int) -> Double { left + (width - left - right) * Double(epoch - 1) / Double(epochs - 1) }
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - (f(v) - low) / (high - low)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(width / 2 - right / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escaped(title))</text>\n"
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"black\"/>\n"
        // Gridlines at round values: 1, 2 and 5 times a power of ten on a log scale (where 2 to
        // 8 of them fall in range), else five even steps.
        var ticks = (0...4).map { low + (high - low) * Double($0) / 4 }
        if logScale {
            let round = (Int(low.rounded(.down))...Int(high.rounded(.up))).flatMap { p in [1.0, 2, 5].map { Foundation.log10($0) + Double(p) } }
                .filter { $0 >= low && $0 <= high }
            if (2...8).contains(round.count) { ticks = round }
        }
        for value in ticks {
            let yy = top + (height - top - bottom) * (1 - (value - low) / (high - low))
            let label = String(format: "%.3g", logScale ? pow(10, value) : value)
            svg += "<text x=\"\(left - 6)\" y=\"\(yy + 4)\" text-anchor=\"end\">\(label)</text>"
            svg += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(width - right)\" y2=\"\(yy)\" stroke=\"#ddd\"/>\n"
        }
        for epoch in Set([1, epochs, (epochs + 1) / 2]).sorted() {
            svg += "<text x=\"\(x(epoch))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(epoch)</text>\n"
        }
        svg += "<text x=\"\((width - right + left) / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">epoch</text>\n"
        svg += "<text x=\"16\" y=\"\(height / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(height / 2))\">"
            + "\(escaped(yLabel))\(logScale ? " (log)" : "")</text>\n"
        for (i, s) in series.enumerated() {
            // Past ten curves the colours come round again, dashed.
            let color = palette[i % palette.count], dash = i >= palette.count ? " stroke-dasharray=\"6 4\"" : ""
            if let d = spread(i) {
                let upper = zip(s.values, d).enumerated().map { String(format: "%.1f,%.1f", x($0.offset + 1), y($0.element.0 + $0.element.1)) }
                let lower = zip(s.values, d).enumerated().reversed()
                    .map { String(format: "%.1f,%.1f", x($0.offset + 1), y(max($0.element.0 - $0.element.1, logScale ? 1e-12 : -.infinity))) }
                svg += "<polygon fill=\"\(color)\" fill-opacity=\"0.2\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
            }
            let points = s.values.enumerated().filter { $0.element.isFinite && (!logScale || $0.element > 0) }
                .map { String(format: "%.1f,%.1f", x($0.offset + 1), y($0.element)) }
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
            svg += "<line x1=\"\(width - right + 12)\" y1=\"\(top + 10 + Double(i) * 18)\" x2=\"\(width - right + 32)\" "
                + "y2=\"\(top + 10 + Double(i) * 18)\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>"
            svg += "<text x=\"\(width - right + 38)\" y=\"\(top + 14 + Double(i) * 18)\">\(escaped(s.name))</text>\n"
        }
        return image(svg + "</svg>\n")
    }
}

extension Figures {
    /// A run's figures in its folder: loss (and metric) curves per epoch; for an autoencoder,
    /// test images above their reconstructions, the salt-and-pepper grid and the code map.
    package static func writeRunFigures(folder: RunFolder, config: TrainingConfig, history: [EpochRecord],
                                model: Sequential, test: Dataset) throws {
        let lossName = config.model.loss.title
        let validationName = config.validation == .testSet ? "test" : "validation"
        let loss = curves([("train", history.map(\.train.loss)), (validationName, history.map(\.validation.loss))],
                          title: "\(config.model.name) on \(config.data.title)", yLabel: lossName, logScale: true)
        try loss.write(to: folder.path, name: "loss")
        if let metric = history.first?.train.metric?.name {
            let metricCurves = curves([("train", history.map { $0.train.metric?.value ?? .nan }),
                                       (validationName, history.map { $0.validation.metric?.value ?? .nan })],
                                      title: "\(config.model.name): \(metric)", yLabel: metric)
            try metricCurves.write(to: folder.path, name: metric)
        }
        if config.model.isAutoencoder {
            try writeAtomically(reconstructions(model, test).png(), to: folder.file("reconstructions.png"))
            try writeAtomically(saltAndPepper(model, test).png(), to: folder.file("salt-and-pepper.png"))
            try codeMap(model, test).write(to: folder.path, name: "codes")
        }
        if model.bottleneckIndex != nil {
            try writeAtomically(samples(model).png(), to: folder.file("samples.png"))
            if let (_, layer) = try? model.bottleneck(), layer.features == 2 {
                try writeAtomically(manifold(model).png(), to: folder.file("manifold.png"))
            }
        }
    }
}
