// swift-tools-version:6.1
//
// libFuzzer targets for rtpscope's parsers. A package of its own so that its build directory
// (fuzz/.build) never collides with the root package's, and so that the root package's graph
// carries no fuzzer-only targets. Build and run: `make fuzz` / `make fuzz-smoke` (fuzz/run.sh).
//
// Every target is built with -sanitize=fuzzer (libFuzzer provides main) and -enable-testing (the
// harnesses reach internal API through `@testable import`); see run.sh for the exact command.
import PackageDescription

/// One executable per libFuzzer entry point (`LLVMFuzzerTestOneInput`); corpus/<name>/ holds its seeds.
let fuzzTargets: [(name: String, modules: [String])] = [
    ("FuzzRTPHeader", ["RTPCore"]),
    ("FuzzRTCP", ["RTPCore"]),
    ("FuzzFrame", ["RTPCore", "NetDecode"]),
    ("FuzzSDP", ["RTPCore"]),
    ("FuzzKernelEvent", ["RTPCore", "LiveSource"]),
    ("FuzzCapture", ["RTPCore", "PcapSource"]),
    ("FuzzHTTPRequest", ["RTPCore", "Exporter"]),
]

let package = Package(
    name: "rtpscope-fuzz",
    platforms: [.macOS(.v13)],
    products: fuzzTargets.map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(name: "rtpscope", path: ".."),
        // FuzzHTTPRequest drives the served pipeline on NIO's EmbeddedChannel.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "RTPCore", package: "rtpscope")]),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.modules.map { .product(name: $0, package: "rtpscope") }
                + (target.modules.contains("Exporter") ? [
                    .product(name: "NIOEmbedded", package: "swift-nio"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                    .product(name: "Logging", package: "swift-log"),
                ] : []),
            // No top-level code: libFuzzer's runtime supplies main().
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
