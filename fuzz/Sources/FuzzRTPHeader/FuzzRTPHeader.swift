// RTP fixed header, CSRC list and RFC 8285 header-extension elements (RTPPacket.swift,
// RTPHeaderExtension.swift), plus the RFC 7983 first-byte classifier the analyzer runs first.
// Input: one UDP payload.
import FuzzSupport
import RTPCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = FuzzInput(start, count).bytes
    _ = PayloadClassifier.classify(bytes)
    guard case .success(let header) = RTPHeader.decode(bytes) else { return 0 }

    // The geometry must describe the buffer exactly, in order: header, CSRCs, extension, payload, padding.
    precondition(header.csrcCount >= 0 && header.csrcCount <= 15)
    precondition(header.payloadOffset >= 12 + 4 * header.csrcCount)
    precondition(header.payloadLength >= 0 && header.paddingLength >= 0)
    precondition(header.payloadOffset + header.payloadLength + header.paddingLength == count)
    if header.hasExtension {
        precondition(header.extensionOffset == 16 + 4 * header.csrcCount)
        precondition(header.extensionOffset + header.extensionLength == header.payloadOffset)
    }
    precondition(header.csrcs(in: bytes).count == header.csrcCount)

    var sum = 0
    if case .success(let elements) = header.extensionElements(in: bytes) {
        let end = header.extensionOffset + header.extensionLength
        for element in elements {
            precondition(element.offset >= header.extensionOffset && element.length >= 0)
            precondition(element.offset + element.length <= end, "element past the extension")
            for i in element.offset..<(element.offset + element.length) { sum &+= Int(bytes[i]) }
        }
    }
    // The header applied to a shorter buffer than the one it came from (the API allows it): every
    // accessor must re-check rather than read past the end.
    for cut in [count / 2, header.payloadOffset - 1, 12] where cut >= 0 && cut < count {
        withExactCopy(UnsafeRawBufferPointer(rebasing: bytes[0..<cut])) { shorter in
            sum &+= header.csrcs(in: shorter).count
            if case .success(let elements) = header.extensionElements(in: shorter) {
                for element in elements where element.length > 0 {
                    precondition(element.offset + element.length <= shorter.count, "element past a shorter buffer")
                    sum &+= Int(shorter[element.offset + element.length - 1])
                }
            }
        }
    }
    consume(sum)
    return 0
}
