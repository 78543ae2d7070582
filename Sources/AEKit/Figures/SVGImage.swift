import Compute
import Foundation
import SVGRaster

/// An SVG figure and its PNG rendering (librsvg): curves, bars, heatmaps and code maps are
/// drawn once, as SVG, and written both ways.
public struct SVGImage: Sendable {
    public let text: String
    public let width: Int, height: Int

    public init(_ text: String, width: Int, height: Int) {
        self.text = text; self.width = width; self.height = height
    }

    public func png() throws -> Data {
        var png: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = text.withCString { svg_raster_png($0, strlen($0), Int32(width), Int32(height), &png, &length, &message, message.count) }
        guard status == 0, let png else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ModelError.checkpoint("cannot render a figure to PNG: \(text)")
        }
        defer { svg_raster_free(png) }
        return Data(bytes: png, count: length)
    }

    /// Writes `name.svg` and `name.png` under `folder` (each atomically).
    public func write(to folder: String, name: String) throws {
        try writeAtomically(Data(text.utf8), to: Paths.join(folder, "\(name).svg"))
        try writeAtomically(png(), to: Paths.join(folder, "\(name).png"))
    }
}
