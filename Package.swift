// swift-tools-version:6.1
//
// rtpscope: RTP stream health for any process (eBPF, live) and for captures (libpcap, offline).
//
// Module map (data flows one way, top to bottom; C shims in brackets):
//
//   PcapSource [CPcap, CZlib] ──┐  libpcap: capture files, live interfaces (mirror ports)
//                               ├─> NetDecode (link/IP/UDP/TCP, pure) ─┐
//   LiveSource [CRTPScopeBPF] ──┼──────────── Datagram (live: eBPF) ───┤
//                               v                                      v
//   RTPCore (pure Swift, imports nothing): RTP/RTCP/SIP decode → per-stream statistics, send
//     stalls and codec correlation → AnalysisReport
//                               │
//            ┌──────────────────┴───────────────────┐
//            v                                      v
//   Reporting (table, JSON, CSV, HTML, ──> Exporter (Prometheus exposition, HTTP endpoints;
//     --openmetrics)                          /streams is Reporting's JSON)
//            └──── MetricCatalog (metric names, help, labels, SSRC and label spelling) ────┘
//
//   rtpscope (CLI [CBuildInfo]: analyze, monitor, doctor): wiring only — options, locks, polling,
//     lifecycle.
import PackageDescription

let package = Package(
    name: "rtpscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rtpscope", targets: ["rtpscope"]),
        // The parsers' modules, for the libFuzzer package in fuzz/ (its own package and build dir).
        .library(name: "RTPCore", targets: ["RTPCore"]),
        .library(name: "NetDecode", targets: ["NetDecode"]),
        .library(name: "PcapSource", targets: ["PcapSource"]),
        .library(name: "LiveSource", targets: ["LiveSource"]),
        .library(name: "Exporter", targets: ["Exporter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The exporter's web config (exporter-toolkit format): TLS, bcrypt basic auth, YAML, gzip.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // The analysis engine. Deliberately free of system libraries so it builds and tests anywhere.
        .target(name: "RTPCore"),
        // Frame → datagram: link layers, IPv4/IPv6, UDP, TCP (RFC 4571). Pure Swift as well.
        .target(name: "NetDecode", dependencies: ["RTPCore"]),
        // Every metric's name, help and labels, how label values and HTML text are escaped, and the
        // health counters the monitor exports: one definition for the live exposition (Exporter),
        // the live source (LiveSource) and the reports (Reporting), free of NIO. SSRCs are spelled
        // by RTPCore's `SSRCText`, which reports use too.
        .target(name: "MetricCatalog", dependencies: ["RTPCore"]),
        // Report output: table, JSON and CSV renderings of an AnalysisReport.
        .target(name: "Reporting", dependencies: ["RTPCore", "MetricCatalog"]),
        // libpcap, found through pkg-config.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // zlib, for gzip-compressed captures (read as a stream, never unpacked to disk).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "PcapSource", dependencies: ["CPcap", "CZlib", "NetDecode", "RTPCore"]),
        // libbpf skeleton loader (C). The Makefile generates the skeleton header from bpf/ first.
        .target(
            name: "CRTPScopeBPF",
            linkerSettings: [.linkedLibrary("bpf"), .linkedLibrary("elf"), .linkedLibrary("z")]
        ),
        // Live source: traced syscalls → Datagram, process attribution, socket resolution, doctor checks.
        .target(
            name: "LiveSource",
            dependencies: ["CRTPScopeBPF", "RTPCore", "MetricCatalog", .product(name: "Logging", package: "swift-log")]
        ),
        // Prometheus exposition and the HTTP endpoints (/metrics, /health, /streams, /).
        .target(
            name: "Exporter",
            dependencies: [
                "RTPCore", "MetricCatalog", "Reporting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The git revision and Swift version `make build-info` found, for rtpscope_build_info.
        .target(name: "CBuildInfo"),
        .executableTarget(
            name: "rtpscope",
            dependencies: [
                "RTPCore", "NetDecode", "PcapSource", "LiveSource", "Exporter", "Reporting", "MetricCatalog", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What several test targets share (the shared-captures location), Foundation only.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RTPCoreTests", dependencies: ["RTPCore"]),
        .testTarget(name: "NetDecodeTests", dependencies: ["NetDecode", "RTPCore"]),
        .testTarget(name: "PcapSourceTests", dependencies: ["PcapSource", "NetDecode", "RTPCore", "TestSupport"]),
        .testTarget(name: "LiveSourceTests", dependencies: ["LiveSource", "RTPCore"]),
        .testTarget(
            name: "ExporterTests",
            dependencies: [
                "Exporter", "RTPCore", "MetricCatalog",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ]
        ),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "RTPCore", "PcapSource", "CZlib", "MetricCatalog", "TestSupport"]),
        // Drives the built `rtpscope` binary and the project's traffic tool end to end (root, eBPF).
        .testTarget(name: "MonitorEndToEndTests", dependencies: ["RTPCore", "TestSupport"]),
    ]
)
