import Foundation

/// Where the shared capture corpus is, for every test target that reads it: `RTPSCOPE_SHARED_CAPTURES`
/// when set, else `shared/captures` beside the package root. The one place that knows.
public enum SharedCaptures {
    /// `<package root>/../shared/captures`; this file is `<root>/Tests/TestSupport/SharedCaptures.swift`.
    public static var defaultPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .deletingLastPathComponent()
            .appendingPathComponent("shared/captures").path
    }

    /// `RTPSCOPE_SHARED_CAPTURES` when set, else `defaultPath`.
    public static var searchedPath: String {
        ProcessInfo.processInfo.environment["RTPSCOPE_SHARED_CAPTURES"] ?? defaultPath
    }

    /// The corpus directory, nil when it is not there.
    public static func locate() -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: searchedPath, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return searchedPath
    }

    /// `RTPSCOPE_REQUIRE_SHARED=1` (CI): a missing corpus is a failure, not a skip.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["RTPSCOPE_REQUIRE_SHARED"] == "1"
    }
}
