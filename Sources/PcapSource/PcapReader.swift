import CPcap
import NetDecode
import RTPCore

/// PLACEHOLDER: reads pcap/pcapng through libpcap and feeds a StreamAnalyzer.
public enum PcapSourceVersion {
    public static var libpcapVersion: String { String(cString: pcap_lib_version()) }
}
