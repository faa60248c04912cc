/// Decimal digits written into a caller's buffer: IPv4 text (`IPAddress`, `Endpoint`) and the JSON
/// writer's numbers (Reporting), where a String per number would cost an allocation.
public enum DecimalText {
    /// Writes `value`'s digits (at most 20) at `target`; returns how many.
    @inlinable
    public static func write(_ value: UInt64, into target: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 1
        var bound: UInt64 = 10
        while length < 20 && value >= bound {
            length += 1
            bound &*= 10
        }
        var rest = value
        var position = length
        repeat {
            position -= 1
            target[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while rest > 0
        return length
    }

    /// Writes `a.b.c.d` (at most 15 bytes) for an address read big-endian; returns how many bytes.
    static func dottedQuad(_ address: UInt32, into target: UnsafeMutablePointer<UInt8>) -> Int {
        var count = write(UInt64(address >> 24), into: target)
        for shift in stride(from: 16, through: 0, by: -8) {
            target[count] = UInt8(ascii: ".")
            count += 1
            count += write(UInt64((address >> UInt32(shift)) & 0xFF), into: target + count)
        }
        return count
    }
}
