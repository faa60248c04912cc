import Foundation

/// Where the binaries under test live.
enum PackagePaths {
    /// This file is Tests/MonitorEndToEndTests/Support/PackagePaths.swift.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // MonitorEndToEndTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The release build the Makefile makes before running these tests; `RTPSCOPE_BIN` overrides.
    static var rtpscope: String {
        if let override = ProcessInfo.processInfo.environment["RTPSCOPE_BIN"], !override.isEmpty {
            return override
        }
        return root.appendingPathComponent(".build/release/rtpscope").path
    }

    /// build/rtptraffic, compiled here when missing or older than one of its sources (the Makefile
    /// normally builds it; compiling here keeps `swift test` usable on its own).
    static func rtptraffic() throws -> String {
        let binary = root.appendingPathComponent("build/rtptraffic")
        let sources = try toolSources(["tools/rtptraffic", "tools/common"])
        if sources.allSatisfy({ isUpToDate(binary, comparedWith: $0) }) { return binary.path }
        try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Build to a private name and rename: another test process may be reading the old one.
        let temporary = binary.path + ".\(getpid()).tmp"
        let units = sources.filter { $0.pathExtension == "c" }.map(\.path)
        _ = try runToCompletion(try executable("cc"),
                                ["-Wall", "-Wextra", "-O2", "-I", root.appendingPathComponent("tools").path,
                                 "-o", temporary] + units, seconds: 120)
        guard rename(temporary, binary.path) == 0 else {
            throw E2EError("rename \(temporary) -> \(binary.path): \(String(cString: strerror(errno)))")
        }
        return binary.path
    }

    /// The .c and .h files of the given folders (relative to the package), as the Makefile's rule lists them.
    private static func toolSources(_ folders: [String]) throws -> [URL] {
        try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent(folder),
                                                        includingPropertiesForKeys: nil)
                .filter { ["c", "h"].contains($0.pathExtension) }
                .sorted { $0.path < $1.path }
        }
    }

    /// build/codecpush (tools/codecpush/, linked against libavcodec), built by `make tools`.
    static func codecpush() throws -> String {
        let binary = root.appendingPathComponent("build/codecpush")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw E2EError("\(binary.path) missing: run `make tools` (needs libavcodec-dev)")
        }
        return binary.path
    }

    /// build/udp-paths (tools/udp-paths.c: send+receive loop, late reader, io_uring sender),
    /// built by `make tools`.
    static func udpPaths() throws -> String {
        let binary = root.appendingPathComponent("build/udp-paths")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw E2EError("\(binary.path) missing: run `make tools`")
        }
        return binary.path
    }

    private static func isUpToDate(_ binary: URL, comparedWith source: URL) -> Bool {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: binary.path),
              let built = (try? fm.attributesOfItem(atPath: binary.path))?[.modificationDate] as? Date
        else { return false }
        let written = (try? fm.attributesOfItem(atPath: source.path))?[.modificationDate] as? Date
        return written.map { $0 <= built } ?? true
    }

    /// An executable found on PATH (ffmpeg, tshark, …).
    static func executable(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw E2EError("\(name) not found on PATH")
    }
}
