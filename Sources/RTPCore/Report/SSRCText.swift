/// The one text form of an SSRC wherever a person reads it (tables, CSV, JSON's `ssrc_hex`, metric
/// labels): `0x` and 8 lowercase hex digits, zero-padded so that equal SSRCs compare equal as text.
public enum SSRCText {
    public static func hex(_ ssrc: UInt32) -> String {
        let digits = String(ssrc, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
