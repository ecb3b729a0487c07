/// What a PNG says about itself, read and checked: the signature, every chunk's CRC, the size from
/// `IHDR`, and that image data and an end are there. Enough to tell a real screenshot from a broken one
/// without decoding its pixels.
public struct PNGImage: Sendable, Hashable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Bytes of compressed image data (`IDAT`).
    public var dataBytes: Int

    /// Why bytes are not a well-formed PNG.
    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, with the byte offset.
        public var description: String
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads and checks `bytes`.
    public init(_ bytes: [UInt8]) throws(Malformed) {
        guard bytes.count > 8, Array(bytes[0..<8]) == PNGImage.signature else {
            throw Malformed(description: "not a PNG: the signature is missing")
        }
        var offset = 8
        var size: (Int, Int)? = nil
        var data = 0
        var ended = false
        func number(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        while offset + 12 <= bytes.count && !ended {
            let length = number(offset)
            guard length >= 0, offset + 12 + length <= bytes.count else {
                throw Malformed(description: "chunk at byte \(offset) runs past the end")
            }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let crc = UInt32(number(offset + 8 + length))
            guard PNGImage.crc32(bytes[(offset + 4)..<(offset + 8 + length)]) == crc else {
                throw Malformed(description: "\(type) chunk at byte \(offset) fails its CRC")
            }
            switch type {
            case "IHDR" where length >= 8: size = (number(offset + 8), number(offset + 12))
            case "IDAT": data += length
            case "IEND": ended = true
            default: break
            }
            offset += 12 + length
        }
        guard let size, size.0 > 0, size.1 > 0 else { throw Malformed(description: "no image header") }
        guard data > 0 else { throw Malformed(description: "no image data") }
        guard ended else { throw Malformed(description: "truncated: no IEND chunk") }
        (width, height, dataBytes) = (size.0, size.1, data)
    }

    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
