import CRTPScopeBPF
import RTPCore

/// PLACEHOLDER: eBPF syscall tracing → Datagram (the live-capture work fills this in).
public enum LiveSourcePlaceholder {}
