// The live path's record decoder: `KernelEvent(record:)` (KernelEvent.swift) over ring-buffer records
// laid out as `struct rtpscope_event` + payload prefix (bpf/rtpscope_event.h), then the datagram
// assembly (endpoint orientation, family fitting) and the analyzer, as LiveCapture does per record.
//
// Input: consecutive records as the ring buffer would hold them (each 104-byte header + its
// payload_length bytes, next record at the following 8-byte boundary). Every record is handed to the
// decoder in an exactly-sized copy, as libbpf's callback gets it (event pointer + size).
import CRTPScopeBPF
import FuzzSupport
@testable import LiveSource
import RTPCore

private let payloadLengthOffset = MemoryLayout<rtpscope_event>.offset(of: \rtpscope_event.payload_length)!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let analyzer = makeAnalyzer(options: 0x08)  // live bounds on: idle timeout, stream cap, stalls
    // /proc lookups (the fallback for events without addresses) would make runs depend on this
    // machine's processes: the resolver looks in a directory that does not exist.
    var assembler = DatagramAssembler(resolver: SocketResolver(procRoot: "/nonexistent-rtpscope-fuzz"),
                                      owners: SocketOwnerResolver(procRoot: "/nonexistent-rtpscope-fuzz"))
    var sum = 0
    var records = 0
    while input.remaining > 0, records < 64 {
        // The record's own size: its header's payload_length (host order) when the header is there.
        let rest = UnsafeRawBufferPointer(rebasing: input.bytes[input.offset...])
        var size = rest.count
        if rest.count >= KernelEvent.headerSize {
            let payloadLength = Int(rest.loadUnaligned(fromByteOffset: payloadLengthOffset, as: UInt16.self))
            size = min(rest.count, KernelEvent.headerSize + payloadLength)
        }
        let record = input.take(size)
        _ = input.take((8 - size % 8) % 8)
        records += 1
        sum &+= withExactCopy(record) { exact -> Int in
            guard var event = KernelEvent(record: exact) else { return 0 }
            // Nothing the decoder returns may point outside the record it was given.
            precondition(event.payload.count <= exact.count - KernelEvent.headerSize)
            precondition(event.payload.count == 0 || event.payload.baseAddress! >= exact.baseAddress!
                         && event.payload.baseAddress! + event.payload.count <= exact.baseAddress! + exact.count)
            precondition(event.datagramLength >= event.payload.count)
            precondition(event.comm.utf8.count <= 16 * 3)  // 16 bytes, each at most one U+FFFD (3 bytes)
            var sum = event.comm.utf8.count &+ event.messageIndex &+ Int(event.hook.rawValue)
            sum &+= Int(event.payload.reduce(0) { $0 &+ Int($1) } & 0xFF)
            // The datagram borrows the payload: ingest it while the record copy is alive.
            guard assembler.attribute(&event) else { return sum }
            analyzer.ingest(assembler.datagram(from: event))
            return sum
        }
    }
    sum &+= drain(analyzer, now: Nanoseconds(truncatingIfNeeded: UInt64.max >> 2))
    consume(sum)
    return 0
}
