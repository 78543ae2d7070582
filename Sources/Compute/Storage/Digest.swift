import CCrypto
import Foundation

/// SHA-256 through OpenSSL's libcrypto: the digests a run's `state.json` records for the files
/// it vouches for (the same hex `sha256sum` prints), and the program cache's check of a binary.
public func sha256Hex(_ data: Data) -> String {
    let digest = Digest(.sha256)
    data.withUnsafeBytes { digest.update($0) }
    return digest.hex()
}

/// A running digest (OpenSSL's EVP interface) over data that arrives in pieces: a download as
/// it streams, a file's decompressed content.
public final class Digest {
    public enum Algorithm { case sha256, md5 }

    private let context: OpaquePointer

    public init(_ algorithm: Algorithm) {
        // EVP_MD_CTX_new fails only when OpenSSL cannot allocate: no sensible way on.
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("OpenSSL could not allocate a digest") }
        self.context = context
        let ok = EVP_DigestInit_ex(context, algorithm == .sha256 ? EVP_sha256() : EVP_md5(), nil)
        precondition(ok == 1, "OpenSSL's digest failed to start")
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "OpenSSL's digest failed")
    }

    /// The digest in lowercase hex, as `sha256sum` and `md5sum` print it; ends the digest.
    public func hex() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1, "OpenSSL's digest failed")
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
