#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text for standard output or standard error, written with write(2): every byte, or the system's
/// reason why not. Foundation's `FileHandle.write(_:)` traps on a failed write (a full disk, a
/// closed pipe with SIGPIPE ignored), and `print` reports nothing; neither is acceptable for a
/// report or a daemon's log.
public struct DescriptorOutput {
    public let descriptor: Int32
    /// The first write that failed: the system's reason. Later writes are skipped.
    public private(set) var failure: String?

    public init(descriptor: Int32) { self.descriptor = descriptor }

    public static var standardOutput: DescriptorOutput { DescriptorOutput(descriptor: STDOUT_FILENO) }
    public static var standardError: DescriptorOutput { DescriptorOutput(descriptor: STDERR_FILENO) }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = systemWrite(descriptor, next, left)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            next += written
            left -= written
        }
    }

    public mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
