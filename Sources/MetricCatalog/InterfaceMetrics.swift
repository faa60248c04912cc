/// The interface capture's families (`monitor --interface`): libpcap's own counters per interface.
/// Kept apart from the eBPF side's (`rtpscope_ringbuf_dropped_events_total`): a different source
/// with different loss points.
extension MetricCatalog {
    public static let interfacePacketsReceived = MetricFamily(
        name: "rtpscope_interface_packets_received_total", type: .counter,
        help: "Packets that passed the interface capture's --bpf-filter, from libpcap's pcap_stats ps_recv (on Linux including those dropped) (packets).")
    public static let interfacePacketsDropped = MetricFamily(
        name: "rtpscope_interface_packets_dropped_total", type: .counter,
        help: "Packets the interface capture lost, from pcap_stats, by reason: buffer (ps_drop, the capture ring was full: raise the load or lower the rate) and interface (ps_ifdrop, the interface's own receive drops since the capture started) (packets).")
}

extension MetricLabels {
    /// The network interface a stream or a capture counter belongs to (`monitor --interface`);
    /// empty on the streams of traced processes.
    public static let interface = "interface"
    /// `rtpscope_interface_packets_dropped_total`.
    public static let interfaceDrop = ["interface", "reason"]
}
