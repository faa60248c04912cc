import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `rtpscope analyze` as a user runs it: the release binary on the project's fixtures and the shared
/// captures — several files, standard input, gzip, FIFOs, the table's width, exit codes, permission
/// messages, encoding names. No eBPF, no root (except to test what another user is refused).
@Suite(.serialized) struct AnalyzeCommandTests {
    static let fixtures = PackagePaths.root.appendingPathComponent("fixtures")
    static let loss = fixtures.appendingPathComponent("synthetic/loss_pcmu.pcap").path        // 2023-11-14
    static let recorded = fixtures.appendingPathComponent("recorded/gst_pcmu.pcap").path      // 2026-11-22

    /// The outcome of one run.
    struct Run {
        let status: Int32?
        let stdout: String
        let stderr: String

        var json: [String: Any] {
            get throws {
                try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "not JSON: \(stdout.prefix(200))")
            }
        }

        var streams: [[String: Any]] {
            get throws { try #require(try json["streams"] as? [[String: Any]]) }
        }
    }

    /// Runs the binary (bounded) with `environment` overrides ("NAME=value"; "-u NAME" unsets);
    /// `redirecting`: one of its standard streams sent to a file instead of the pipe.
    static func analyze(_ arguments: [String], environment: [String] = ["-u", "COLUMNS"], standardInput: URL? = nil,
                        user: Int? = nil, redirecting: (descriptor: Int32, path: String)? = nil,
                        seconds: Double = 60) async throws -> Run {
        var command = environment + [PackagePaths.rtpscope, "analyze"] + arguments
        if let user {
            command = ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", try PackagePaths.executable("env")] + command
        }
        var program = (executable: try PackagePaths.executable(user == nil ? "env" : "setpriv"), arguments: command)
        if let redirecting {
            program = try redirected(program.executable, program.arguments, descriptor: redirecting.descriptor,
                                     to: redirecting.path)
        }
        let child = try ChildProcess(name: "analyze", executable: program.executable,
                                     arguments: program.arguments, standardInput: standardInput)
        // Polled with Task.sleep rather than a blocking wait: the test process's cooperative threads
        // (two on this machine) are shared with every async test running beside this suite.
        let deadline = Date().addingTimeInterval(seconds)
        while child.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !child.isRunning else {
            child.stop()
            throw E2EError("\(child.commandLine) did not finish within \(seconds) s")
        }
        return Run(status: child.exitStatus, stdout: child.stdout, stderr: child.stderr)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rtpscope-analyze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func gzip(_ path: String, to output: String) throws {
        let child = try ChildProcess(name: "gzip", executable: try PackagePaths.executable("sh"),
                                     arguments: ["-c", "gzip -c \"$0\" > \"$1\"", path, output])
        try #require(child.waitForExit(seconds: 30) && child.exitStatus == 0, "gzip failed: \(child.stderr)")
    }

    /// The fields two runs over the same capture must agree on, per stream.
    static func identity(_ streams: [[String: Any]]) -> [String] {
        streams.map { stream in
            ["ssrc_hex", "src", "dst", "packets", "lost", "jitter_ms", "max_delta_ms"].map { "\(stream[$0] ?? "nil")" }.joined(separator: "|")
        }
    }

    // MARK: several files

    /// The second file was recorded three years before the first: its times count from its own start
    /// (the old single time base gave it a start of about −94 million seconds), each stream says which
    /// file it is from, and the same file given twice is two sets of streams, not one of duplicates.
    @Test func severalFilesEachWithItsOwnTimeBase() async throws {
        let run = try await Self.analyze(["--format", "json", Self.recorded, Self.loss, Self.loss])
        #expect(run.status == 0, "\(run.stderr)")
        let streams = try run.streams
        let summary = try #require(try run.json["summary"] as? [String: Any])
        let files = try #require(summary["files"] as? [[String: Any]])
        #expect(files.compactMap { $0["name"] as? String } == [Self.recorded, Self.loss, Self.loss])
        let fromLoss = streams.filter { $0["file"] as? String == Self.loss }
        #expect(fromLoss.count == 2 && streams.filter { $0["file"] as? String == Self.recorded }.count == 1)
        #expect(fromLoss.allSatisfy { jsonInt($0["duplicates"]) == 0 && jsonInt($0["lost"]) == 8 })

        let table = try await Self.analyze([Self.recorded, Self.loss], environment: ["COLUMNS=400"])
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("File "))
        for line in lines[2...3] {
            let fields = line.split(separator: " ")
            let start = Double(fields[1]) ?? -1, end = Double(fields[2]) ?? -1
            #expect(start >= 0 && start < 1 && end > start && end < 60, "\(line)")
        }
        #expect(lines[3].hasPrefix(Self.loss) && lines[3].contains(" 0.000000  5.980500 "), "\(lines[3])")
    }

    // MARK: standard input, gzip, FIFOs

    @Test func standardInputGzipAndFifoReadLikeTheFile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = try await Self.analyze(["--format", "json", Self.loss])
        try #require(reference.status == 0)
        let expected = Self.identity(try reference.streams)
        #expect(expected.count == 1)

        // Standard input redirected from the file.
        let fromFile = try await Self.analyze(["--format", "json", "-"], standardInput: URL(fileURLWithPath: Self.loss))
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(Self.identity(try fromFile.streams) == expected)
        #expect(try fromFile.streams.first?["file"] as? String == "stdin")

        // A gzip file on disk, and the same gzip stream through a pipe on standard input.
        let compressed = directory.appendingPathComponent("loss.pcap.gz").path
        try Self.gzip(Self.loss, to: compressed)
        let gzipped = try await Self.analyze(["--format", "json", compressed])
        #expect(gzipped.status == 0, "\(gzipped.stderr)")
        #expect(Self.identity(try gzipped.streams) == expected)

        for (name, source) in [("plain", Self.loss), ("gzip", compressed)] {
            let fifo = directory.appendingPathComponent("\(name).fifo").path
            try #require(mkfifo(fifo, 0o600) == 0)
            let writer = FIFOWriter(fifo: fifo, contents: try Data(contentsOf: URL(fileURLWithPath: source)))
            // As a FIFO path (the writer finishes before the reader is done: the case that hung)...
            let viaPath = try await Self.analyze(["--format", "json", fifo], seconds: 30)
            #expect(viaPath.status == 0, "\(name): \(viaPath.stderr)")
            #expect(Self.identity(try viaPath.streams) == expected, "\(name) FIFO")
            writer.wait()
            // ...and as standard input (a pipe).
            let writer2 = FIFOWriter(fifo: fifo, contents: try Data(contentsOf: URL(fileURLWithPath: source)))
            let viaStdin = try await Self.analyze(["--format", "json", "-"], standardInput: URL(fileURLWithPath: fifo), seconds: 30)
            #expect(viaStdin.status == 0, "\(name): \(viaStdin.stderr)")
            #expect(Self.identity(try viaStdin.streams) == expected, "\(name) on standard input")
            writer2.wait()
        }

        // --report on a stream read once: written, with per-second charts only.
        let fifo = directory.appendingPathComponent("report.fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let writer = FIFOWriter(fifo: fifo, contents: try Data(contentsOf: URL(fileURLWithPath: Self.loss)))
        let report = directory.appendingPathComponent("report")
        let run = try await Self.analyze(["--report", report.path, fifo], seconds: 30)
        writer.wait()
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("This capture was read once"))

        // Standard input twice is a usage error.
        #expect(try await Self.analyze(["-", "-"]).status == 64)
    }

    // MARK: the table's width

    @Test func tableFitsTheTerminalAndWideShowsEverything() async throws {
        let narrow = try await Self.analyze([Self.loss, Self.recorded], environment: ["COLUMNS=100"])
        #expect(narrow.status == 0)
        let lines = narrow.stdout.split(separator: "\n").map(String.init)
        for line in lines { #expect(line.count <= 100, "\(line.count): \(line)") }
        #expect(narrow.stdout.contains("Hidden to fit 100 columns: "))
        #expect(lines[1].contains("Source") && lines[1].contains("SSRC") && lines[1].contains("Lost") && !lines[1].contains("MinJit"))

        let wide = try await Self.analyze(["--wide", Self.loss, Self.recorded], environment: ["COLUMNS=100"])
        #expect(wide.stdout.split(separator: "\n")[1].contains("MinJit(ms)") && !wide.stdout.contains("Hidden"))
        // Not a terminal and no COLUMNS (a pipe, a file): every column, as scripts expect.
        let piped = try await Self.analyze([Self.loss, Self.recorded])
        #expect(piped.stdout == wide.stdout)
        // The legend names the jitter columns.
        #expect(piped.stdout.contains("Jitter: RFC 3550 interarrival jitter at the stream's end"))
    }

    // MARK: exit codes

    @Test func exitCodesAsDocumented() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await Self.analyze(["--no-such-option", Self.loss]).status == 64)
        #expect(try await Self.analyze(["--clock-rate", "96=fast", Self.loss]).status == 64)
        #expect(try await Self.analyze([]).status == 64)
        let missing = try await Self.analyze([Self.loss, directory.appendingPathComponent("typo.pcap").path])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr == "rtpscope: \(directory.appendingPathComponent("typo.pcap").path): file not found\n")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.loss))
        let cut = directory.appendingPathComponent("cut.pcap")
        try bytes.prefix(bytes.count - 30).write(to: cut)
        let truncated = try await Self.analyze([cut.path])
        #expect(truncated.status == 2)
        #expect(truncated.stdout.contains("RTP streams (1"))
        #expect(truncated.stderr.contains("truncated capture after 291 packets"))
    }

    /// Standard output that refuses the report (a full disk: /dev/full) is an error naming the
    /// reason, status 1, in every format: not status 0 and a report lost. A refusing stderr is
    /// status 1 too.
    @Test func unwritableStandardOutputIsAnError() async throws {
        for format in ["table", "json", "csv"] {
            let run = try await Self.analyze(["--format", format, Self.loss], redirecting: (1, "/dev/full"))
            #expect(run.status == 1, "\(format)")
            #expect(run.stderr == "rtpscope: cannot write standard output: No space left on device\n", "\(format)")
        }
        // Nor does an error message that stderr refuses turn into a crash (Foundation's FileHandle
        // trapped on it: status 132).
        #expect(try await Self.analyze(["/nonexistent/x.pcap"], redirecting: (2, "/dev/full")).status == 1)
    }

    // MARK: permissions

    /// Another user: the message names what refuses it — the directory that may not be searched, or
    /// the file that may not be read.
    @Test(.enabled(if: getuid() == 0, "needs root to run as another user"))
    func permissionFailureNamesThePath() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        chmod(directory.path, 0o755)
        let locked = directory.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        chmod(locked.path, 0o700)
        let hidden = locked.appendingPathComponent("call.pcap").path
        try FileManager.default.copyItem(atPath: Self.loss, toPath: hidden)
        let unreadable = directory.appendingPathComponent("private.pcap").path
        try FileManager.default.copyItem(atPath: Self.loss, toPath: unreadable)
        chmod(unreadable, 0o600)
        let nobody = 65534

        let inLocked = try await Self.analyze([hidden], user: nobody)
        #expect(inLocked.status == 1)
        #expect(inLocked.stderr == "rtpscope: \(hidden): not readable (Permission denied: directory \(locked.path) is not searchable by uid \(nobody))\n")
        let own = try await Self.analyze([unreadable], user: nobody)
        #expect(own.status == 1)
        #expect(own.stderr == "rtpscope: \(unreadable): not readable (Permission denied: \(unreadable) is not readable by uid \(nobody))\n")
        let sdp = try await Self.analyze(["--sdp", unreadable, Self.loss], user: nobody)
        #expect(sdp.status == 1 && sdp.stderr.contains("\(unreadable) is not readable by uid \(nobody)"), "\(sdp.stderr)")
        let report = locked.appendingPathComponent("report").path
        let unwritable = try await Self.analyze(["--report", report, Self.loss], user: nobody)
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr == "rtpscope: cannot write report to \(report): Permission denied: directory \(locked.path) is not searchable by uid \(nobody)\n")
    }

    // MARK: encoding names

    /// `--sdp` names a dynamic payload type (and gives its clock): H264, not RTPType-96.
    @Test func sdpFileNamesTheEncoding() async throws {
        guard let shared = Self.sharedCaptures else { return }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sdp = directory.appendingPathComponent("h264.sdp")
        try "v=0\r\no=- 0 0 IN IP4 85.17.186.6\r\ns=-\r\nc=IN IP4 85.17.186.6\r\nt=0 0\r\nm=video 53134 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
            .write(to: sdp, atomically: true, encoding: .utf8)
        let capture = shared + "/vzvca__rtp-pcap-replay__h264.pcap"
        let run = try await Self.analyze(["--format", "json", "--sdp", sdp.path, capture])
        #expect(run.status == 0, "\(run.stderr)")
        let stream = try #require(try run.streams.first)
        #expect(stream["encoding_name"] as? String == "H264")
        #expect(stream["clock_rate_source"] as? String == "sdp" && jsonInt(stream["clock_rate"]) == 90000)
        let table = try await Self.analyze(["--sdp", sdp.path, capture])
        #expect(table.stdout.split(separator: "\n")[2].contains(" H264 "), "\(table.stdout)")
        let compat = try await Self.analyze(["--compat", "wireshark", "--sdp", sdp.path, capture])
        #expect(compat.stdout.split(separator: "\n")[2].contains(" H264 "), "\(compat.stdout)")
        let bare = try await Self.analyze(["--compat", "wireshark", capture])
        #expect(bare.stdout.split(separator: "\n")[2].contains(" RTPType-96 "), "tshark's name without SDP: \(bare.stdout)")
    }

    /// The capture the issue was filed on: SDP in the capture's SIP names each call's PT 99; the table
    /// shows those names in both modes (tshark's table, the truth here, prints the same eight).
    @Test func sdpInTheCaptureNamesEachCall() async throws {
        guard let shared = Self.sharedCaptures else { return }
        let capture = shared + "/rickwporter__rtp-pcap__sip-rtp-g726.pcap"
        let tshark = try String(contentsOfFile: capture + ".tshark.txt", encoding: .utf8)
        let names = ["G726-16", "G726-24", "G726-32", "G726-40", "AAL2-G726-16", "AAL2-G726-24", "AAL2-G726-32", "AAL2-G726-40"]
        for name in names { #expect(tshark.contains(" \(name) "), "tshark's table names \(name)") }
        for mode in ["strict", "wireshark"] {
            let run = try await Self.analyze(["--compat", mode, capture])
            #expect(run.status == 0)
            #expect(!run.stdout.contains("rtp.rfc2198"))
            for name in names { #expect(run.stdout.contains(" \(name) "), "\(mode): \(name) missing") }
        }
    }

    static var sharedCaptures: String? {
        if let path = SharedCaptures.locate() { return path }
        if SharedCaptures.isRequired { Issue.record("shared captures not found at \(SharedCaptures.searchedPath)") }
        return nil
    }
}

/// Writes `contents` into a FIFO from a thread of its own (opening blocks until a reader comes), then
/// closes it, as `cat file > fifo` does.
final class FIFOWriter: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(fifo: String, contents: Data) {
        // A reader that goes away early must end the write with EPIPE, not kill the test runner.
        signal(SIGPIPE, SIG_IGN)
        let done = self.done
        Thread {
            defer { done.signal() }
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }  // blocks until a reader opens
            try? handle.write(contentsOf: contents)
            try? handle.close()
        }.start()
    }

    /// Waits (bounded) for the writer to finish.
    func wait() {
        if done.wait(timeout: .now() + 30) == .timedOut { Issue.record("FIFO writer did not finish") }
    }
}
