import CRTPScopeBPF
import MetricCatalog
import Glibc

/// The codec uprobe programs (bpf/codec.bpf.c), loaded once; probes are attached per process.
/// Not thread-safe: `CodecProbeManager` serialises access.
final class CodecProbes {
    private var handle: OpaquePointer?
    private let delivery = CodecCallDelivery()

    /// Loads the programs. Needs root (or CAP_BPF+CAP_PERFMON).
    init(ringBufferBytes: Int) throws(LiveCaptureError) {
        guard let handle = rtpscope_codec_bpf_new() else { throw .loadFailed("eBPF: out of memory") }
        let context = Unmanaged.passUnretained(delivery).toOpaque()
        let result = rtpscope_codec_bpf_load(handle, UInt32(clamping: ringBufferBytes), codecProbesDeliverCall, context)
        if result != 0 {
            let message = String(cString: rtpscope_codec_bpf_error(handle))
            rtpscope_codec_bpf_destroy(handle)
            throw result == -EPERM ? .permissionDenied(message) : .loadFailed(message)
        }
        self.handle = handle
    }

    deinit { close() }

    enum AttachFailure: Error {
        /// The file does not export the symbol.
        case symbolMissing
        case failed(String)
    }

    /// Attaches the entry probe (and the return probe of timed functions) of `function` in the ELF
    /// file at `path`, for process `pid` only. Returns the links to destroy on release.
    func attach(pid: Int32, path: String, function: CodecFunction, packetSizeOffset: Int?) throws(AttachFailure) -> [OpaquePointer] {
        guard let handle else { throw .failed("codec probes closed") }
        let cookie = function.cookie(packetSizeOffset: packetSizeOffset)
        var links: [OpaquePointer] = []
        for returnProbe in function.isCountOnly ? [false] : [false, true] {
            var link: OpaquePointer?
            let result = rtpscope_codec_bpf_attach(handle, pid, path, function.symbol, cookie, returnProbe ? 1 : 0, &link)
            guard result == 0, let link else {
                links.forEach { rtpscope_codec_bpf_link_destroy($0) }
                if result == -ENOENT { throw .symbolMissing }
                throw .failed(String(cString: rtpscope_codec_bpf_error(handle)))
            }
            links.append(link)
        }
        return links
    }

    func detach(_ links: [OpaquePointer]) {
        links.forEach { rtpscope_codec_bpf_link_destroy($0) }
    }

    /// Delivers every finished-call record waiting in the ring buffer.
    @discardableResult
    func consume(_ body: (rtpscope_codec_call) -> Void) -> Int {
        guard let handle else { return 0 }
        return withoutActuallyEscaping(body) { body in
            delivery.body = body
            defer { delivery.body = nil }
            return Int(max(0, rtpscope_codec_bpf_consume(handle)))
        }
    }

    func statistics(pid: Int32, function: CodecFunction) -> rtpscope_codec_stats? {
        guard let handle else { return nil }
        var stats = rtpscope_codec_stats()
        return rtpscope_codec_bpf_read_stats(handle, UInt32(bitPattern: pid), UInt32(function.rawValue), &stats) == 0 ? stats : nil
    }

    func forget(pid: Int32) {
        guard let handle else { return }
        rtpscope_codec_bpf_forget_process(handle, UInt32(bitPattern: pid))
    }

    /// The per-CPU health counters, summed (indexed by enum rtpscope_codec_counter).
    func counters() -> [UInt64] {
        var values = [UInt64](repeating: 0, count: Int(RTPSCOPE_CODEC_COUNTER_COUNT.rawValue))
        guard let handle else { return values }
        _ = values.withUnsafeMutableBufferPointer { rtpscope_codec_bpf_read_counters(handle, $0.baseAddress) }
        return values
    }

    /// Kernel run time and count of the entry and return programs (run-time stats must be on).
    func programRuns() -> [ProgramRunStats] {
        guard let handle else { return [] }
        return ["codec_enter", "codec_return"].enumerated().map { index, name in
            var time: UInt64 = 0, count: UInt64 = 0
            _ = rtpscope_codec_bpf_program_stats(handle, index, &time, &count)
            return ProgramRunStats(name: name, runTimeNanoseconds: time, runCount: count)
        }
    }

    func close() {
        rtpscope_codec_bpf_destroy(handle)
        handle = nil
    }
}

private final class CodecCallDelivery {
    var body: ((rtpscope_codec_call) -> Void)?
}

private let codecProbesDeliverCall: rtpscope_codec_call_callback = { call, context in
    guard let call, let context else { return }
    Unmanaged<CodecCallDelivery>.fromOpaque(context).takeUnretainedValue().body?(call.pointee)
}
