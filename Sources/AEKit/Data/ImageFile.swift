import CImageCodecs
import CPixman
import Foundation

/// One PNG or JPEG image as 8-bit channels, interleaved (HWC: RGBRGB… or grey).
public struct DecodedImage: Sendable {
    public let width: Int, height: Int, channels: Int
    public var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        self.width = width; self.height = height; self.channels = channels; self.bytes = bytes
    }

    /// The same pixels as planes (CHW), as a dataset and a model hold them.
    public var planes: [UInt8] {
        guard channels > 1 else { return bytes }
        let plane = width * height
        var out = [UInt8](repeating: 0, count: bytes.count)
        for i in 0..<plane { for c in 0..<channels { out[c * plane + i] = bytes[i * channels + c] } }
        return out
    }
}

/// Reading PNG and JPEG files through libpng's simplified API and libjpeg-turbo's TurboJPEG:
/// the header first (format, size), then the pixels as 8-bit grey or RGB, converted by the
/// library (16-bit samples scaled to 8, palettes expanded, alpha composited onto black).
public enum ImageFile {
    public enum Format: String, Sendable { case png = "PNG", jpeg = "JPEG" }

    /// What a header says: the size and whether the image is in colour.
    public struct Header: Sendable, Equatable {
        public let format: Format, width: Int, height: Int, isColour: Bool
    }

    /// The most pixels an image may have: 2^26 (8192 × 8192). A header claiming more is a
    /// damaged file or a decompression bomb, refused before its pixels are allocated.
    public static let maximumPixels = 1 << 26

    /// The format by the file's first bytes (its name may lie).
    public static func format(of data: Data) -> Format? {
        if data.starts(with: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) { return .png }
        if data.starts(with: [0xff, 0xd8, 0xff]) { return .jpeg }
        return nil
    }

    public static func header(_ data: Data) throws -> Header {
        guard let format = format(of: data) else {
            throw ImageFault("is neither a PNG nor a JPEG file (its first bytes are \(data.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")))")
        }
        let header: Header
        switch format {
        case .png:
            var image = png_image()
            defer { png_image_free(&image) }
            try beginPNG(&image, data)
            header = Header(format: .png, width: Int(image.width), height: Int(image.height),
                            isColour: image.format & png_uint_32(aekit_png_format_rgb) != 0)
        case .jpeg:
            let jpeg = try TurboJPEG()
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
            let status = data.withUnsafeBytes {
                tjDecompressHeader3(jpeg.handle, $0.bindMemory(to: UInt8.self).baseAddress, UInt(data.count),
                                    &width, &height, &subsampling, &colourspace)
            }
            guard status == 0 else { throw ImageFault("is not a readable JPEG (\(jpeg.message))") }
            header = Header(format: .jpeg, width: Int(width), height: Int(height), isColour: colourspace != TJCS_GRAY.rawValue)
        }
        guard header.width > 0, header.height > 0 else { throw ImageFault("has a header of \(header.width)×\(header.height) pixels") }
        guard header.width * header.height <= maximumPixels else {
            throw ImageFault("claims \(header.width)×\(header.height) pixels in its header, over AEKit's limit of "
                             + "\(maximumPixels) (8192×8192); refused before decoding (a damaged file or a decompression bomb)")
        }
        return header
    }

    /// The pixels, as `channels` (1: grey, 3: RGB) 8-bit samples.
    public static func decode(_ data: Data, channels: Int) throws -> DecodedImage {
        let header = try header(data)
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * channels)
        switch header.format {
        case .png:
            var image = png_image()
            defer { png_image_free(&image) }
            try beginPNG(&image, data)
            image.format = channels == 3 ? aekit_png_format_rgb : aekit_png_format_gray
            var black = png_color(red: 0, green: 0, blue: 0)
            let status = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, &black, $0.baseAddress, 0, nil) }
            guard status != 0 else { throw ImageFault("is a damaged PNG (libpng: \(Picture.message(image)))") }
        case .jpeg:
            let jpeg = try TurboJPEG()
            let status = data.withUnsafeBytes { source in
                pixels.withUnsafeMutableBufferPointer {
                    tjDecompress2(jpeg.handle, source.bindMemory(to: UInt8.self).baseAddress, UInt(data.count), $0.baseAddress,
                                  Int32(header.width), 0, Int32(header.height),
                                  Int32(channels == 3 ? TJPF_RGB.rawValue : TJPF_GRAY.rawValue), 0)
                }
            }
            // A warning (a truncated file's missing rows come back grey) is an error too: the
            // pixels are not the image's.
            guard status == 0 else { throw ImageFault("is a damaged JPEG (libjpeg-turbo: \(jpeg.message))") }
        }
        return DecodedImage(width: header.width, height: header.height, channels: channels, bytes: pixels)
    }

    private static func beginPNG(_ image: inout png_image, _ data: Data) throws {
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let status = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard status != 0 else { throw ImageFault("is a damaged PNG (libpng: \(Picture.message(image)))") }
    }

    /// `image` resampled to `height` × `width` by pixman's separable convolution: bilinear
    /// reconstruction, averaged over each output pixel's footprint when shrinking (an
    /// antialiased bilinear, as PIL's and torchvision's default resize), edges padded.
    public static func resize(_ image: DecodedImage, height: Int, width: Int) throws -> DecodedImage {
        if image.width == width && image.height == height { return image }
        // pixman's formats: one byte (a8) for grey, four (x8r8g8b8, little-endian B G R x) for RGB;
        // rows padded to 4 bytes.
        let grey = image.channels == 1
        let format = grey ? PIXMAN_a8 : PIXMAN_x8r8g8b8
        let bytesPerPixel = grey ? 1 : 4
        func stride(_ w: Int) -> Int { (w * bytesPerPixel + 3) / 4 * 4 }
        var source = [UInt32](repeating: 0, count: stride(image.width) / 4 * image.height)
        source.withUnsafeMutableBytes { raw in
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let from = (y * image.width + x) * image.channels, to = y * stride(image.width) + x * bytesPerPixel
                    if grey { raw[to] = image.bytes[from] } else {
                        raw[to] = image.bytes[from + 2]; raw[to + 1] = image.bytes[from + 1]; raw[to + 2] = image.bytes[from]
                        raw[to + 3] = 255
                    }
                }
            }
        }
        var target = [UInt32](repeating: 0, count: stride(width) / 4 * height)
        let done: Bool = source.withUnsafeMutableBufferPointer { sourceBits in
            target.withUnsafeMutableBufferPointer { targetBits in
                guard let from = pixman_image_create_bits(format, Int32(image.width), Int32(image.height), sourceBits.baseAddress,
                                                          Int32(stride(image.width))),
                      let to = pixman_image_create_bits(format, Int32(width), Int32(height), targetBits.baseAddress,
                                                        Int32(stride(width))) else { return false }
                defer { pixman_image_unref(from); pixman_image_unref(to) }
                let scaleX = Double(image.width) / Double(width), scaleY = Double(image.height) / Double(height)
                var transform = pixman_transform()
                pixman_transform_init_scale(&transform, fixed(scaleX), fixed(scaleY))
                pixman_image_set_transform(from, &transform)
                pixman_image_set_repeat(from, PIXMAN_REPEAT_PAD)
                var count: Int32 = 0
                guard let parameters = pixman_filter_create_separable_convolution(
                    &count, fixed(max(scaleX, 1)), fixed(max(scaleY, 1)),
                    PIXMAN_KERNEL_LINEAR, PIXMAN_KERNEL_LINEAR,
                    scaleX > 1 ? PIXMAN_KERNEL_BOX : PIXMAN_KERNEL_IMPULSE, scaleY > 1 ? PIXMAN_KERNEL_BOX : PIXMAN_KERNEL_IMPULSE,
                    4, 4) else { return false }
                defer { free(parameters) }
                guard pixman_image_set_filter(from, PIXMAN_FILTER_SEPARABLE_CONVOLUTION, parameters, count) != 0 else { return false }
                pixman_image_composite32(PIXMAN_OP_SRC, from, nil, to, 0, 0, 0, 0, 0, 0, Int32(width), Int32(height))
                return true
            }
        }
        guard done else { throw ImageFault("could not be resized to \(height)×\(width) (pixman refused the images)") }
        var bytes = [UInt8](repeating: 0, count: width * height * image.channels)
        target.withUnsafeBytes { raw in
            for y in 0..<height {
                for x in 0..<width {
                    let from = y * stride(width) + x * bytesPerPixel, to = (y * width + x) * image.channels
                    if grey { bytes[to] = raw[from] } else {
                        bytes[to] = raw[from + 2]; bytes[to + 1] = raw[from + 1]; bytes[to + 2] = raw[from]
                    }
                }
            }
        }
        return DecodedImage(width: width, height: height, channels: image.channels, bytes: bytes)
    }
}

/// pixman's 16.16 fixed point (its `pixman_double_to_fixed` is a macro).
private func fixed(_ value: Double) -> pixman_fixed_t { pixman_fixed_t((value * 65536).rounded()) }

/// What is wrong with one image file; the reader names the file.
public struct ImageFault: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A TurboJPEG decompressor, freed with its owner.
private final class TurboJPEG {
    let handle: tjhandle
    init() throws {
        guard let handle = tjInitDecompress() else { throw ImageFault("could not be read: libjpeg-turbo did not start") }
        self.handle = handle
    }
    deinit { tjDestroy(handle) }
    var message: String { String(cString: tjGetErrorStr2(handle)) }
}
