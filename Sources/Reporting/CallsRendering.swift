import Foundation
import RTPCore

/// `analyze --calls`: one row per SIP call (table or CSV). JSON needs nothing of its own: the
/// report's `calls` array is the same data with every stream key.
public enum CallsReport {
    public static func render(_ report: AnalysisReport, format: ReportFormat) -> String {
        switch format {
        case .table: return table(report)
        case .csv: return csv(report)
        case .json:
            var withCalls = report
            if withCalls.calls == nil { withCalls.calls = [] }
            return JSONReport.render(withCalls)
        }
    }

    struct Column: Sendable {
        let header: String
        /// Left-aligned in the table (text); numbers are right-aligned.
        let text: Bool
        let value: @Sendable (CallReport, _ timeBase: Double) -> String
    }

    static let columns: [Column] = [
        Column(header: "Call-ID", text: true) { call, _ in call.callID },
        Column(header: "From", text: true) { call, _ in call.from },
        Column(header: "To", text: true) { call, _ in call.to },
        Column(header: "Start", text: false) { call, base in NumberText.fixed(call.startTime - base, decimals: 3) },
        Column(header: "Setup(ms)", text: false) { call, _ in call.setupMs.map { NumberText.fixed($0, decimals: 0) } ?? "" },
        Column(header: "Duration(s)", text: false) { call, _ in call.durationS.map { NumberText.fixed($0, decimals: 1) } ?? "" },
        Column(header: "State", text: true) { call, _ in call.state.rawValue },
        Column(header: "Code", text: false) { call, _ in call.finalCode.map(String.init) ?? "" },
        Column(header: "Streams", text: false) { call, _ in String(call.streams.count) },
        Column(header: "Pkts", text: false) { call, _ in String(call.packets) },
        Column(header: "Lost", text: false) { call, _ in
            call.lossRatio.map { "\(call.lost) (\(NumberText.fixed($0 * 100, decimals: 1))%)" } ?? ""
        },
        Column(header: "Media", text: true) { call, _ in mediaNote(call) },
    ]

    /// What is wrong (or special) with the call's media, in words.
    static func mediaNote(_ call: CallReport) -> String {
        var notes: [String] = []
        if call.noRTP { notes.append("no RTP") }
        if call.oneWayAudio { notes.append("one-way") }
        if call.t38 { notes.append("T.38") }
        if call.joinedEstablished { notes.append("joined") }
        return notes.joined(separator: ", ")
    }

    static func table(_ report: AnalysisReport) -> String {
        let calls = report.calls ?? []
        let timeBase = report.summary.firstPacketTime ?? calls.map(\.startTime).min() ?? 0
        var text = "SIP calls (\(calls.count))\n"
        let tableColumns = columns.map { column in
            TableColumn<CallReport>(column.header, column.text ? .left : .right, rank: TableColumn<CallReport>.kept) {
                column.value($0, timeBase)
            }
        }
        text += TextTable(columns: tableColumns, rows: calls).render(width: nil).text
        if let sip = report.sip {
            text += "\n" + sipLine(sip) + "\n"
        }
        let malformed = report.summary.malformed.filter { $0.key.hasPrefix("sip_") }
        if !malformed.isEmpty {
            text += "Bad SIP: " + malformed.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ") + "\n"
        }
        return text
    }

    /// `tshark -z sip,stat`'s counts in one line.
    static func sipLine(_ sip: SIPStatistics) -> String {
        let requests = sip.requests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let responses = sip.responses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var line = "SIP: \(sip.messages) messages (\(sip.retransmissions) retransmitted); requests: \(requests)"
        line += "; responses: \(responses)"
        if sip.callsEvicted > 0 { line += "; \(sip.callsEvicted) calls dropped at the call cap" }
        return line
    }

    static let csvColumns: [(String, @Sendable (CallReport) -> String)] = [
        ("call_id", { $0.callID }), ("from", { $0.from }), ("to", { $0.to }),
        ("caller", { $0.caller }), ("callee", { $0.callee }), ("transport", { $0.transport }),
        ("state", { $0.state.rawValue }), ("final_code", { $0.finalCode.map(String.init) ?? "" }),
        ("ended_by", { $0.endedBy ?? "" }),
        ("start_time", { NumberText.seconds($0.startTime) }),
        ("answer_time", { $0.answerTime.map(NumberText.seconds) ?? "" }),
        ("end_time", { $0.endTime.map(NumberText.seconds) ?? "" }),
        ("setup_ms", { NumberText.milliseconds($0.setupMs) }),
        ("answer_ms", { NumberText.milliseconds($0.answerMs) }),
        ("duration_s", { NumberText.milliseconds($0.durationS) }),
        ("sip_messages", { String($0.sipMessages) }), ("retransmissions", { String($0.retransmissions) }),
        ("reinvites", { String($0.reinvites) }), ("streams", { String($0.streams.count) }),
        ("packets", { String($0.packets) }), ("lost", { String($0.lost) }), ("expected", { String($0.expected) }),
        ("loss_ratio", { $0.lossRatio.map { NumberText.fixed($0, decimals: 6) } ?? "" }),
        ("one_way_audio", { String($0.oneWayAudio) }), ("no_rtp", { String($0.noRTP) }), ("t38", { String($0.t38) }),
        ("stream_keys", { $0.streams.map { "\($0.src)>\($0.dst)#\($0.ssrc)" }.joined(separator: " ") }),
    ]

    static func csv(_ report: AnalysisReport) -> String {
        var lines = [csvColumns.map(\.0).joined(separator: ",")]
        for call in report.calls ?? [] {
            lines.append(csvColumns.map { CSVReport.quote($0.1(call)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
