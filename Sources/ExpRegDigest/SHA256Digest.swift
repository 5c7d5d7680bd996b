internal import CCrypto
import Foundation

/// SHA-256 digests as lowercase hex: run keys, manifest and csv checksums, artifact checksums.
///
/// The one owner of hashing in ExpReg. It calls the system's libcrypto (`EVP_Digest` with
/// `EVP_sha256()`), so a first build compiles no vendored C library; the digest is the standard
/// FIPS 180-4 SHA-256, so every stored `run_key` and checksum is unchanged.
public enum SHA256Digest {
    /// Lowercase hex SHA-256 (64 characters) of `bytes` (`Data`, `[UInt8]`, …).
    public static func hex(_ bytes: some ContiguousBytes) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { raw in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(raw.baseAddress, raw.count, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // EVP_Digest fails only when libcrypto cannot allocate a context; nothing can continue then.
        precondition(ok == 1 && length == 32, "libcrypto EVP_Digest(SHA-256) failed")
        return hexString(digest.prefix(32))
    }

    /// Lowercase hex SHA-256 of the UTF-8 bytes of `text`.
    public static func hex(_ text: String) -> String {
        hex(Data(text.utf8))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hexString(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
