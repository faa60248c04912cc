import Foundation
import RTPCore

/// `--format json` produced a piece at a time, on demand: `analyze` writes the pieces to standard
/// output as they come, the exporter's `/streams` hands them to the connection as it drains. At
/// 100,000 streams the text is ~400 MB, which neither needs to hold at once.
///
/// The report's members in sorted key order — `calls`, `rtcp`, `sip`, `streams`, `summary` (absent
/// optionals left out) — with `extraMembers` (integers: `/streams`'s paging keys) placed among them
/// where their keys sort, as `JSONEncoder` with `.sortedKeys` would place them in one object.
public final class JSONReportPieces {
    private enum Value {
        /// One value, written whole.
        case single((inout JSONText) throws -> Void)
        /// An array written one element per step.
        case array(count: Int, element: (inout JSONText, Int) throws -> Void)
    }

    private struct Member {
        let key: StaticString
        let value: Value
    }

    private let members: [Member]
    private let pieceBytes: Int
    private var json: JSONText
    private var member = 0
    private var element = 0
    private var opened = false
    private var arrayOpen = false
    private var finished = false

    /// `pieceBytes`: about how much text each piece holds (a piece ends after the element that
    /// passes it).
    public init(_ report: AnalysisReport, extraMembers: [(key: StaticString, value: Int)] = [],
                pieceBytes: Int = 1 << 20) {
        let encoder = JSONReport.makeEncoder()
        var members: [Member] = []
        if let calls = report.calls {
            members.append(Member(key: "calls", value: .single { try $0.encoded(calls, with: encoder) }))
        }
        let reporters = report.rtcp
        members.append(Member(key: "rtcp", value: .array(count: reporters.count) { json, index in
            JSONReport.write(reporters[index], into: &json)
        }))
        if let sip = report.sip {
            members.append(Member(key: "sip", value: .single { try $0.encoded(sip, with: encoder) }))
        }
        let streams = report.streams
        members.append(Member(key: "streams", value: .array(count: streams.count) { json, index in
            try JSONReport.write(streams[index], into: &json, encoder: encoder)
        }))
        let summary = report.summary
        members.append(Member(key: "summary", value: .single { try $0.encoded(summary, with: encoder) }))
        for extra in extraMembers {
            let value = extra.value
            members.append(Member(key: extra.key, value: .single { $0.number(value) }))
        }
        self.members = members.sorted { Self.precedes($0.key, $1.key) }
        self.pieceBytes = max(1, pieceBytes)
        json = JSONText(capacity: min(self.pieceBytes, 4 << 20) + 64 << 10)
    }

    /// The next piece of the text (never empty), nil once it is complete. Throws only if
    /// `JSONEncoder` fails on one of the members it writes (plain structs: it does not).
    public func next() throws -> [UInt8]? {
        try fill()
        let piece = json.take()
        return piece.isEmpty ? nil : piece
    }

    /// `next()` lent rather than copied out: the piece is valid only during `body`, its memory is
    /// written again for the one after. false once the text is complete.
    public func nextLent(_ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool {
        try fill()
        guard json.count > 0 else { return false }
        json.lend(body)
        return true
    }

    private func fill() throws {
        while !finished && json.count < pieceBytes {
            try step()
        }
    }

    /// Every piece, concatenated.
    public func whole() throws -> [UInt8] {
        var text: [UInt8] = []
        while let piece = try next() { text += piece }
        return text
    }

    private func step() throws {
        guard opened else {
            json.openObject()
            opened = true
            return
        }
        guard member < members.count else {
            json.closeObject()
            json.raw("\n")
            finished = true
            return
        }
        let current = members[member]
        switch current.value {
        case .single(let write):
            json.key(current.key)
            try write(&json)
            member += 1
        case .array(let count, let write):
            if !arrayOpen {
                json.key(current.key)
                json.openArray()
                arrayOpen = true
            } else if element < count {
                json.element()
                try write(&json, element)
                element += 1
            } else {
                json.closeArray()
                arrayOpen = false
                element = 0
                member += 1
            }
        }
    }

    /// Keys compared by their UTF-8 bytes, as `JSONEncoder` sorts them.
    private static func precedes(_ a: StaticString, _ b: StaticString) -> Bool {
        a.withUTF8Buffer { x in b.withUTF8Buffer { y in x.lexicographicallyPrecedes(y) } }
    }
}
