/// A response body produced piece by piece, as the connection can take it: a large exposition is
/// never held whole, and a client that stops reading stops the rendering.
public protocol ResponseChunks: AnyObject, Sendable {
    /// The next piece of the body (never empty), or nil once the body is complete. Called on the
    /// connection's event loop, one call at a time, only while the channel is writable.
    func next() -> [UInt8]?
}

/// Bytes already in hand, handed out in pieces of at most `chunkSize`.
public final class SlicedChunks: ResponseChunks, @unchecked Sendable {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var offset = 0

    public init(_ bytes: [UInt8], chunkSize: Int = 64 * 1024) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public func next() -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + chunkSize)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}
