import ArgumentParser

@main
struct RTPScope: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtpscope",
        abstract: "Measure RTP stream health (jitter, loss, reordering) in captures and in live processes.",
        discussion: """
        rtpscope analyzes RTP/RTCP offline from pcap/pcapng captures (`analyze`) and, live, for every \
        process on the host by tracing socket syscalls with eBPF (`monitor`), exporting per-stream \
        health to Prometheus.
        """,
        version: RTPScopeVersion.current,
        subcommands: [Analyze.self, Monitor.self, Doctor.self]
    )
}

enum RTPScopeVersion {
    static let current = "0.1.0"
}
