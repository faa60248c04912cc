// A whole capture file through the offline reader: libpcap (pcap and pcapng headers, records,
// blocks), the mapped classic-pcap fast path (MappedClassicPcap), the resume of libpcap after it,
// error classification (CaptureError), then frame decoding and the analyzer, as `rtpscope analyze`
// runs them. Input: the file's bytes. The file lives on tmpfs (reopened through /proc/self/fd), so
// each execution costs no disk I/O; with FUZZ_SANITIZER=address this is the hostile-capture test
// under AddressSanitizer.
import FuzzSupport
import Glibc
import PcapSource
import RTPCore

/// One tmpfs file for the whole run, rewritten for every input. It is unlinked at once (nothing is
/// left behind) and reopened by path through /proc/self/fd. (memfd_create is not in Swift's Glibc.)
nonisolated(unsafe) private var captureFD: CInt = -1

private func writeCapture(_ bytes: UnsafeRawBufferPointer) -> String {
    if captureFD < 0 {
        var template = Array("/dev/shm/rtpscope-fuzz-capture-XXXXXX".utf8CString)
        captureFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(captureFD >= 0, "mkstemp in /dev/shm failed: \(errno)")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }
    precondition(ftruncate(captureFD, 0) == 0)
    var written = 0
    while written < bytes.count {
        let n = pwrite(captureFD, bytes.baseAddress! + written, bytes.count - written, off_t(written))
        precondition(n > 0, "pwrite failed: \(errno)")
        written += n
    }
    return "/proc/self/fd/\(captureFD)"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = writeCapture(FuzzInput(start, count).bytes)
    // The analyzer set-up varies with the input length (not its bytes, which are the file).
    let analyzer = makeAnalyzer(options: UInt8(truncatingIfNeeded: count) & 0x7F)
    var sum = 0
    do {
        let file = try CaptureFile(path: path)
        try file.feed(into: analyzer)
        precondition(!analyzer.summary.truncated, "a complete read marked truncated")
        // A second pass finds nothing: everything was delivered, by the mapping or by libpcap.
        let again = file.read { _ in sum &+= 1 }
        precondition(again.packetsRead == 0, "records delivered twice")
    } catch {
        precondition(!error.description.contains("\n"), "a multi-line error: \(error)")
        switch error {
        case .truncated(_, let packetsRead, _), .readError(_, let packetsRead, _):
            precondition(analyzer.summary.truncated && analyzer.summary.packetsRead == packetsRead,
                         "partial results not kept: \(error)")
        default:
            precondition(analyzer.summary.packetsRead == 0, "packets read from a file that did not open")
        }
    }
    sum &+= drain(analyzer, now: 4_000_000_000_000_000_000)  // 2096: every stream is idle by then
    consume(sum)
    return 0
}
