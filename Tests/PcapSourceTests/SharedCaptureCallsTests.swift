import Foundation
import Testing
import RTPCore
import PcapSource

/// Calls in the shared captures against tshark's own dissection of the same files (tshark 4.0 has
/// no `-z voip,calls` on the command line, so the truth is built from what it computes per frame):
/// - `-z sip,stat`: message counts by request method and by status code;
/// - per SIP frame (Call-ID, method, status, CSeq, time): each INVITE dialog's start, setup time
///   (first INVITE → first 18x/2xx), answer, end and final response code, From and To;
/// - per RTP packet, `rtp.setup-frame`: the SDP that set the stream up, hence its Call-ID.
/// tshark must be installed (CI has it): without it these tests fail rather than pass unchecked.
@Suite("Shared captures: SIP calls agree with tshark's dissection")
struct SharedCaptureCallsTests {
    static let directory = SharedCaptureCorpus.locate()

    @Test(.enabled(if: directory != nil, "shared captures not found: set RTPSCOPE_SHARED_CAPTURES"),
          arguments: SharedCaptureCorpus.cases(in: directory))
    func callsMatchTshark(_ capture: SharedCaptureCorpus.Case) throws {
        let frames = try TsharkSIP.frames(in: capture.capture)
        let report = capture.report(mode: .strict)
        guard !frames.isEmpty else {
            #expect(report.calls == nil, "\(capture.name): calls without SIP")
            #expect(report.sip == nil)
            return
        }
        let sip = try #require(report.sip, "\(capture.name): SIP not seen")
        let stat = try TsharkSIP.statistics(of: capture.capture)
        #expect(sip.messages == stat.messages, "\(capture.name): messages")
        #expect(sip.requests == stat.requests, "\(capture.name): requests by method")
        #expect(sip.responses == stat.responses, "\(capture.name): responses by code")

        let expectedCalls = TsharkSIP.calls(from: frames)
        let calls = try #require(report.calls)
        #expect(calls.map(\.callID) == expectedCalls.map(\.callID), "\(capture.name): calls")
        for expected in expectedCalls {
            guard let call = calls.first(where: { $0.callID == expected.callID }) else { continue }
            let label = "\(capture.name) call \(expected.callID)"
            #expect(call.from == expected.from, "\(label): from")
            #expect(call.to == expected.to, "\(label): to")
            #expect(abs(call.startTime - expected.start) < 1e-6, "\(label): start \(call.startTime) vs \(expected.start)")
            #expect(Self.close(call.setupMs, expected.setupMs), "\(label): setup \(String(describing: call.setupMs)) ms, tshark frames say \(String(describing: expected.setupMs))")
            #expect(Self.close(call.answerMs, expected.answerMs), "\(label): answer \(String(describing: call.answerMs))")
            #expect(call.finalCode == expected.finalCode, "\(label): final code \(String(describing: call.finalCode)) vs \(String(describing: expected.finalCode))")
            if let end = expected.end {
                #expect(call.endTime.map { abs($0 - end) < 1e-6 } == true, "\(label): end \(String(describing: call.endTime)) vs \(end)")
            }
        }

        // Streams: the Call-ID of the SDP tshark says set each one up.
        let setups = try TsharkSIP.streamSetups(in: capture.capture)
        for (key, setupFrame) in setups {
            let expectedCallID = frames.first { $0.number == setupFrame }?.callID
            let owner = calls.first { $0.streams.contains { "\($0.src)>\($0.dst)#\($0.ssrc)" == key } }
            #expect(owner?.callID == expectedCallID, "\(capture.name): stream \(key) in \(owner?.callID ?? "no call"), tshark: SDP of frame \(setupFrame) (\(expectedCallID ?? "?"))")
        }
        let placed = calls.reduce(0) { $0 + $1.streams.count }
        #expect(placed == setups.count, "\(capture.name): \(placed) streams placed in calls, tshark set up \(setups.count)")
        print("calls: \(capture.name): \(calls.count) calls (tshark \(expectedCalls.count)), \(placed) streams placed (tshark \(setups.count)), \(sip.messages) SIP messages")
    }

    private static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (a?, b?): return abs(a - b) < 0.001
        default: return false
        }
    }
}

/// tshark's view of the SIP in a capture.
enum TsharkSIP {
    struct Frame {
        var number: Int
        var time: Double
        var callID: String
        var method: String?
        var status: Int?
        var cseqMethod: String
        var from: String
        var to: String
    }

    struct Call {
        var callID: String
        var from: String
        var to: String
        var start: Double
        var setupMs: Double?
        var answerMs: Double?
        var end: Double?
        var finalCode: Int?
    }

    struct Statistics {
        var messages: UInt64 = 0
        var requests: [String: UInt64] = [:]
        var responses: [String: UInt64] = [:]
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tshark"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TsharkError(message: "tshark \(arguments.joined(separator: " ")) exited \(process.terminationStatus) (is tshark installed? make deps)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct TsharkError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// One entry per SIP message (a TCP segment can carry several: tshark lists each field's values
    /// in message order, requests' methods and responses' codes in separate lists).
    static func frames(in path: String) throws -> [Frame] {
        let text = try run(["-r", path, "-Y", "sip", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                            "-E", "aggregator=|", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "sip.Call-ID",
                            "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.CSeq.method", "-e", "sip.from.user",
                            "-e", "sip.from.host", "-e", "sip.to.user", "-e", "sip.to.host"])
        var frames: [Frame] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
            guard f.count >= 10, let number = Int(f[0][0]), let time = Double(f[1][0]) else { continue }
            let methods = f[3].filter { !$0.isEmpty }, codes = f[4].compactMap { Int($0) }
            let count = f[2].count
            // Mixed requests and responses in one segment cannot be told apart from these lists.
            guard methods.isEmpty || codes.isEmpty, methods.count + codes.count == count else { continue }
            let value = { (list: [String], index: Int) in index < list.count ? list[index] : list.last ?? "" }
            let address = { (user: String, host: String) in user.isEmpty ? host : "\(user)@\(host)" }
            for index in 0..<count {
                frames.append(Frame(number: number, time: time, callID: f[2][index],
                                    method: methods.isEmpty ? nil : methods[index],
                                    status: codes.isEmpty ? nil : codes[index], cseqMethod: value(f[5], index),
                                    from: address(value(f[6], index), value(f[7], index)),
                                    to: address(value(f[8], index), value(f[9], index))))
            }
        }
        return frames
    }

    /// Each Call-ID with an INVITE, from the frames alone: first INVITE, first 18x/2xx to an INVITE,
    /// first 2xx, the BYE (else the last final failure), the last final response to an INVITE
    /// received before the answer (after a 401/407 the authenticated INVITE's response decides).
    static func calls(from frames: [Frame]) -> [Call] {
        var order: [String] = []
        var calls: [String: Call] = [:]
        for frame in frames {
            if calls[frame.callID] == nil {
                guard frame.method == "INVITE" else { continue }
                order.append(frame.callID)
                calls[frame.callID] = Call(callID: frame.callID, from: frame.from, to: frame.to, start: frame.time)
            }
            guard var call = calls[frame.callID] else { continue }
            let sinceStart = (frame.time - call.start) * 1000
            if frame.method == "BYE", call.answerMs != nil, call.end == nil { call.end = frame.time }
            if let status = frame.status, frame.cseqMethod == "INVITE", call.answerMs == nil {
                if (101...299).contains(status), call.setupMs == nil { call.setupMs = sinceStart }
                if (200...299).contains(status) { call.answerMs = sinceStart; call.finalCode = status; call.end = nil }
                if status >= 300 { call.finalCode = status; call.end = frame.time }
            }
            calls[frame.callID] = call
        }
        return order.compactMap { calls[$0] }
    }

    /// `-z sip,stat`: total messages, requests by method, responses by status code.
    static func statistics(of path: String) throws -> Statistics {
        let text = try run(["-r", path, "-q", "-z", "sip,stat"])
        var statistics = Statistics()
        var section = ""
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("Number of SIP messages:") {
                statistics.messages = UInt64(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
            } else if line.hasPrefix("* SIP Status Codes") {
                section = "responses"
            } else if line.hasPrefix("* List of SIP Request methods") {
                section = "requests"
            } else if line.hasPrefix("*") {
                section = ""
            } else if line.hasSuffix("Packets"), let colon = line.lastIndex(of: ":") {
                let count = UInt64(line[line.index(after: colon)...].split(separator: " ")[0]) ?? 0
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                if section == "responses" {
                    statistics.responses[String(name.split(separator: " ")[1]), default: 0] += count
                } else if section == "requests" {
                    statistics.requests[name, default: 0] += count
                }
            }
        }
        return statistics
    }

    /// Every RTP stream (`src>dst#ssrc`, as rtpscope keys them) that tshark says an SDP set up, with that
    /// SDP's frame number.
    static func streamSetups(in path: String) throws -> [String: Int] {
        let text = try run(["-r", path, "-o", "rtp.heuristic_rtp:TRUE", "-Y", "rtp.setup-frame", "-T", "fields",
                            "-E", "separator=/t", "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport", "-e", "ip.dst",
                            "-e", "ipv6.dst", "-e", "udp.dstport", "-e", "rtp.ssrc", "-e", "rtp.setup-frame"])
        var setups: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 8, let ssrc = UInt32(f[6].dropFirst(2), radix: 16), let frame = Int(f[7]) else { continue }
            let endpoint = { (v4: String, v6: String, port: String) in v4.isEmpty ? "[\(v6)]:\(port)" : "\(v4):\(port)" }
            setups["\(endpoint(f[0], f[1], f[2]))>\(endpoint(f[3], f[4], f[5]))#\(ssrc)"] = frame
        }
        return setups
    }
}
