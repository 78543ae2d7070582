import CCrypto
import Foundation

/// SHA-256 through OpenSSL's libcrypto: the digests a run's `state.json` records for the files
/// it vouches for (the same hex `sha256sum` prints), and the program cache's check of a binary.
public func sha256Hex(_ data: Data) -> String {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let ok = data.withUnsafeBytes { raw in
        EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
    }
    // EVP_Digest fails only when OpenSSL cannot allocate a context: no sensible way on.
    precondition(ok == 1 && length == 32, "OpenSSL's SHA-256 failed")
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
}
