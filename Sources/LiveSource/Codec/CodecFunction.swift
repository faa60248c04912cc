import CRTPScopeBPF

/// The FFmpeg library a probed function lives in (the `library` label).
public enum CodecLibraryKind: String, Sendable, CaseIterable {
    case avcodec = "libavcodec"
    case avformat = "libavformat"
}

/// A probed libavcodec/libavformat function: its symbol, where its AVPacket is, and how it is
/// probed. The raw value is the kernel's function index (enum rtpscope_codec_function).
public enum CodecFunction: Int, Sendable, CaseIterable {
    case avcodecSendFrame = 0
    case avcodecReceivePacket
    case avcodecSendPacket
    case avcodecReceiveFrame
    case avBSFSendPacket
    case avBSFReceivePacket
    case avPacketAlloc
    case avPacketRef
    case avPacketUnref
    case avWriteFrame
    case avInterleavedWriteFrame
    case avReadFrame

    public var symbol: String {
        switch self {
        case .avcodecSendFrame: "avcodec_send_frame"
        case .avcodecReceivePacket: "avcodec_receive_packet"
        case .avcodecSendPacket: "avcodec_send_packet"
        case .avcodecReceiveFrame: "avcodec_receive_frame"
        case .avBSFSendPacket: "av_bsf_send_packet"
        case .avBSFReceivePacket: "av_bsf_receive_packet"
        case .avPacketAlloc: "av_packet_alloc"
        case .avPacketRef: "av_packet_ref"
        case .avPacketUnref: "av_packet_unref"
        case .avWriteFrame: "av_write_frame"
        case .avInterleavedWriteFrame: "av_interleaved_write_frame"
        case .avReadFrame: "av_read_frame"
        }
    }

    public var library: CodecLibraryKind {
        switch self {
        case .avWriteFrame, .avInterleavedWriteFrame, .avReadFrame: .avformat
        default: .avcodec
        }
    }

    /// The packet life-cycle calls are only counted: timing them would double the probe cost of
    /// the hottest, cheapest calls for nothing a user acts on.
    public var isCountOnly: Bool {
        switch self {
        case .avPacketAlloc, .avPacketRef, .avPacketUnref: true
        default: false
        }
    }

    public var takesPacket: Bool { packetArgument != nil }

    /// The AVPacket argument (1-based) and whether the library fills it (read it when the call
    /// returns, through the pointer saved at entry) or consumes it (read it at entry).
    var packetArgument: (index: UInt64, filledByCall: Bool)? {
        switch self {
        case .avcodecSendPacket, .avBSFSendPacket, .avWriteFrame, .avInterleavedWriteFrame: (2, false)
        case .avcodecReceivePacket, .avBSFReceivePacket, .avReadFrame: (2, true)
        default: nil
        }
    }

    /// The BPF cookie of this function's probes (layout in bpf/rtpscope_codec.h). Without a known
    /// AVPacket layout, packet bytes are not read (the size offset is what makes them right).
    func cookie(packetSizeOffset: Int?) -> UInt64 {
        var cookie = UInt64(rawValue)
        if isCountOnly { cookie |= UInt64(RTPSCOPE_CODEC_COOKIE_COUNT_ONLY) }
        if let argument = packetArgument, let offset = packetSizeOffset {
            cookie |= argument.index << 8
            if argument.filledByCall { cookie |= UInt64(RTPSCOPE_CODEC_COOKIE_READ_AT_RETURN) }
            cookie |= UInt64(offset & 0xffff) << 32
        }
        return cookie
    }

    /// Every function's symbol by kernel index: what call records carry and what reports name
    /// (`AnalyzerConfiguration.codecFunctionNames`).
    public static let names = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.symbol) })

    public static func functions(in library: CodecLibraryKind) -> [CodecFunction] {
        allCases.filter { $0.library == library }
    }
}

/// Where `AVPacket.size` lives, by libavcodec major version (LP64). The layout
/// `{ AVBufferRef *buf; int64_t pts, dts; uint8_t *data; int size; … }` has been stable from
/// FFmpeg 2.x (major 56) through 7.x (61); a test compares it with the installed headers.
public enum AVPacketLayout {
    public static let knownMajors: ClosedRange<Int> = 56...62

    public static func sizeOffset(libavcodecMajor major: Int?) -> Int? {
        guard let major, knownMajors.contains(major), MemoryLayout<Int>.size == 8 else { return nil }
        return 32
    }
}
