#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTPCore

/// A classic pcap file mapped into memory, its records handed out in place.
///
/// Why: through libpcap every record is copied twice (kernel → stdio buffer → libpcap's buffer) behind
/// a `read(2)` and a few `fread` calls; that was most of the bare read loop's cost and about half of
/// a whole analysis. Mapped, a record costs a bounds check and two loads.
///
/// Only the plain common case is handled here — host byte order, version 2.4, a snaplen libpcap would
/// use as is, well-formed records. libpcap stays the authority for everything else: a file this type
/// does not accept is read by libpcap from the start, and at the first record it does not accept (cut
/// short, longer than the snaplen, odd timestamp fields) it stops so that libpcap reads the rest, with
/// libpcap's own handling and error messages. What it does deliver is exactly what libpcap would.
///
/// It maps the descriptor the capture was opened with, never the path again (see `CaptureInput`).
/// The mapping covers the file's size when opened: a capture still being written is read up to
/// there, and libpcap reads on from that record. (A file *shrunk* by another process while mapped
/// would fault on access, as any mapped reader would; captures are not truncated in place in practice.)
final class MappedClassicPcap {
    /// File offset of the next record.
    private(set) var offset = MappedClassicPcap.fileHeaderSize
    private let base: UnsafeRawPointer
    private let size: Int
    private let snaplen: Int
    /// Nanosecond-resolution file (magic a1b23c4d) rather than microseconds.
    private let nanosecondTimestamps: Bool
    /// The mapping before this offset was handed out and is behind the reader: its pages are dropped
    /// from this process every `releaseStep` bytes (the page cache keeps them; a read-only private
    /// mapping re-reads the file if touched again), so reading a 460 MB capture does not leave
    /// 460 MB resident — RSS stays the engine's own.
    private var released = 0
    static let releaseStep = 32 << 20

    static let fileHeaderSize = 24
    static let recordHeaderSize = 16
    /// libpcap's largest snaplen for the link types rtpscope reads (MAXIMUM_SNAPLEN).
    static let maximumSnaplen = 262_144

    /// Maps the regular file open as `descriptor` (`size` bytes) if it is a classic pcap this reader
    /// accepts; nil otherwise (the caller then uses libpcap alone). The mapping is independent of the
    /// descriptor's file position and outlives the descriptor.
    init?(descriptor: CInt, size: Int) {
        guard size >= Self.fileHeaderSize,
              let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            return nil
        }
        // Read once, front to back: let the kernel read ahead aggressively.
        _ = madvise(mapping, size, MADV_SEQUENTIAL)
        let header = UnsafeRawBufferPointer(start: mapping, count: Self.fileHeaderSize)
        let magic = header.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let major = header.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        let minor = header.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
        let snaplen = header.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
        guard magic == 0xA1B2_C3D4 || magic == 0xA1B2_3C4D, major == 2, minor == 4,
              snaplen > 0, snaplen <= Self.maximumSnaplen else {
            munmap(mapping, size)
            return nil
        }
        self.base = UnsafeRawPointer(mapping)
        self.size = size
        self.snaplen = Int(snaplen)
        self.nanosecondTimestamps = magic == 0xA1B2_3C4D
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }

    /// Every byte of the file was delivered.
    var isAtEnd: Bool { offset == size }

    /// The next record, or nil at the end of the file or at a record this reader leaves to libpcap
    /// (`isAtEnd` tells which). The frame points into the mapping, valid while this object lives.
    func next() -> (time: Nanoseconds, frame: UnsafeRawBufferPointer)? {
        guard size - offset >= Self.recordHeaderSize else { return nil }
        let header = UnsafeRawBufferPointer(start: base + offset, count: Self.recordHeaderSize)
        let seconds = header.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let subseconds = header.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let capturedLength = Int(header.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let dataStart = offset + Self.recordHeaderSize
        // Anything libpcap would cut, reject or interpret (a negative 32-bit second, an out-of-range
        // fraction it would scale with 32-bit arithmetic) is its business.
        guard capturedLength <= snaplen, capturedLength <= size - dataStart,
              seconds < 0x8000_0000, subseconds < (nanosecondTimestamps ? 1_000_000_000 : 1_000_000) else {
            return nil
        }
        if offset - released >= Self.releaseStep {
            let end = offset & ~(Int(getpagesize()) - 1)
            _ = madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
            released = end
        }
        offset = dataStart + capturedLength
        let time = Int64(seconds) * 1_000_000_000 + Int64(subseconds) * (nanosecondTimestamps ? 1 : 1000)
        return (time, UnsafeRawBufferPointer(start: base + dataStart, count: capturedLength))
    }
}
