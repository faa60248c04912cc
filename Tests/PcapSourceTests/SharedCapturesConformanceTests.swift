import Foundation
import TestSupport
import Testing
import RTPCore
import PcapSource

/// `--compat wireshark` against tshark 4.0's `-z rtp,streams` output for every shared capture:
/// every stream found, none extra, packets and lost exact, deltas and jitter within 0.002 ms or 0.2 %.
///
/// The corpus lives outside the repository (`../shared/captures` next to the package root, or
/// `RTPSCOPE_SHARED_CAPTURES`). Without it the tests are skipped with a message, unless
/// `RTPSCOPE_REQUIRE_SHARED=1`, in which case its absence is a failure (CI sets that).
@Suite("Shared captures agree with tshark -z rtp,streams")
struct SharedCapturesConformanceTests {
    static let directory = SharedCaptureCorpus.locate()
    static let required = ProcessInfo.processInfo.environment["RTPSCOPE_REQUIRE_SHARED"] == "1"

    @Test(.enabled(if: directory == nil, "the shared capture corpus is present"))
    func corpusIsPresentWhenRequired() {
        if Self.required {
            Issue.record("RTPSCOPE_REQUIRE_SHARED=1 but no shared captures at \(SharedCaptureCorpus.searchedPath) (set RTPSCOPE_SHARED_CAPTURES)")
        } else {
            print("SKIP: shared captures not found at \(SharedCaptureCorpus.searchedPath); conformance not checked")
        }
    }

    @Test(.enabled(if: directory != nil, "shared captures not found: set RTPSCOPE_SHARED_CAPTURES"),
          arguments: SharedCaptureCorpus.cases(in: directory))
    func streamsMatchTshark(_ capture: SharedCaptureCorpus.Case) throws {
        let expected = try TsharkStreamTable.parse(contentsOf: capture.tsharkOutput)
        let ours = Self.analyze(capture, mode: .wireshark)
        var matched = Set<Int>()
        for row in expected {
            let label = "\(capture.name) stream \(row.source)→\(row.destination) SSRC \(row.ssrcText)"
            guard let index = ours.firstIndex(where: { row.matches($0) }) else {
                Issue.record("\(label): missing (tshark: \(row.packets) packets)")
                continue
            }
            matched.insert(index)
            row.compare(with: ours[index], label: label)
        }
        for (index, stream) in ours.enumerated() where !matched.contains(index) {
            Issue.record("\(capture.name): extra stream \(stream.src)→\(stream.dst) SSRC \(stream.ssrc) (\(stream.packets) packets) not in tshark's table")
        }
        // One line per capture for the CI log (mismatched values are recorded as issues above).
        print("conformance: \(capture.name): tshark \(expected.count) streams, rtpscope found \(matched.count), extra \(ours.count - matched.count)")
    }

    /// Encoding names from SDP: where tshark named a dynamic payload type from SDP it saw in the capture
    /// (`G726-32`, `AAL2-G726-40`, `telephone-event`), strict mode names it the same; static types get
    /// RFC 3551's names. (tshark's own names for the rest — `RTPType-96`, `rtp.rfc2198` for any PT 99,
    /// `rtpevent` for any PT 101 — are preferences, not media: strict mode does not repeat them.)
    @Test(.enabled(if: directory != nil, "shared captures not found: set RTPSCOPE_SHARED_CAPTURES"),
          arguments: SharedCaptureCorpus.cases(in: directory))
    func strictModeNamesEncodingsAsSDPDoes(_ capture: SharedCaptureCorpus.Case) throws {
        let expected = try TsharkStreamTable.parse(contentsOf: capture.tsharkOutput)
        let ours = Self.analyze(capture, mode: .strict)
        var fromSDP = 0
        for row in expected {
            guard let stream = ours.first(where: { row.matches($0) }) else { continue }  // strictModeFindsTheSameStreams reports it
            let label = "\(capture.name) stream \(row.source)→\(row.destination) SSRC \(row.ssrcText) (strict)"
            let names = row.payload.components(separatedBy: ", ")
            try #require(names.count == stream.payloadTypes.count, "\(label): tshark \(row.payload), ours \(stream.payloadTypes)")
            for (pt, tsharkName) in zip(stream.payloadTypes, names) {
                if pt >= 96 && ![PayloadTypeNames.name(for: pt), "RTPType-\(pt)"].contains(tsharkName) {
                    fromSDP += 1
                    #expect(stream.encodingNames[pt] == tsharkName, "\(label): PT \(pt) \(stream.encodingNames[pt] ?? "unnamed"), tshark \(tsharkName)")
                } else if pt < 96 {
                    #expect(stream.encodingNames[pt] == StaticEncodingNames.name(for: pt), "\(label): PT \(pt)")
                } else {
                    #expect(stream.encodingNames[pt] == nil, "\(label): PT \(pt) named \(stream.encodingNames[pt] ?? "") without SDP")
                }
            }
        }
        if capture.name.contains("sip-rtp-g726") {
            // The capture the issue was filed on: 8 calls, each re-mapping PT 99 to another G.726 variant.
            #expect(fromSDP == 8)
            #expect(Set(ours.compactMap(\.encodingName)) == ["G726-16", "G726-24", "G726-32", "G726-40", "AAL2-G726-16",
                                                                "AAL2-G726-24", "AAL2-G726-32", "AAL2-G726-40"])
        }
    }

    /// Strict mode's own heuristic (RFC 3550 probation, not tshark's accept-anything rule) must find the
    /// same streams with the same packet counts: nothing missed, no background traffic promoted.
    @Test(.enabled(if: directory != nil, "shared captures not found: set RTPSCOPE_SHARED_CAPTURES"),
          arguments: SharedCaptureCorpus.cases(in: directory))
    func strictModeFindsTheSameStreams(_ capture: SharedCaptureCorpus.Case) throws {
        let expected = try TsharkStreamTable.parse(contentsOf: capture.tsharkOutput)
        let ours = Self.analyze(capture, mode: .strict)
        #expect(ours.count == expected.count, "\(capture.name): \(ours.count) streams in strict mode, tshark \(expected.count)")
        for row in expected {
            let label = "\(capture.name) stream \(row.source)→\(row.destination) SSRC \(row.ssrcText) (strict)"
            guard let stream = ours.first(where: { row.matches($0) }) else {
                Issue.record("\(label): missing")
                continue
            }
            #expect(stream.packets == row.packets, "\(label): packets \(stream.packets), tshark \(row.packets)")
        }
    }

    private static func analyze(_ capture: SharedCaptureCorpus.Case, mode: AnalyzerConfiguration.Mode) -> [StreamReport] {
        capture.report(mode: mode).streams
    }
}

/// The shared corpus: each capture, its tshark output and the decode-as options it was run with.
extension SharedCaptureCorpus.Case {
    /// The capture analysed with tshark's decode-as options (read failures are recorded as issues).
    func report(mode: AnalyzerConfiguration.Mode) -> AnalysisReport {
        var configuration = AnalyzerConfiguration()
        configuration.mode = mode
        configuration.forcedUDPPorts = decodeAs.udpPorts
        configuration.tcpPorts = decodeAs.tcpPorts
        let analyzer = StreamAnalyzer(configuration: configuration)
        do {
            try CaptureFile(path: capture).feed(into: analyzer)
        } catch {
            Issue.record("\(name): reading failed: \(error)")
        }
        return analyzer.report()
    }
}

enum SharedCaptureCorpus {
    struct DecodeAs: Sendable {
        var udpPorts: Set<UInt16> = []
        var tcpPorts: Set<UInt16> = []
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var capture: String
        var tsharkOutput: String
        var decodeAs: DecodeAs
        var testDescription: String { name }
    }

    /// The corpus location (`SharedCaptures`, shared by every test target).
    static var searchedPath: String { SharedCaptures.searchedPath }

    static func locate() -> String? { SharedCaptures.locate() }

    static func cases(in directory: String?) -> [Case] {
        guard let directory, let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let options = decodeAsOptions(in: directory)
        return files.filter { $0.hasSuffix(".tshark.txt") }.sorted().map { output in
            let capture = String(output.dropLast(".tshark.txt".count))
            return Case(name: capture, capture: directory + "/" + capture, tsharkOutput: directory + "/" + output,
                        decodeAs: options[capture] ?? DecodeAs())
        }
    }

    /// SOURCES.tsv: `file` and `tshark_options` columns; `-d udp.port==N,rtp` / `-d tcp.port==N,rtp`.
    static func decodeAsOptions(in directory: String) -> [String: DecodeAs] {
        guard let text = try? String(contentsOfFile: directory + "/SOURCES.tsv", encoding: .utf8) else { return [:] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init),
              let fileColumn = header.firstIndex(of: "file"),
              let optionsColumn = header.firstIndex(of: "tshark_options") else { return [:] }
        var result: [String: DecodeAs] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > max(fileColumn, optionsColumn) else { continue }
            var decodeAs = DecodeAs()
            let words = fields[optionsColumn].split(separator: " ")
            for (index, word) in words.enumerated() where word == "-d" && index + 1 < words.count {
                let spec = words[index + 1]   // udp.port==12344,rtp
                guard spec.hasSuffix(",rtp"), let equals = spec.range(of: "==") else { continue }
                let port = UInt16(spec[equals.upperBound...].prefix { $0.isNumber })
                if spec.hasPrefix("udp.port"), let port { decodeAs.udpPorts.insert(port) }
                if spec.hasPrefix("tcp.port"), let port { decodeAs.tcpPorts.insert(port) }
            }
            result[String(fields[fileColumn])] = decodeAs
        }
        return result
    }
}

/// One row of tshark's `-z rtp,streams` table.
struct TsharkStreamRow {
    var source: String
    var sourcePort: UInt16
    var destination: String
    var destinationPort: UInt16
    var ssrcText: String
    var ssrc: UInt32
    /// tshark's Payload cell, e.g. "g711A, telephone-event".
    var payload: String
    var packets: UInt64
    var lost: Int64
    var minDelta, meanDelta, maxDelta, minJitter, meanJitter, maxJitter: Double

    func matches(_ stream: StreamReport) -> Bool {
        guard stream.ssrc == ssrc, let src = Endpoint(stream.src), let dst = Endpoint(stream.dst) else { return false }
        return src.port == sourcePort && dst.port == destinationPort
            && src.address == IPAddress(source) && dst.address == IPAddress(destination)
    }

    func compare(with stream: StreamReport, label: String) {
        #expect(stream.packets == packets, "\(label): packets \(stream.packets), tshark \(packets)")
        #expect(stream.lost == lost, "\(label): lost \(stream.lost), tshark \(lost)")
        let ourPayload = PayloadTypeNames.tsharkCell(payloadTypes: stream.payloadTypes, encodingNames: stream.encodingNames.byPayloadType)
        #expect(ourPayload == payload, "\(label): payload \(ourPayload), tshark \(payload)")
        check("min delta", stream.minDeltaMs, minDelta, label, absentWhen: minDelta == -1)
        check("mean delta", stream.meanDeltaMs, meanDelta, label, absentWhen: minDelta == -1)
        check("max delta", stream.maxDeltaMs, maxDelta, label, absentWhen: minDelta == -1)
        // tshark prints −1 / 0 / 0 when it could not compute jitter; we report null.
        let noJitter = minJitter == -1
        check("min jitter", stream.minJitterMs, minJitter, label, absentWhen: noJitter)
        check("mean jitter", stream.meanJitterMs, meanJitter, label, absentWhen: noJitter)
        check("max jitter", stream.maxJitterMs, maxJitter, label, absentWhen: noJitter)
    }

    private func check(_ field: String, _ ours: Double?, _ theirs: Double, _ label: String, absentWhen absent: Bool) {
        if absent {
            #expect(ours == nil, "\(label): \(field) \(ours.map { "\($0)" } ?? "null"), tshark none")
            return
        }
        guard let ours else {
            Issue.record("\(label): \(field) null, tshark \(theirs)")
            return
        }
        // The table prints 3 decimals: allow that rounding plus the agreed tolerance.
        let tolerance = max(0.002, abs(theirs) * 0.002)
        #expect(abs(ours - theirs) <= tolerance, "\(label): \(field) \(ours) ms, tshark \(theirs) ms")
    }
}

enum TsharkStreamTable {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Title line, header line, rows, closing `=` line. The payload column may contain spaces
    /// ("g711A, telephone-event"), so rows are split 7 fields from the left and 9 (+ an optional
    /// problem `X`) from the right.
    static func parse(contentsOf path: String) throws -> [TsharkStreamRow] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0].contains("RTP Streams"), lines[1].contains("SSRC") else {
            throw ParseError(description: "\(path): not a tshark -z rtp,streams table")
        }
        var rows: [TsharkStreamRow] = []
        for line in lines.dropFirst(2) {
            if line.hasPrefix("=") { return rows }
            var fields = line.split(separator: " ")
            if fields.last == "X" { fields.removeLast() }
            guard fields.count >= 7 + 9 + 1 else { throw ParseError(description: "\(path): bad row: \(line)") }
            let right = Array(fields.suffix(9))
            func number(_ text: Substring) throws -> Double {
                guard let value = Double(text) else { throw ParseError(description: "\(path): bad number \(text)") }
                return value
            }
            guard let sourcePort = UInt16(fields[3]), let destinationPort = UInt16(fields[5]),
                  let ssrc = UInt32(fields[6].dropFirst(2), radix: 16),
                  let packets = UInt64(right[0]), let lost = Int64(right[1]) else {
                throw ParseError(description: "\(path): bad row: \(line)")
            }
            rows.append(TsharkStreamRow(
                source: String(fields[2]), sourcePort: sourcePort, destination: String(fields[4]),
                destinationPort: destinationPort, ssrcText: String(fields[6]), ssrc: ssrc,
                payload: fields[7..<fields.count - 9].joined(separator: " "), packets: packets, lost: lost,
                minDelta: try number(right[3]), meanDelta: try number(right[4]), maxDelta: try number(right[5]),
                minJitter: try number(right[6]), meanJitter: try number(right[7]), maxJitter: try number(right[8])))
        }
        throw ParseError(description: "\(path): no closing line")
    }
}
