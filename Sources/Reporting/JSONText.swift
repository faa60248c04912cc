import Foundation
import RTPCore

/// `--format json` written directly as bytes, exactly as Foundation's `JSONEncoder` writes it with
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` and non-conforming floats as "inf",
/// "-inf" and "nan" (what `JSONReport` promised before; ReportingTests compare the two byte for byte).
///
/// Why not the encoder: at 20,000 streams it took 0.5 s of a 1.3 s analysis (Codable's keyed
/// containers, a tree of boxed values, then a sort of every object's keys), where the packets took
/// less. Streams and RTCP reporters — the parts that grow with the traffic — are written here with
/// their keys already in sorted order; the summary, calls and SIP counts (bounded, or rare) are still
/// encoded by `JSONEncoder` and spliced in at their depth.
///
/// Foundation's layout: two spaces per level, `"key" : value`, elements separated by ",\n", an empty
/// container as an open bracket, a blank line and the closing bracket; keys sorted by their UTF-8
/// bytes; a Double as its `description` without a trailing ".0"; strings escaped for `"`, `\` and
/// control characters only (`\b \f \n \r \t`, else `\u00XX` in lowercase hex), other bytes as they are.
struct JSONText {
    /// The text written since the last `take()`. A reference: copies of a `JSONText` would write to
    /// the same text, so it is only ever used in place (`inout`).
    private let out: ByteSink
    private var indent = 0
    /// No element written yet in the innermost open container.
    private var first = true

    init(capacity: Int) { out = ByteSink(capacity: capacity) }

    /// Bytes written since the last `take()`.
    var count: Int { out.count }

    /// The text written so far, forgotten here (indentation state is kept).
    mutating func take() -> [UInt8] { out.take() }

    /// `take()` without a copy: the text is lent to `body`, then forgotten.
    mutating func lend(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows { try out.lend(body) }

    // MARK: - Containers

    mutating func openObject() {
        out.append(UInt8(ascii: "{"))
        open()
    }

    mutating func closeObject() {
        close()
        out.append(UInt8(ascii: "}"))
    }

    mutating func openArray() {
        out.append(UInt8(ascii: "["))
        open()
    }

    mutating func closeArray() {
        close()
        out.append(UInt8(ascii: "]"))
    }

    private mutating func open() {
        out.append(UInt8(ascii: "\n"))
        indent += 1
        first = true
    }

    private mutating func close() {
        out.append(UInt8(ascii: "\n"))
        indent -= 1
        writeIndent()
        first = false   // the container just closed is an element of the enclosing one
    }

    /// Starts the next array element.
    mutating func element() {
        separate()
        writeIndent()
    }

    /// Starts the next object member: `"name" : `. Callers write members in sorted key order.
    mutating func key(_ name: StaticString) {
        // One reservation for the separator, the indentation, the quoted name and " : ": this runs
        // for every member of every stream (230 per stream; 4.6 million at 20,000 streams). Through
        // the literal's pointer, not `withUTF8Buffer` (its closure retained and released the sink),
        // and eight bytes at a time, not memset and memcpy calls for a few bytes each.
        guard name.hasPointerRepresentation else { return key(text: name.description) }
        let separator = first ? 0 : 2
        first = false
        let spaces = 2 * indent
        let length = name.utf8CodeUnitCount
        let source = UnsafeRawPointer(name.utf8Start)
        let written = separator + spaces + length + 5
        // 8 bytes of slack: the indentation is stored in whole words, its last one partly overwritten.
        var target = UnsafeMutableRawPointer(out.reserve(written + 8))
        if separator > 0 {
            target.storeBytes(of: UInt8(ascii: ","), as: UInt8.self)
            target.storeBytes(of: UInt8(ascii: "\n"), toByteOffset: 1, as: UInt8.self)
            target += 2
        }
        var filled = 0
        while filled < spaces {
            target.storeBytes(of: 0x2020_2020_2020_2020 as UInt64, toByteOffset: filled, as: UInt64.self)
            filled += 8
        }
        target += spaces
        target.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        target += 1
        // Whole words only from within the literal: reading past its end could cross into an
        // unmapped page.
        var copied = 0
        while copied + 8 <= length {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: copied, as: UInt64.self),
                              toByteOffset: copied, as: UInt64.self)
            copied += 8
        }
        while copied < length {
            target.storeBytes(of: source.load(fromByteOffset: copied, as: UInt8.self), toByteOffset: copied, as: UInt8.self)
            copied += 1
        }
        target += length
        // `" : ` as one little-endian word.
        target.storeBytes(of: 0x203A_2022 as UInt32, as: UInt32.self)
        out.didWrite(written)
    }

    /// A member whose key is data (dictionary keys): escaped like any string. (Labelled: a string
    /// literal would pick a `String` overload over `StaticString`.)
    mutating func key(text name: String) {
        separate()
        writeIndent()
        string(name)
        out.append(UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " "))
    }

    private mutating func separate() {
        if first {
            first = false
        } else {
            out.append(UInt8(ascii: ","), UInt8(ascii: "\n"))
        }
    }

    private mutating func writeIndent() {
        let spaces = 2 * indent
        out.reserve(spaces).update(repeating: UInt8(ascii: " "), count: spaces)
        out.didWrite(spaces)
    }

    // MARK: - Values

    mutating func null() { raw("null") }

    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { out.append(UnsafeRawBufferPointer($0)) }
    }

    mutating func number<T: BinaryInteger>(_ value: T) {
        if value < 0 {
            digits(UInt64(truncatingIfNeeded: 0 &- Int64(value)), negative: true)
        } else {
            digits(UInt64(value), negative: false)
        }
    }

    private mutating func digits(_ value: UInt64, negative: Bool) {
        let sign = negative ? 1 : 0
        let target = out.reserve(sign + 20)
        if negative { target[0] = UInt8(ascii: "-") }
        out.didWrite(sign + DecimalText.write(value, into: target + sign))
    }

    /// Foundation's form: `description` without a trailing ".0"; non-finite values as strings.
    mutating func number(_ value: Double) {
        guard value.isFinite else {
            string(value.isNaN ? "nan" : value < 0 ? "-inf" : "inf")
            return
        }
        // Whole numbers (counts, 20 ms deltas) print their digits: `description` would allocate a
        // string only for "20.0" to lose its ".0". Below 1e15 Swift prints a whole Double without an
        // exponent; -0.0 keeps its sign through `description`.
        if value.rounded(.towardZero) == value, abs(value) < 1e15, value != 0 || value.sign == .plus {
            number(Int64(value))
            return
        }
        if shortDecimal(value) { return }
        // `description`'s text without the String: Double writes its ASCII digits to a stream, here
        // straight into the sink (a String of more than 15 bytes, most of these, was an allocation).
        var stream = DigitStream(out: out, start: out.count)
        value.write(to: &stream)
        stream.dropWholeSuffix()
    }

    /// Writes `value` if it is a decimal of at most six fractional digits (MOS 4.38, R 91.76, a
    /// 22.625 ms delta: most of a report's non-whole numbers) with 0.001 <= |value| < 1e9, and says
    /// whether it did. `description` takes ~650 instructions a number for what this writes in ~100.
    ///
    /// It writes what `description` writes: m / 10^k (m and 10^k exact) rounds to `value` once it
    /// compares equal, so that decimal round-trips; and since a Double below 1e9 is within 1.2e-7 of
    /// its neighbours, every other decimal that rounds to it has more significant digits (one
    /// with fewer would be a multiple of 10^-k, at least 1e-6 away). It is therefore the shortest
    /// form, the one `description` prints; below 1e9 and from 0.001 without an exponent.
    private mutating func shortDecimal(_ value: Double) -> Bool {
        let magnitude = abs(value)
        guard magnitude >= 0.001, magnitude < 1e9 else { return false }
        var scale = 10.0
        for decimals in 1...6 {
            // Rounded through an integer conversion (one instruction; `rounded()` is a libm call
            // here): any candidate that passes the exact check below is right.
            let units = UInt64(magnitude * scale + 0.5)
            if Double(units) / scale == magnitude {
                writeDecimal(units, decimals: decimals, negative: value < 0)
                return true
            }
            scale *= 10
        }
        return false
    }

    /// `units / 10^decimals` in positional notation, trailing fractional zeros dropped.
    private mutating func writeDecimal(_ units: UInt64, decimals: Int, negative: Bool) {
        var places = decimals
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor &*= 10 }
        let whole = units / divisor
        var fraction = units % divisor
        while places > 0 && fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        digits(whole, negative: negative)
        guard places > 0 else { return }
        let target = out.reserve(places + 1)
        target[0] = UInt8(ascii: ".")
        var position = places
        while position > 0 {
            target[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10)
            fraction /= 10
            position -= 1
        }
        out.didWrite(places + 1)
    }

    mutating func number(_ value: Double?) {
        if let value { number(value) } else { null() }
    }

    mutating func number<T: BinaryInteger>(_ value: T?) {
        if let value { number(value) } else { null() }
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func string(_ value: String) {
        out.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            var mark = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[mark..<index]))
                mark = index + 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"), byte)
                case 0x08: out.append(UInt8(ascii: "\\"), UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "\\"), UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "\\"), UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "\\"), UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "\\"), UInt8(ascii: "t"))
                default:
                    let hex = { (nibble: UInt8) in nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
                    out.append(UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"))
                    out.append(UInt8(ascii: "0"), hex(byte >> 4), hex(byte & 0xF))
                }
            }
            out.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[mark...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A value of the report no hand-written form covers, as `encoder` writes it, re-indented to
    /// this depth (its structural newlines are the only raw newlines: strings escape theirs). The
    /// blank line of an empty container stays blank.
    mutating func encoded<T: Encodable>(_ value: T, with encoder: JSONEncoder) throws {
        let data = try encoder.encode(value)
        data.withUnsafeBytes { (encoded: UnsafeRawBufferPointer) in
            var mark = 0
            for index in encoded.indices where encoded[index] == UInt8(ascii: "\n") {
                out.append(UnsafeRawBufferPointer(rebasing: encoded[mark...index]))
                if index + 1 < encoded.count && encoded[index + 1] != UInt8(ascii: "\n") { writeIndent() }
                mark = index + 1
            }
            out.append(UnsafeRawBufferPointer(rebasing: encoded[mark...]))
        }
    }
}

/// `JSONText`'s growing buffer: writes go straight to memory behind one capacity check, where an
/// `[UInt8]` checked uniqueness and capacity for every byte appended.
final class ByteSink {
    private(set) var count = 0
    private var capacity: Int
    private var base: UnsafeMutablePointer<UInt8>

    init(capacity: Int) {
        self.capacity = max(256, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Room for `bytes` more; write them at the pointer returned, then call `didWrite`.
    @inline(__always)
    func reserve(_ bytes: Int) -> UnsafeMutablePointer<UInt8> {
        if count + bytes > capacity { grow(toHold: count + bytes) }
        return base + count
    }

    @inline(__always)
    func didWrite(_ bytes: Int) { count += bytes }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)[0] = byte
        count += 1
    }

    @inline(__always)
    func append(_ a: UInt8, _ b: UInt8) {
        let target = reserve(2)
        target[0] = a
        target[1] = b
        count += 2
    }

    @inline(__always)
    func append(_ a: UInt8, _ b: UInt8, _ c: UInt8) {
        let target = reserve(3)
        target[0] = a
        target[1] = b
        target[2] = c
        count += 3
    }

    /// Removes the last two bytes written if they are `a` then `b`.
    func dropSuffix(_ a: UInt8, _ b: UInt8) {
        if count >= 2 && base[count - 2] == a && base[count - 1] == b { count -= 2 }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        UnsafeMutableRawPointer(reserve(bytes.count)).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Everything written, valid during `body`; the sink then starts over (keeping its capacity).
    func lend(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        defer { count = 0 }
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Everything written, as an array; the sink starts over (keeping its capacity).
    func take() -> [UInt8] {
        defer { count = 0 }
        return Array(UnsafeBufferPointer(start: base, count: count))
    }

    private func grow(toHold bytes: Int) {
        var newCapacity = capacity
        while newCapacity < bytes { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}

extension JSONReport {
    /// The encoder whose output `JSONText` reproduces (and uses for the parts it does not write);
    /// the exporter's other JSON documents use it too.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// `StreamReport.encode(to:)`'s members in sorted key order.
    static func write(_ s: StreamReport, into json: inout JSONText, encoder: JSONEncoder) throws {
        // StreamQuality.encodeFlat: always present, null when unknown.
        let quality = s.quality
        json.openObject()
        json.key("burst_density"); json.number(quality?.burstDensity)
        json.key("burst_duration_ms"); json.number(quality?.burstDurationMs)
        if let byeTime = s.byeTime { json.key("bye_time"); json.number(byeTime) }
        json.key("bytes"); json.number(s.bytes)
        json.key("clock_rate"); json.number(s.clockRate)
        json.key("clock_rate_source"); json.string(s.clockRateSource.rawValue)
        if let correlation = s.codecCorrelation {
            json.key("codec_correlation")
            json.openObject()
            for name in correlation.keys.sorted(by: utf8Precedes) {
                json.key(text: name)
                json.number(correlation[name]!)
            }
            json.closeObject()
        }
        if let comm = s.comm { json.key("comm"); json.string(comm) }
        if let container = s.container { json.key("container"); json.string(container) }
        if let direction = s.direction { json.key("direction"); json.string(direction.rawValue) }
        json.key("dst"); json.string(s.dst)
        json.key("duplicates"); json.number(s.duplicates)
        json.key("effective_loss"); json.number(quality?.primary?.effectiveLoss)
        json.key("encoding_name"); json.string(s.encodingName)
        json.key("encoding_names")
        json.openObject()
        if s.encodingNames.byPayloadType.count == 1, let (payloadType, name) = s.encodingNames.byPayloadType.first {
            json.key(text: String(payloadType))
            json.string(name)
        } else {
            // Keys are the payload types' decimal text, sorted as text ("101" before "8").
            for (key, name) in s.encodingNames.byPayloadType.map({ (String($0.key), $0.value) })
                .sorted(by: { utf8Precedes($0.0, $1.0) }) {
                json.key(text: key)
                json.string(name)
            }
        }
        json.closeObject()
        json.key("end_time"); json.number(s.endTime)
        json.key("expected"); json.number(s.expected)
        if let file = s.file { json.key("file"); json.string(file) }
        json.key("frame_jitter_ms"); json.number(s.frameJitterMs)
        json.key("frames"); json.number(s.frames)
        json.key("gap_density"); json.number(quality?.gapDensity)
        json.key("gap_duration_ms"); json.number(quality?.gapDurationMs)
        if let interface = s.interface { json.key("interface"); json.string(interface) }
        json.key("jb_discarded"); json.number(quality?.primary?.discarded)
        json.key("jitter_ms"); json.number(s.jitterMs)
        json.key("lost"); json.number(s.lost)
        json.key("markers"); json.number(s.markers)
        json.key("max_delta_ms"); json.number(s.maxDeltaMs)
        json.key("max_jitter_ms"); json.number(s.maxJitterMs)
        json.key("max_loss_run"); json.number(quality?.maxLossRun)
        json.key("mean_delta_ms"); json.number(s.meanDeltaMs)
        json.key("mean_jitter_ms"); json.number(s.meanJitterMs)
        json.key("mean_packets_per_frame"); json.number(s.meanPacketsPerFrame)
        json.key("min_delta_ms"); json.number(s.minDeltaMs)
        json.key("min_jitter_ms"); json.number(s.minJitterMs)
        json.key("mode"); json.string(s.mode)
        json.key("mos"); json.number(quality?.mos)
        json.key("mos_adaptive"); json.number(quality?.jitterBuffer(named: "adaptive")?.mos)
        json.key("mos_f1"); json.number(quality?.jitterBuffer(named: "F1")?.mos)
        json.key("mos_f2"); json.number(quality?.jitterBuffer(named: "F2")?.mos)
        json.key("mos_min"); json.number(quality?.mosMin)
        if let namespace = s.namespace { json.key("namespace"); json.string(namespace) }
        json.key("packets"); json.number(s.packets)
        json.key("payload_type"); json.number(s.payloadType)
        json.key("payload_type_changes"); json.number(s.payloadTypeChanges)
        json.key("payload_types")
        json.openArray()
        for payloadType in s.payloadTypes {
            json.element()
            json.number(payloadType)
        }
        json.closeArray()
        if let pid = s.pid { json.key("pid"); json.number(pid) }
        if let pod = s.pod { json.key("pod"); json.string(pod) }
        if let podUID = s.podUID { json.key("pod_uid"); json.string(podUID) }
        if let quality {
            json.key("quality")
            try write(quality, into: &json, encoder: encoder)
        }
        json.key("r_factor"); json.number(quality?.rFactor)
        json.key("reordered"); json.number(s.reordered)
        if let stalls = s.sendStalls {
            json.key("send_stalls")
            json.openObject()
            json.key("codec"); json.number(stalls.codec)
            json.key("other"); json.number(stalls.other)
            json.key("pending"); json.number(stalls.pending)
            json.closeObject()
        }
        json.key("seq_resets"); json.number(s.seqResets)
        json.key("src"); json.string(s.src)
        json.key("ssrc"); json.number(s.ssrc)
        json.key("ssrc_hex"); json.string(SSRCText.hex(s.ssrc))
        json.key("start_time"); json.number(s.startTime)
        json.key("timestamp_jumps"); json.number(s.timestampJumps)
        json.key("transport"); json.string(s.transport)
        json.closeObject()
    }

    /// `RTCPReporterReport`'s synthesized encoding (optionals left out when nil) in sorted key order.
    /// `StreamQuality.encode(to:)`'s members in sorted key order: every voice stream has one, so at
    /// 20,000 streams the encoder's per-stream tree was a third of the report's time. An RTCP XR
    /// block (rare) is still encoded.
    static func write(_ q: StreamQuality, into json: inout JSONText, encoder: JSONEncoder) throws {
        json.openObject()
        json.key("burst_density"); json.number(q.burstDensity)
        json.key("burst_duration_ms"); json.number(q.burstDurationMs)
        json.key("bursts"); json.number(q.bursts)
        json.key("codec"); json.string(q.codec)
        json.key("delay_variation")
        json.openArray()
        for bucket in q.delayVariation {
            json.element()
            json.openObject()
            json.key("packets"); json.number(bucket.packets)
            json.key("share"); json.number(bucket.share)
            json.key("threshold_ms"); json.number(bucket.thresholdMs)
            json.closeObject()
        }
        json.closeArray()
        if let framesDamaged = q.framesDamaged { json.key("frames_damaged"); json.number(framesDamaged) }
        if let freezes = q.freezes { json.key("freezes"); json.number(freezes) }
        json.key("gap_density"); json.number(q.gapDensity)
        json.key("gap_duration_ms"); json.number(q.gapDurationMs)
        json.key("jitter_buffers")
        json.openArray()
        for model in q.jitterBuffers {
            json.element()
            json.openObject()
            json.key("burst_ratio"); json.number(model.burstRatio)
            json.key("delay_ms"); json.number(model.delayMs)
            json.key("discarded"); json.number(model.discarded)
            json.key("effective_loss"); json.number(model.effectiveLoss)
            json.key("kind"); json.string(model.kind.rawValue)
            json.key("mean_delay_ms"); json.number(model.meanDelayMs)
            json.key("mos"); json.number(model.mos)
            json.key("name"); json.string(model.name)
            json.key("r_factor"); json.number(model.rFactor)
            json.closeObject()
        }
        json.closeArray()
        json.key("loss_runs")
        json.openArray()
        for count in q.lossRuns {
            json.element()
            json.number(count)
        }
        json.closeArray()
        json.key("max_loss_run"); json.number(q.maxLossRun)
        json.key("mos"); json.number(q.mos)
        json.key("mos_mean"); json.number(q.mosMean)
        json.key("mos_min"); json.number(q.mosMin)
        json.key("primary_jitter_buffer"); json.number(q.primaryJitterBuffer)
        json.key("r_factor"); json.number(q.rFactor)
        json.key("rtcp_xr")
        if let reported = q.rtcpXR { try json.encoded(reported, with: encoder) } else { json.null() }
        json.key("rtt_ms"); json.number(q.roundTripMs)
        json.key("scale"); json.string(q.scale)
        json.closeObject()
    }

    static func write(_ r: RTCPReporterReport, into json: inout JSONText) {
        json.openObject()
        if let cname = r.cname { json.key("cname"); json.string(cname) }
        if let comm = r.comm { json.key("comm"); json.string(comm) }
        if let direction = r.direction { json.key("direction"); json.string(direction.rawValue) }
        json.key("dst"); json.string(r.dst)
        if let file = r.file { json.key("file"); json.string(file) }
        json.key("packets_by_type")
        json.openObject()
        for name in r.packetsByType.keys.sorted(by: utf8Precedes) {
            json.key(text: name)
            json.number(r.packetsByType[name]!)
        }
        json.closeObject()
        if let pid = r.pid { json.key("pid"); json.number(pid) }
        json.key("receiver_reports"); json.number(r.receiverReports)
        json.key("report_blocks")
        json.openArray()
        for block in r.reportBlocks {
            json.element()
            json.openObject()
            json.key("cumulative_lost"); json.number(block.cumulativeLost)
            json.key("dlsr"); json.number(block.delaySinceLastSR)
            json.key("fraction_lost"); json.number(block.fractionLost)
            json.key("highest_sequence"); json.number(block.highestSequence)
            json.key("jitter_ms"); json.number(block.jitterMs)
            json.key("jitter_timestamp_units"); json.number(block.jitterTimestampUnits)
            json.key("lsr"); json.number(block.lastSR)
            json.key("rtt_ms"); json.number(block.roundTripMs)
            json.key("source_ssrc"); json.number(block.sourceSSRC)
            json.closeObject()
        }
        json.closeArray()
        json.key("reporter_ssrc"); json.number(r.reporterSSRC)
        json.key("sender_reports"); json.number(r.senderReports)
        json.key("src"); json.string(r.src)
        json.closeObject()
    }

    /// Foundation's key order: UTF-8 bytes, lexicographically.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

/// Where `Double.write(to:)` puts `description`'s characters: the sink itself.
private struct DigitStream: TextOutputStream {
    let out: ByteSink
    /// Where this number's text starts in the sink.
    let start: Int

    mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
    }

    // The standard library's hook for ASCII text (what floating-point types write through).
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        out.append(UnsafeRawBufferPointer(buffer))
    }

    /// Foundation's form has no ".0" after a whole number.
    func dropWholeSuffix() {
        guard out.count - start >= 2 else { return }
        out.dropSuffix(UInt8(ascii: "."), UInt8(ascii: "0"))
    }
}
