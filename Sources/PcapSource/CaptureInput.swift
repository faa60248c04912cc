#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Where a capture's bytes come from, opened once: the stdio stream libpcap reads, and for a plain
/// regular file the memory mapping of the fast path (`MappedClassicPcap`).
///
/// Everything is read through the descriptor opened here, never by reopening the path: a FIFO or a
/// character device yields its bytes once (a second open of a FIFO whose writer is done blocks for
/// ever), and standard input has no path at all. Gzip-compressed input (magic 1f 8b) is inflated as
/// a stream by zlib; pipes and devices always go through zlib too, whose transparent mode passes
/// uncompressed bytes through unchanged, since their first bytes cannot be peeked and put back.
final class CaptureInput {
    enum Kind: Equatable {
        /// A regular file, read by libpcap and (classic pcap) mapped.
        case regularFile
        /// A regular file holding a gzip stream.
        case gzipFile
        /// Standard input, a FIFO, a character device or a socket: read once, front to back.
        case stream
    }

    let kind: Kind
    /// Bytes of the file on disk (compressed for gzip); 0 for a stream, whose size is unknown.
    let size: Int64
    /// Handed to libpcap, which closes it (and with it the descriptor) in `pcap_close`.
    let file: UnsafeMutablePointer<FILE>
    /// The fast path for a plain regular file; nil otherwise or when the file is not a classic pcap it takes.
    var mapping: MappedClassicPcap?
    private let inflater: GzipStream?

    /// Opens `path` ("-": standard input). Errors name the path and the reason in one line.
    init(path: String) throws(CaptureError) {
        let descriptor: CInt
        if path == CaptureFile.standardInputPath {
            descriptor = dup(STDIN_FILENO)
            if descriptor < 0 { throw .notReadable(path: path, reason: Self.systemMessage(errno)) }
        } else {
            // O_NOCTTY: a terminal given as the capture must not become our controlling terminal.
            descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
            if descriptor < 0 {
                let error = errno
                if error == ENOENT || error == ENOTDIR { throw .fileNotFound(path: path) }
                throw .notReadable(path: path, reason: PathAccess.explain(error, reading: path))
            }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = errno
            close(descriptor)
            throw .notReadable(path: path, reason: Self.systemMessage(error))
        }
        let type = status.st_mode & S_IFMT
        if type == S_IFDIR {
            close(descriptor)
            throw .notReadable(path: path, reason: "is a directory")
        }
        let regular = type == S_IFREG && path != CaptureFile.standardInputPath
        if regular && status.st_size == 0 {
            close(descriptor)
            throw .emptyFile(path: path)
        }
        size = regular ? Int64(status.st_size) : 0

        if regular && !Self.startsWithGzipMagic(descriptor) {
            guard let file = fdopen(descriptor, "rb") else {
                let error = errno
                close(descriptor)
                throw .notReadable(path: path, reason: Self.systemMessage(error))
            }
            kind = .regularFile
            self.file = file
            inflater = nil
            mapping = MappedClassicPcap(descriptor: descriptor, size: Int(status.st_size))
        } else {
            guard let inflater = GzipStream(descriptor: descriptor) else {
                close(descriptor)
                throw .notReadable(path: path, reason: "cannot set up zlib (out of memory)")
            }
            guard let file = inflater.makeFILE() else {
                let error = errno
                inflater.close()
                throw .notReadable(path: path, reason: Self.systemMessage(error))
            }
            kind = regular ? .gzipFile : .stream
            self.file = file
            self.inflater = inflater
            mapping = nil
        }
        // libpcap freads record by record; stdio's default buffer (one 4 KiB block) would make that a
        // read(2) every ~20 packets. A larger buffer cuts the system calls (stdio owns and frees it).
        setvbuf(file, nil, _IOFBF, CaptureFile.readBufferSize)
    }

    /// The file position for progress: compressed bytes consumed for gzip, stdio's position otherwise.
    var position: Int64 {
        if let inflater { return inflater.compressedOffset }
        return Int64(ftello(file))
    }

    /// Bytes handed to libpcap so far (after inflation); nil for a plain regular file.
    var bytesDelivered: Int64? { inflater?.bytesOut }

    /// zlib's complaint when the gzip stream was corrupt or cut short, if it was.
    var decompressionError: GzipStream.Failure? { inflater?.failure }

    private static func startsWithGzipMagic(_ descriptor: CInt) -> Bool {
        var magic: (UInt8, UInt8) = (0, 0)
        return withUnsafeMutableBytes(of: &magic) { pread(descriptor, $0.baseAddress, 2, 0) } == 2
            && magic == (0x1F, 0x8B)
    }

    static func systemMessage(_ error: Int32) -> String {
        String(cString: strerror(error))
    }
}

/// A gzip stream inflated by zlib (`gzdopen`/`gzread`), presented to libpcap as a stdio `FILE`
/// through `fopencookie`: libpcap reads it like any file, and nothing is unpacked to disk.
final class GzipStream {
    enum Failure: Equatable {
        /// The stream ends inside a member: what came before it is good.
        case cutShort
        /// zlib refused the data (bad CRC, invalid deflate data…), in its words.
        case corrupt(String)
    }

    private var handle: gzFile?
    private(set) var failure: Failure?
    private(set) var bytesOut: Int64 = 0

    /// Takes ownership of `descriptor` (closed with the stream).
    ///
    /// zlib's default 8 KiB input buffer is kept on purpose: when inflating fails (corrupt data, a bad
    /// CRC), zlib drops what the failing call had inflated, up to twice that buffer — 16 KiB, some 70
    /// voice packets, rather than the 512 KiB a buffer the size of stdio's would lose.
    init?(descriptor: CInt) {
        guard let handle = gzdopen(descriptor, "rb") else { return nil }
        self.handle = handle
    }

    deinit { close() }

    /// Compressed bytes consumed so far.
    var compressedOffset: Int64 {
        guard let handle else { return 0 }
        return Int64(gzoffset(handle))
    }

    /// Up to `count` inflated bytes; 0 at the end (also of a stream cut short, which `failure` then
    /// says: zlib reports that only through `gzerror`), -1 for corrupt data.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        guard let handle else { return 0 }
        let n = gzread(handle, buffer, UInt32(min(count, 1 << 30)))
        if n > 0 {
            bytesOut += Int64(n)
            return Int(n)
        }
        var code: Int32 = 0
        let text = gzerror(handle, &code).map { String(cString: $0) } ?? ""
        if code == Z_BUF_ERROR {
            failure = .cutShort
        } else if n < 0 || code != Z_OK {
            // gzerror prefixes the stream's name ("<fd:5>: "), which means nothing to the user.
            let message = text.hasPrefix("<fd:") ? String(text.drop { $0 != " " }.dropFirst()) : text
            failure = .corrupt(message.isEmpty ? "zlib error \(code)" : message)
        }
        if n < 0 { errno = EIO }
        return Int(n)
    }

    func close() {
        if let handle { gzclose_r(handle) }
        handle = nil
    }

    /// A read-only `FILE` over this stream. The `FILE` keeps the stream alive until it is closed.
    func makeFILE() -> UnsafeMutablePointer<FILE>? {
        var functions = rtpscope_cookie_io_functions()
        functions.read = { cookie, buffer, count in
            guard let cookie, let buffer else { return -1 }
            return Unmanaged<GzipStream>.fromOpaque(cookie).takeUnretainedValue().read(into: buffer, count: count)
        }
        functions.close = { cookie in
            guard let cookie else { return 0 }
            let stream = Unmanaged<GzipStream>.fromOpaque(cookie)
            stream.takeUnretainedValue().close()
            stream.release()
            return 0
        }
        let cookie = Unmanaged.passRetained(self).toOpaque()
        guard let file = rtpscope_fopencookie(cookie, "r", functions) else {
            Unmanaged<GzipStream>.fromOpaque(cookie).release()
            return nil
        }
        return file
    }
}

/// Why a path cannot be opened, in words that name what to fix.
public enum PathAccess {
    /// `error` from opening `path` for reading; for a permission failure, which path component denies
    /// it (a directory that may not be searched, or the file itself) and for which user.
    public static func explain(_ error: Int32, reading path: String) -> String {
        explain(error, path: path, need: R_OK)
    }

    /// As `explain(_:reading:)`, for creating or replacing `path` (the directory holding it must be writable).
    public static func explain(_ error: Int32, writing path: String) -> String {
        explain(error, path: path, need: W_OK)
    }

    private static func explain(_ error: Int32, path: String, need: Int32) -> String {
        let text = String(cString: strerror(error))
        guard error == EACCES || error == EPERM else { return text }
        let user = "uid \(geteuid())"
        // The directories leading to the path, outermost first: the first one we may not search is
        // where access stops, whatever the file's own mode.
        let absolute = path.hasPrefix("/")
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var directory = absolute ? "" : "."
        for component in components.dropLast() {
            directory = directory.isEmpty ? "/" + component : directory + "/" + component
            if faccessat(AT_FDCWD, directory, X_OK, AT_EACCESS) != 0 && errno == EACCES {
                return "\(text): directory \(directory) is not searchable by \(user)"
            }
        }
        if faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0 {
            if faccessat(AT_FDCWD, path, need, AT_EACCESS) != 0 {
                return "\(text): \(path) is not \(need == R_OK ? "readable" : "writable") by \(user)"
            }
        } else if need == W_OK {
            let parent = components.count > 1 || absolute
                ? (absolute ? "/" : "") + components.dropLast().joined(separator: "/") : "."
            if faccessat(AT_FDCWD, parent.isEmpty ? "/" : parent, W_OK, AT_EACCESS) != 0 {
                return "\(text): directory \(parent.isEmpty ? "/" : parent) is not writable by \(user)"
            }
        }
        return "\(text) (\(user))"
    }
}
