import CRTPScopeBPF
import Foundation
import Testing
@testable import LiveSource

@Suite struct CodecDiscoveryTests {
    @Test func mapsListTheCodecLibrariesOnce() {
        let maps = """
        55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 1180                       /usr/bin/ffmpeg
        7f1a2c000000-7f1a2c200000 r--p 00000000 fe:01 2201                       /usr/lib/x86_64-linux-gnu/libavcodec.so.59.37.100
        7f1a2c200000-7f1a2d000000 r-xp 00200000 fe:01 2201                       /usr/lib/x86_64-linux-gnu/libavcodec.so.59.37.100
        7f1a2e000000-7f1a2e100000 r-xp 00000000 fe:01 2202                       /opt/ff/lib/libavformat.so.61
        7f1a2f000000-7f1a2f100000 r-xp 00000000 fe:01 2203                       /opt/ff/lib/libavcodec.so
        7f1a30000000-7f1a30100000 r-xp 00000000 fe:01 2204                       /tmp/old/libavcodec.so.58 (deleted)
        7f1a31000000-7f1a31100000 r-xp 00000000 fe:01 2205                       /usr/lib/libavcodec-extra.so.1
        7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0                          [stack]
        """
        #expect(CodecLibraryDiscovery.libraries(inMaps: maps) == [
            MappedCodecLibrary(kind: .avcodec, path: "/usr/lib/x86_64-linux-gnu/libavcodec.so.59.37.100", major: 59),
            MappedCodecLibrary(kind: .avformat, path: "/opt/ff/lib/libavformat.so.61", major: 61),
            MappedCodecLibrary(kind: .avcodec, path: "/opt/ff/lib/libavcodec.so", major: nil),
        ])
    }

    /// The cookie tells the one BPF program which function fired and where its packet is.
    @Test func cookieLayout() {
        #expect(CodecFunction.avcodecSendFrame.cookie(packetSizeOffset: 32) == 0)
        let receive = CodecFunction.avcodecReceivePacket.cookie(packetSizeOffset: 32)
        #expect(receive == 1 | 2 << 8 | 0x800 | 32 << 32)
        #expect(CodecFunction.avWriteFrame.cookie(packetSizeOffset: 32) == 9 | 2 << 8 | 32 << 32)
        #expect(CodecFunction.avPacketUnref.cookie(packetSizeOffset: 32) == 8 | 0x1000)
        // No known layout: no packet read at all.
        #expect(CodecFunction.avcodecSendPacket.cookie(packetSizeOffset: nil) == 2)
        #expect(CodecFunction.allCases.count == Int(RTPSCOPE_CODEC_FUNCTION_COUNT.rawValue))
        #expect(CodecFunction.functions(in: .avformat).map(\.symbol)
                == ["av_write_frame", "av_interleaved_write_frame", "av_read_frame"])
    }

    /// AVPacket.size's offset from the installed FFmpeg headers (tools/avpacket-offset.c, built by
    /// `make tools`) must be what the probes read.
    @Test func avPacketSizeOffsetMatchesTheInstalledHeaders() throws {
        let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("build/avpacket-offset")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path),
                     "build/avpacket-offset missing: run `make tools` (needs libavcodec-dev, from `make deps`)")
        let process = Process()
        process.executableURL = tool
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let fields = Dictionary(uniqueKeysWithValues: text.split(whereSeparator: \.isWhitespace).compactMap { pair -> (String, Int)? in
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = Int(parts[1]) else { return nil }
            return (String(parts[0]), value)
        })
        let major = try #require(fields["libavcodec_major"])
        #expect(AVPacketLayout.sizeOffset(libavcodecMajor: major) == fields["avpacket_size_offset"])
        #expect(AVPacketLayout.sizeOffset(libavcodecMajor: 40) == nil)
    }

    @Test func probeModeArgument() {
        #expect(CodecProbeMode(argument: "auto") == .auto)
        #expect(CodecProbeMode(argument: "off") == .off)
        #expect(CodecProbeMode(argument: "/opt/ff/bin/ffmpeg") == .path("/opt/ff/bin/ffmpeg"))
    }

    /// procfs files report size 0 (Foundation's String(contentsOfFile:) then stops after 4 KiB);
    /// maps of a process with many libraries must be read whole.
    @Test func procFileReadsPastTheFirstPage() throws {
        let maps = try #require(TextFile.read("/proc/self/maps", limit: 64 << 20))
        #expect(maps.utf8.count > 4096)
        #expect(maps.hasSuffix("\n"))
    }
}

/// `--codec-probes-users`: only processes whose effective uid is listed are codec-probed, whoever
/// they are among the RTP senders the monitor found. Real processes of two users (root only: the
/// test starts one as nobody).
@Suite struct CodecProbeUserFilterTests {
    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        return process
    }

    @Test func onlyListedUsersProcessesAreSelected() throws {
        try #require(geteuid() == 0, "needs root to start a process as another user")
        let nobody: UInt32 = 65534
        let own = try start(["/bin/sleep", "30"])
        let other = try start(["/usr/bin/setpriv", "--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups",
                               "/bin/sleep", "30"])
        defer {
            for process in [own, other] where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        let pids = [own.processIdentifier, other.processIdentifier]
        // setpriv execs sleep in place: wait until the pid runs as nobody.
        let deadline = Date().addingTimeInterval(10)
        while ProcessIdentity.effectiveUID(pid: other.processIdentifier) != nobody, Date() < deadline {
            usleep(10_000)
        }
        #expect(ProcessIdentity.effectiveUID(pid: own.processIdentifier) == 0)
        #expect(ProcessIdentity.effectiveUID(pid: other.processIdentifier) == nobody)
        #expect(CodecProbeManager.owned(pids, by: nil) == pids)
        #expect(CodecProbeManager.owned(pids, by: [nobody]) == [other.processIdentifier])
        #expect(CodecProbeManager.owned(pids, by: [0, nobody]) == pids)
        #expect(CodecProbeManager.owned(pids, by: [4_000_000]).isEmpty)
        // A pid that is gone has no owner to match.
        kill(own.processIdentifier, SIGKILL)
        own.waitUntilExit()
        #expect(CodecProbeManager.owned(pids, by: [0, nobody]) == [other.processIdentifier])
    }
}
