import CBuildInfo
import Exporter

extension RTPScopeVersion {
    /// What `rtpscope_build_info` says: the version, and the revision and compiler `make` recorded.
    static var buildInfo: BuildInfo {
        BuildInfo(version: current, revision: String(cString: rtpscope_build_revision()),
                  swiftVersion: swiftVersion)
    }

    /// The compiler's exact version when `make` recorded it, else its minor version from the compiler
    /// itself (a plain `swift build`).
    private static var swiftVersion: String {
        let recorded = String(cString: rtpscope_build_swift_version())
        if recorded != "unknown" { return recorded }
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "6.1"
        #endif
    }
}
