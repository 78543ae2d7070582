import CZlib
import Compute
import Foundation

extension KnownFile {
    /// What a file on disk is, against this file's checksums.
    public enum Check: Equatable, Sendable {
        /// The publisher's `.gz` file, byte for byte.
        case original
        /// Another compression of the same content.
        case sameContent
        /// Neither: the MD5s found (`content` nil where the file is not gzip data).
        case mismatch(md5: String, content: String?)
    }

    /// Checks the file at `path`: its MD5, and where that differs, the MD5 of its decompressed
    /// content. Throws only when the file cannot be read.
    public func check(_ path: String) throws -> Check {
        let md5 = try KnownFile.md5(ofFileAt: path)
        if md5 == self.md5 { return .original }
        guard contentMD5 != nil else { return .mismatch(md5: md5, content: nil) }
        let content = try KnownFile.md5(ofContentAt: path)
        return content == contentMD5 ? .sameContent : .mismatch(md5: md5, content: content)
    }

    /// The largest dataset file read whole (CIFAR-10's archive is 163 MB).
    static let fileLimit = 1 << 30

    static func md5(ofFileAt path: String) throws -> String {
        let digest = Digest(.md5)
        try readRegularFile(path, limit: fileLimit).withUnsafeBytes { digest.update($0) }
        return digest.hex()
    }

    /// The MD5 of the decompressed bytes; nil when the file is not (whole) gzip data.
    static func md5(ofContentAt path: String) throws -> String? {
        let file = try RegularFile(path)
        guard let stream = gzdopen(file.release(), "rb") else { throw FileError.unreadable(path, "zlib cannot open it") }
        defer { gzclose(stream) }
        guard gzdirect(stream) == 0 else { return nil }
        let digest = Digest(.md5)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { gzread(stream, $0.baseAddress, UInt32($0.count)) }
            if count < 0 { return nil }
            if count == 0 { break }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<Int(count)])) }
        }
        return digest.hex()
    }
}
