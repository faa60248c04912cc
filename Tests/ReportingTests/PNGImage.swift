import CZlib
import Foundation

/// A decoded 8-bit RGB or RGBA PNG (what Chromium's screenshots are), enough to count pixels.
/// Decoding here rather than trusting any image tool: the PNG's own chunks, inflated by zlib, then
/// the five PNG row filters undone.
struct PNGImage {
    let width: Int
    let height: Int
    /// RGB triples, row after row.
    private let pixels: [UInt8]

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure(description: "not a PNG")
        }
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8, width = 0, height = 0, channels = 0
        var compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = word(offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = offset + 8
            guard body + length <= bytes.count else { throw Failure(description: "chunk \(type) cut short") }
            switch type {
            case "IHDR":
                width = word(body)
                height = word(body + 4)
                guard bytes[body + 8] == 8, bytes[body + 12] == 0 else { throw Failure(description: "not 8-bit, non-interlaced") }
                switch bytes[body + 9] {
                case 2: channels = 3
                case 6: channels = 4
                default: throw Failure(description: "colour type \(bytes[body + 9]) not handled")
                }
            case "IDAT":
                compressed += bytes[body..<body + length]
            default:
                break
            }
            offset = body + length + 4  // + CRC
        }
        let rowBytes = width * channels
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var rawLength = uLongf(raw.count)
        let status = compressed.withUnsafeBufferPointer { source in
            raw.withUnsafeMutableBufferPointer { target in
                uncompress(target.baseAddress, &rawLength, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Failure(description: "zlib status \(status)") }

        var image = [UInt8](repeating: 0, count: height * rowBytes)
        for row in 0..<height {
            let filter = raw[row * (rowBytes + 1)]
            let line = row * (rowBytes + 1) + 1
            for column in 0..<rowBytes {
                let x = raw[line + column]
                let a = column >= channels ? image[row * rowBytes + column - channels] : 0
                let b = row > 0 ? image[(row - 1) * rowBytes + column] : 0
                let c = row > 0 && column >= channels ? image[(row - 1) * rowBytes + column - channels] : 0
                let predicted: UInt8
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = UInt8((Int(a) + Int(b)) / 2)
                case 4:
                    let p = Int(a) + Int(b) - Int(c)
                    let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
                    predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw Failure(description: "row filter \(filter)")
                }
                image[row * rowBytes + column] = x &+ predicted
            }
        }
        self.width = width
        self.height = height
        pixels = channels == 3 ? image : stride(from: 0, to: image.count, by: 4).flatMap { image[$0..<$0 + 3] }
    }

    func rgb(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
        let at = (y * width + x) * 3
        return (Int(pixels[at]), Int(pixels[at + 1]), Int(pixels[at + 2]))
    }

    /// Pixels within `tolerance` (per channel) of `color` ("#rrggbb"), in `rows` and `columns` (all by default).
    func count(near color: String, tolerance: Int = 40, rows: Range<Int>? = nil, columns: Range<Int>? = nil) -> Int {
        let value = Int(color.dropFirst(), radix: 16) ?? 0
        let target = (value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF)
        return count(rows: rows, columns: columns) { p in
            abs(p.r - target.0) <= tolerance && abs(p.g - target.1) <= tolerance && abs(p.b - target.2) <= tolerance
        }
    }

    /// Pixels for which `matches` holds.
    func count(rows: Range<Int>? = nil, columns: Range<Int>? = nil, where matches: ((r: Int, g: Int, b: Int)) -> Bool) -> Int {
        var count = 0
        for y in rows ?? 0..<height {
            for x in columns ?? 0..<width where matches(rgb(x, y)) { count += 1 }
        }
        return count
    }
}
