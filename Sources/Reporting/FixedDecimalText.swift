/// printf's `%.Nf` for a Double, character for character, without Foundation's format machinery:
/// at 20,000 streams `String(format:)` took a sixth of `analyze`'s time, most of the table's.
///
/// Exact, as glibc is: the binary value itself (not its shortest decimal form) rounded to N
/// decimals, an exact tie to the even digit (2.675 is 2.67499999999999982236431605997495353221893310546875
/// in binary, so "2.67"; 0.125 is a tie, so "0.12"), and a negative value that rounds to zero
/// keeps its sign ("-0.000"). Values this cannot write exactly — not finite, more than 9
/// decimals, or a scaled magnitude beyond 64 bits — are nil, for the caller's `String(format:)`.
enum FixedDecimalText {
    private static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
                                                100_000_000, 1_000_000_000]

    static func format(_ value: Double, decimals: Int) -> String? {
        guard value.isFinite, decimals >= 0, decimals < powersOfTen.count else { return nil }
        let scale = powersOfTen[decimals]
        guard let scaled = roundedScaledMagnitude(value.magnitude, scale: scale) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        appendDigits(scaled / scale, to: &bytes, minimumCount: 1)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(scaled % scale, to: &bytes, minimumCount: decimals)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// |value| × scale rounded half to even, computed on the exact binary value.
    private static func roundedScaledMagnitude(_ magnitude: Double, scale: UInt64) -> UInt64? {
        if magnitude == 0 { return 0 }
        // magnitude = significand × 2^exponent, the significand an integer below 2^53.
        let significand = magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0)
        let exponent = magnitude.isNormal ? Int(magnitude.exponent) - 52 : -1074
        let product = UInt128(significand) * UInt128(scale)   // < 2^83
        var quotient: UInt128
        if exponent >= 0 {
            guard exponent < 45 else { return nil }
            quotient = product << exponent
        } else if -exponent >= 84 {
            quotient = 0   // below half a unit of the last decimal: rounds down
        } else {
            let shift = -exponent
            quotient = product >> shift
            let remainder = product & ((UInt128(1) << shift) - 1)
            let half = UInt128(1) << (shift - 1)
            if remainder > half || (remainder == half && quotient & 1 == 1) { quotient += 1 }
        }
        guard quotient <= UInt128(UInt64.max) else { return nil }
        return UInt64(quotient)
    }

    private static func appendDigits(_ value: UInt64, to bytes: inout [UInt8], minimumCount: Int) {
        let start = bytes.count
        var rest = value
        repeat {
            bytes.append(UInt8(ascii: "0") &+ UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        while bytes.count - start < minimumCount { bytes.append(UInt8(ascii: "0")) }
        bytes[start...].reverse()
    }
}
