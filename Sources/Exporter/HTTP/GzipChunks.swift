import CompressNIO
import NIOCore

/// A body compressed as it is pulled (gzip, compress-nio's zlib stream): each piece of the inner
/// body is deflated on its own pull, so compression keeps the streaming property — nothing is
/// rendered or compressed ahead of what the connection can take.
final class GzipChunks: ResponseChunks, @unchecked Sendable {
    private let inner: any ResponseChunks
    private let compressor: ZlibCompressor
    private var finished = false

    init(_ inner: any ResponseChunks) throws {
        self.inner = inner
        // Level 6 (zlib's default): the level promhttp's gzip writer uses too; 128 KiB of state.
        compressor = try ZlibCompressor(algorithm: .gzip)
    }

    func next() -> [UInt8]? {
        while !finished {
            if let piece = inner.next() {
                var input = ByteBuffer(bytes: piece)
                var output = ByteBuffer()
                output.reserveCapacity(compressor.maxSize(from: input))
                guard (try? compressor.deflate(from: &input, to: &output, flush: .no)) != nil else { return fail() }
                // zlib may keep a small piece back for the next block: pull more rather than send nothing.
                if output.readableBytes > 0 { return Array(output.readableBytesView) }
            } else {
                finished = true
                var input = ByteBuffer()
                var output = ByteBuffer()
                var capacity = 1024
                while true {
                    output.reserveCapacity(output.writerIndex + capacity)
                    do {
                        try compressor.deflate(from: &input, to: &output, flush: .finish)
                        break
                    } catch let error as CompressNIOError where error == .bufferOverflow {
                        capacity *= 2  // more output pending: give zlib more room
                    } catch {
                        return fail()
                    }
                }
                return output.readableBytes > 0 ? Array(output.readableBytesView) : nil
            }
        }
        return nil
    }

    /// zlib fails only on memory exhaustion or misuse; end the body (the client sees a truncated
    /// gzip stream and retries) rather than trap.
    private func fail() -> [UInt8]? {
        finished = true
        return nil
    }
}
