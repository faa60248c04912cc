/// A name as the kernel keeps it in a 16-byte field — a process's comm (TASK_COMM_LEN) or a network
/// interface's name (IFNAMSIZ): its first 15 bytes, NUL-padded, held as two words. Hashable and
/// compared without touching a `String`, and copied without reference counting (a `String`, even a
/// small one, goes through the runtime's bridge-object retain and release on every copy).
public struct KernelName: Hashable, Sendable {
    public var low: UInt64
    public var high: UInt64

    /// The 16 bytes as they come from the kernel (a ring-buffer record's name field).
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// `name` as the kernel would keep it: its first 15 bytes, then NULs.
    public init(_ name: String) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyBytes(from: name.utf8.prefix(15)) }
        self.init(low: words.0, high: words.1)
    }

    /// The bytes up to the first NUL, as UTF-8.
    public var text: String {
        withUnsafeBytes(of: (low, high)) { Self.text(nulTerminated: $0) }
    }

    /// A C string field of the kernel's (a name, a directory entry, a uname release) as UTF-8: the
    /// bytes up to the first NUL, or all of them without one.
    public static func text(nulTerminated bytes: UnsafeRawBufferPointer) -> String {
        let length = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
    }
}
