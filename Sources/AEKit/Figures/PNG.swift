import CZlib
import Foundation

/// An 8-bit grayscale image, written as PNG (deflate and CRC from zlib).
public struct GrayImage: Sendable {
    public let width: Int, height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: fill, count: width * height)
    }

    /// Draws values in [0, 1] (clamped) at (x, y), each pixel as a `scale`×`scale` block.
    public mutating func draw(_ values: ArraySlice<Float>, width w: Int, height h: Int, x: Int, y: Int, scale: Int = 1) {
        for row in 0..<(h * scale) {
            for column in 0..<(w * scale) {
                let v = values[values.startIndex + (row / scale) * w + column / scale]
                pixels[(y + row) * width + x + column] = UInt8((min(max(v, 0), 1) * 255).rounded())
            }
        }
    }

    public func png() throws -> Data {
        // Each scanline starts with filter type 0 (none).
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0)
            raw += pixels[(row * width)..<((row + 1) * width)]
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compress2(&compressed, &compressedSize, raw, uLong(raw.count), 9)
        guard status == Z_OK else { throw ModelError.checkpoint("PNG: zlib compress2 failed (\(status))") }

        var png = Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        func chunk(_ type: String, _ body: [UInt8]) {
            png.append(contentsOf: bigEndian(UInt32(body.count)))
            let typed = Array(type.utf8) + body
            png.append(contentsOf: typed)
            png.append(contentsOf: bigEndian(UInt32(crc32(0, typed, uInt(typed.count)))))
        }
        // IHDR: width, height, bit depth 8, colour type 0 (grayscale), deflate, no filter, no interlace.
        chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0])
        chunk("IDAT", Array(compressed[0..<Int(compressedSize)]))
        chunk("IEND", [])
        return png
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
