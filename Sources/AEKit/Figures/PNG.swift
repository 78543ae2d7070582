import CImageCodecs
import Foundation

/// An 8-bit grey or RGB picture (a figure of images), written as PNG by libpng.
public struct Picture: Sendable {
    public let width: Int, height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// Row after row, each pixel's channels together (RGBRGB…).
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int = 1, fill: UInt8 = 255) {
        precondition(channels == 1 || channels == 3)
        self.width = width; self.height = height; self.channels = channels
        pixels = [UInt8](repeating: fill, count: width * height * channels)
    }

    /// Draws an image of `channels` planes of h×w values in [0, 1] (clamped; NCHW's planes, as
    /// a model's tensors hold them) at (x, y), each pixel as a `scale`×`scale` block. A grey
    /// image in an RGB picture is drawn grey; a colour one in a grey picture is refused.
    public mutating func draw(_ values: ArraySlice<Float>, channels planes: Int = 1, width w: Int, height h: Int,
                              x: Int, y: Int, scale: Int = 1) {
        precondition(planes == 1 || planes == channels, "a \(planes)-channel image in a \(channels)-channel picture")
        let plane = w * h
        for row in 0..<(h * scale) {
            for column in 0..<(w * scale) {
                let source = values.startIndex + (row / scale) * w + column / scale
                let target = ((y + row) * width + x + column) * channels
                for c in 0..<channels {
                    let v = values[source + (planes == 1 ? 0 : c * plane)]
                    pixels[target + c] = UInt8((min(max(v, 0), 1) * 255).rounded())
                }
            }
        }
    }

    public func png() throws -> Data {
        try pixels.withUnsafeBytes {
            try Picture.png(width: width, height: height, format: channels == 3 ? aekit_png_format_rgb : aekit_png_format_gray,
                            samples: $0)
        }
    }

    /// A PNG file of `samples` in libpng's simplified `format` (`PNG_FORMAT_*`, as the
    /// `aekit_png_format_*` constants name them), written by libpng.
    public static func png(width: Int, height: Int, format: UInt32, samples: UnsafeRawBufferPointer) throws -> Data {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width); image.height = png_uint_32(height)
        image.format = format
        // The first call sizes the file, the second writes it.
        var size = 0
        guard png_image_write_to_memory(&image, nil, &size, 0, samples.baseAddress, 0, nil) != 0 else {
            throw ModelError.checkpoint("PNG: libpng could not size the figure (\(Picture.message(image)))")
        }
        var data = Data(count: size)
        let written = data.withUnsafeMutableBytes { png_image_write_to_memory(&image, $0.baseAddress, &size, 0, samples.baseAddress, 0, nil) }
        guard written != 0 else { throw ModelError.checkpoint("PNG: libpng could not write the figure (\(Picture.message(image)))") }
        return data.prefix(size)
    }

    /// libpng's message, kept in the image's fixed-size buffer.
    static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
