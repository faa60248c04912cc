// swift-tools-version:6.1
//
// rtpscope: RTP stream health for any process (eBPF, live) and for captures (libpcap, offline).
//
// Module map (data flows one way, top to bottom):
//   PcapSource (libpcap) ─┐
//                         ├─> NetDecode (link/IP/UDP/TCP, pure) ─> Datagram
//   (LiveSource: eBPF) ───┘                                             │
//                                                                       v
//   RTPCore (pure Swift, no system libraries): RTP/RTCP decode → per-stream statistics → reports
//                                                                       │
//   rtpscope (CLI: analyze, later monitor/doctor) <──────────────────────┘
import PackageDescription

let package = Package(
    name: "rtpscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rtpscope", targets: ["rtpscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The analysis engine. Deliberately free of system libraries so it builds and tests anywhere.
        .target(name: "RTPCore"),
        // Frame → datagram: link layers, IPv4/IPv6, UDP, TCP (RFC 4571). Pure Swift as well.
        .target(name: "NetDecode", dependencies: ["RTPCore"]),
        // libpcap, found through pkg-config.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .target(name: "PcapSource", dependencies: ["CPcap", "NetDecode", "RTPCore"]),
        .executableTarget(
            name: "rtpscope",
            dependencies: [
                "RTPCore", "NetDecode", "PcapSource",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RTPCoreTests", dependencies: ["RTPCore"]),
        .testTarget(name: "NetDecodeTests", dependencies: ["NetDecode", "RTPCore"]),
        .testTarget(name: "PcapSourceTests", dependencies: ["PcapSource", "NetDecode", "RTPCore"]),
    ]
)
