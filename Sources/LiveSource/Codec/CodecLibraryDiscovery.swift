import Foundation

/// A libavcodec/libavformat file mapped by a process (or the process's own executable when it
/// exports the symbols itself).
public struct MappedCodecLibrary: Sendable, Hashable {
    public var kind: CodecLibraryKind
    /// The path as the process sees it (its mount namespace).
    public var path: String
    /// The soname's major version (libavcodec.so.59 → 59); nil when the name has none.
    public var major: Int?

    public init(kind: CodecLibraryKind, path: String, major: Int?) {
        self.kind = kind
        self.path = path
        self.major = major
    }
}

/// Finds FFmpeg's libraries in /proc/PID/maps.
public enum CodecLibraryDiscovery {
    /// The libavcodec/libavformat files among the file-backed mappings of a maps text.
    public static func libraries(inMaps maps: String) -> [MappedCodecLibrary] {
        var found: [MappedCodecLibrary] = []
        var seen = Set<String>()
        for line in maps.split(separator: "\n") {
            // address perms offset dev inode path — the path is everything after the 5th field.
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let path = fields[5].trimmingCharacters(in: .whitespaces)
            guard path.hasPrefix("/"), !path.hasSuffix(" (deleted)"), !seen.contains(path),
                  let library = library(atPath: path) else { continue }
            seen.insert(path)
            found.append(library)
        }
        return found
    }

    /// `…/libavcodec.so.59.37.100`, `…/libavcodec.so.59`, `…/libavcodec.so` (major unknown).
    public static func library(atPath path: String) -> MappedCodecLibrary? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for kind in CodecLibraryKind.allCases {
            let prefix = kind.rawValue + ".so"
            guard name.hasPrefix(prefix) else { continue }
            let rest = name.dropFirst(prefix.count)
            if rest.isEmpty { return MappedCodecLibrary(kind: kind, path: path, major: nil) }
            guard rest.hasPrefix("."), let major = Int(rest.dropFirst().prefix { $0.isNumber }) else { return nil }
            return MappedCodecLibrary(kind: kind, path: path, major: major)
        }
        return nil
    }

    /// The codec libraries process `pid` maps, plus its executable as a candidate for both
    /// libraries (statically linked FFmpeg exports the symbols itself).
    public static func candidates(pid: Int32, procRoot: String = "/proc") -> (libraries: [MappedCodecLibrary], executable: String?)? {
        guard let maps = TextFile.read("\(procRoot)/\(pid)/maps", limit: 64 << 20) else { return nil }
        let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(procRoot)/\(pid)/exe")
        return (libraries(inMaps: maps), executable)
    }
}
