import Foundation

/// The BLOB layout of a spectrum's eigenvalues: `count` IEEE-754 binary64 values, little-endian,
/// 8 bytes each, in the spectrum's (ascending) order. An empty spectrum is stored as NULL (GRDB binds
/// empty `Data` as NULL); the `count` column disambiguates.
///
/// Exact: every bit pattern (NaN, ±infinity, -0) round-trips.
enum EigenvalueBlob {
    /// Encodes the values as little-endian float64 bytes.
    static func encode(_ values: [Double]) -> Data {
        var data = Data(capacity: values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Decodes little-endian float64 bytes; nil when the length is not a multiple of 8.
    static func decode(_ data: Data) -> [Double]? {
        guard data.count % 8 == 0 else { return nil }
        var values: [Double] = []
        values.reserveCapacity(data.count / 8)
        data.withUnsafeBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: 8) {
                let bits = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                values.append(Double(bitPattern: UInt64(littleEndian: bits)))
            }
        }
        return values
    }
}
