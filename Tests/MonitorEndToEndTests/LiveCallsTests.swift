import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension MonitorEndToEnd {
    /// SIP seen live on the traced sockets groups the live RTP streams into calls (`/calls`). The
    /// truth is what the test itself sent: its SIP messages (Call-IDs, parties, codes), and the
    /// packet counts `rtptraffic` reports for each RTP leg.
    @Suite("Live calls: SIP on traced sockets groups live streams")
    struct LiveCalls {
        @Test func aCallAndAOneWayCallFromLiveSIP() throws {
            let rtpComm = uniqueComm("sip-rtp")
            let ownComm = try String(contentsOfFile: "/proc/self/comm", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let callerSIP = try freePort(udp: true), calleeSIP = try freePort(udp: true)
            // Any SIP port but 5060, so the test cannot meet another SIP user of this host.
            try withMonitor(comms: [rtpComm, ownComm], arguments: ["--sip-port", "\(calleeSIP)"]) { session in
                let caller = try SIPPhone(port: callerSIP), callee = try SIPPhone(port: calleeSIP)
                let twoWay = SIPDialog(callID: "live-two-way-\(UUID().uuidString)@127.0.0.1",
                                       callerPort: callerSIP, calleePort: calleeSIP,
                                       callerMedia: try freePort(udp: true), calleeMedia: try freePort(udp: true))
                let oneWay = SIPDialog(callID: "live-one-way-\(UUID().uuidString)@127.0.0.1",
                                       callerPort: callerSIP, calleePort: calleeSIP,
                                       callerMedia: try freePort(udp: true), calleeMedia: try freePort(udp: true))
                for dialog in [twoWay, oneWay] {
                    try caller.send(dialog.invite(), to: calleeSIP)
                    try callee.send(dialog.response(180, "Ringing", to: "INVITE", sequence: 1, sdp: false), to: callerSIP)
                    try callee.send(dialog.response(200, "OK", to: "INVITE", sequence: 1, sdp: true), to: callerSIP)
                    try caller.send(dialog.ack(), to: calleeSIP)
                }
                func leg(_ from: UInt16, _ to: UInt16, ssrc: String) throws -> ChildProcess {
                    try session.traffic.start("send", [
                        "--from", "127.0.0.1:\(from)", "--to", "127.0.0.1:\(to)", "--syscall", "sendto",
                        "--count", "100", "--ptime-ms", "10", "--ssrc", ssrc, "--comm", rtpComm])
                }
                // Sent from ports of their own to the announced ones, where nothing listens: each leg is
                // seen once, as it leaves (a leg seen at both ends is CallTrackerTests' case).
                let legs = [
                    try leg(try freePort(udp: true), twoWay.calleeMedia, ssrc: "0x5a000001"),
                    try leg(try freePort(udp: true), twoWay.callerMedia, ssrc: "0x5a000002"),
                    try leg(try freePort(udp: true), oneWay.calleeMedia, ssrc: "0x5a000003"),
                ]
                let sent = try legs.map { try TrafficTool.report(SendReport.self, from: $0) }
                for dialog in [twoWay, oneWay] {
                    try caller.send(dialog.bye(), to: calleeSIP)
                    try callee.send(dialog.response(200, "OK", to: "BYE", sequence: 2, sdp: false), to: callerSIP)
                }

                let calls = try session.monitor.settledCalls([twoWay.callID, oneWay.callID]) { calls in
                    calls.count == 2 && calls.allSatisfy { $0["state"] as? String == "completed" }
                        && calls.reduce(0) { $0 + (jsonInt($1["packets"]) ?? 0) } == sent.reduce(0) { $0 + $1.packets }
                }
                let byID = Dictionary(uniqueKeysWithValues: calls.compactMap { call in
                    (call["call_id"] as? String).map { ($0, call) }
                })
                let both = try #require(byID[twoWay.callID], "the two-way call in /calls: \(calls)")
                let one = try #require(byID[oneWay.callID], "the one-way call in /calls: \(calls)")
                for call in [both, one] {
                    #expect(call["from"] as? String == "alice@127.0.0.1", "\(call)")
                    #expect(call["to"] as? String == "bob@127.0.0.1", "\(call)")
                    #expect(jsonInt(call["final_code"]) == 200, "\(call)")
                    #expect(call["ended_by"] as? String == "caller", "\(call)")
                    #expect(jsonInt(call["sip_messages"]) == 6, "INVITE, 180, 200, ACK, BYE, 200: \(call)")
                }
                let twoWayStreams = (both["streams"] as? [[String: Any]]) ?? []
                #expect(Set(twoWayStreams.compactMap { jsonInt($0["ssrc"]) }) == [0x5a00_0001, 0x5a00_0002], "\(twoWayStreams)")
                #expect(jsonInt(both["packets"]) == sent[0].packets + sent[1].packets, "\(both)")
                #expect(both["one_way_audio"] as? Bool == false, "\(both)")
                let oneWayStreams = (one["streams"] as? [[String: Any]]) ?? []
                #expect(oneWayStreams.compactMap { jsonInt($0["ssrc"]) } == [0x5a00_0003], "\(oneWayStreams)")
                #expect(jsonInt(one["packets"]) == sent[2].packets, "\(one)")
                #expect(one["one_way_audio"] as? Bool == true, "answered, media both ways in SDP, RTP one way: \(one)")
                print("live calls: \(calls.count) calls; two-way \(jsonInt(both["packets"]) ?? -1) packets over "
                      + "\(twoWayStreams.count) streams, one-way \(jsonInt(one["packets"]) ?? -1) over \(oneWayStreams.count)")
            }
        }
    }
}

/// One SIP dialog's messages between two phones on 127.0.0.1 (RFC 3261 §24.2's shape).
struct SIPDialog {
    let callID: String
    let callerPort: UInt16
    let calleePort: UInt16
    let callerMedia: UInt16
    let calleeMedia: UInt16

    private var from: String { "\"Alice\" <sip:alice@127.0.0.1>;tag=alice-1" }
    private var to: String { "<sip:bob@127.0.0.1>" }
    private var toTagged: String { to + ";tag=bob-1" }

    private func sdp(port: UInt16) -> String {
        ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
         "m=audio \(port) RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=sendrecv", ""].joined(separator: "\r\n")
    }

    private func message(_ startLine: String, _ headers: [String], body: String = "") -> String {
        var lines = [startLine] + headers
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    private func request(_ method: String, sequence: Int, branch: String, toHeader: String, body: String = "") -> String {
        message("\(method) sip:bob@127.0.0.1:\(calleePort) SIP/2.0", [
            "Via: SIP/2.0/UDP 127.0.0.1:\(callerPort);branch=z9hG4bK-\(branch)",
            "Max-Forwards: 70", "From: \(from)", "To: \(toHeader)", "Call-ID: \(callID)",
            "CSeq: \(sequence) \(method)", "Contact: <sip:alice@127.0.0.1:\(callerPort)>",
        ], body: body)
    }

    func invite() -> String { request("INVITE", sequence: 1, branch: "inv", toHeader: to, body: sdp(port: callerMedia)) }
    func ack() -> String { request("ACK", sequence: 1, branch: "ack", toHeader: toTagged) }
    func bye() -> String { request("BYE", sequence: 2, branch: "bye", toHeader: toTagged) }

    func response(_ code: Int, _ reason: String, to method: String, sequence: Int, sdp withSDP: Bool) -> String {
        let branch = method == "INVITE" ? "inv" : "bye"
        return message("SIP/2.0 \(code) \(reason)", [
            "Via: SIP/2.0/UDP 127.0.0.1:\(callerPort);branch=z9hG4bK-\(branch)",
            "From: \(from)", "To: \(code == 100 ? to : toTagged)", "Call-ID: \(callID)", "CSeq: \(sequence) \(method)",
            "Contact: <sip:bob@127.0.0.1:\(calleePort)>",
        ], body: withSDP ? sdp(port: calleeMedia) : "")
    }
}

/// A UDP socket bound to 127.0.0.1:port that sends SIP text (nobody needs to read it: the monitor
/// sees each datagram as it leaves the socket layer).
final class SIPPhone {
    private let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket: \(String(cString: strerror(errno)))") }
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw E2EError("bind 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    func send(_ text: String, to port: UInt16) throws {
        var address = Self.loopback(port)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { throw E2EError("sendto 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        usleep(20_000)  // messages 20 ms apart, as a dialog's would be
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

extension RunningMonitor {
    /// `/calls` until `done` holds for the calls with these Call-IDs (bounded by the settle time).
    func settledCalls(_ callIDs: [String], done: ([[String: Any]]) -> Bool) throws -> [[String: Any]] {
        let wanted = Set(callIDs)
        let deadline = Date().addingTimeInterval(MonitorTiming.settle)
        var calls: [[String: Any]] = []
        repeat {
            let body = try get("/calls").body
            guard let document = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                  let all = document["calls"] as? [[String: Any]] else {
                throw E2EError("/calls is not a JSON object with calls: \(body.prefix(300))")
            }
            calls = all.filter { ($0["call_id"] as? String).map(wanted.contains) ?? false }
            if done(calls) { break }
            Thread.sleep(forTimeInterval: MonitorTiming.poll)
        } while Date() < deadline
        return calls
    }
}
