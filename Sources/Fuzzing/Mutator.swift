import Compute
import Foundation

/// A seeded mutation fuzzer: each input is a seed file changed a few times, by byte edits
/// anywhere and, more often, edits aimed at headers: numbers swapped for the values that
/// break size arithmetic (0, −1, 2³¹, 2⁶³ − 1, …), length fields rewritten, JSON strings
/// swapped for the paths that break path code (`AwkwardPath`), cuts and splices.
/// The same seed gives the same inputs, so a crash it finds can be replayed.
public struct Mutator {
    private var random: SeededRandom
    private let seeds: [Data]

    public init(seeds: [Data], seed: UInt64) {
        precondition(!seeds.isEmpty)
        self.seeds = seeds
        random = SeededRandom(seed: seed)
    }

    /// Numbers that overflow, underflow or run past the end when used as sizes and offsets.
    static let interestingNumbers = ["0", "-1", "1", "3", "255", "65535", "2147483647", "2147483648", "4294967296",
                                     "1099511627776", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
                                     "1e30", "0.5", "-0", "NaN"]
    static let interestingWords: [UInt32] = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]

    public mutating func next() -> Data {
        var bytes = [UInt8](seeds[Int(random.next() % UInt64(seeds.count))])
        for _ in 0...(random.next() % 4) { mutate(&bytes) }
        return Data(bytes)
    }

    private mutating func index(_ count: Int) -> Int { count == 0 ? 0 : Int(random.next() % UInt64(count)) }

    /// The region where a format's header is: the first 8 bytes plus the safetensors JSON
    /// (its length is the first 8 bytes), or the IDX header's few words.
    private func headerEnd(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 8 else { return bytes.count }
        let length = littleEndianUInt64(bytes[0..<8])
        return length < UInt64(bytes.count - 8) ? 8 + Int(length) : min(bytes.count, 24)
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        let header = headerEnd(bytes)
        switch random.next() % 10 {
        case 0:  // a bit flip anywhere
            guard !bytes.isEmpty else { return }
            bytes[index(bytes.count)] ^= 1 << UInt8(random.next() % 8)
        case 1, 2:  // a bit flip in the header
            guard header > 0 else { return }
            bytes[index(header)] ^= 1 << UInt8(random.next() % 8)
        case 3, 4:  // a decimal number in the header replaced by an interesting one
            let digits = (0..<header).filter { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
            guard !digits.isEmpty else { return }
            var start = digits[index(digits.count)], end = start
            while start > 0 && (bytes[start - 1] >= 0x30 && bytes[start - 1] <= 0x39 || bytes[start - 1] == 0x2d) { start -= 1 }
            while end < header && bytes[end] >= 0x30 && bytes[end] <= 0x39 { end += 1 }
            let number = Mutator.interestingNumbers[index(Mutator.interestingNumbers.count)]
            bytes.replaceSubrange(start..<end, with: Array(number.utf8))
            if random.next() % 2 == 0 { fixLength(&bytes, delta: number.utf8.count - (end - start)) }
        case 5:  // a big-endian 32-bit word (an IDX dimension, magic) set to an interesting value
            guard bytes.count >= 4 else { return }
            let at = index(min(bytes.count, 24) / 4) * 4
            let word = Mutator.interestingWords[index(Mutator.interestingWords.count)]
            for k in 0..<4 where at + k < bytes.count { bytes[at + k] = UInt8(word >> (24 - 8 * UInt32(k)) & 0xff) }
        case 6:  // the safetensors length field set to an interesting value
            guard bytes.count >= 8 else { return }
            let value = UInt64(Mutator.interestingWords[index(Mutator.interestingWords.count)]) &+ UInt64(random.next() % 3) &- 1
            for k in 0..<8 { bytes[k] = UInt8(value >> (8 * UInt64(k)) & 0xff) }
        case 7:  // cut the file short, or drop a slice of it
            guard !bytes.isEmpty else { return }
            if random.next() % 2 == 0 { bytes.removeLast(index(bytes.count) + 1) } else {
                let start = index(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + index(16)))
            }
        case 8:  // a JSON string (a path in a record, a tensor's name) replaced by an awkward path
            let quotes = bytes.indices.filter { bytes[$0] == 0x22 && ($0 == 0 || bytes[$0 - 1] != 0x5c) }
            guard quotes.count >= 2 else { return }
            let pair = index(quotes.count / 2) * 2
            let literal = Array(AwkwardPath.allCases[index(AwkwardPath.allCases.count)].jsonLiteral.utf8)
            let replaced = quotes[pair]...quotes[pair + 1]
            bytes.replaceSubrange(replaced, with: literal)
            // Inside a safetensors header, its length field follows (a JSON record has none).
            if replaced.upperBound < header { fixLength(&bytes, delta: literal.count - replaced.count) }
        default:  // a slice of the file copied elsewhere in it (or past its end)
            guard !bytes.isEmpty else { return }
            let start = index(bytes.count), length = 1 + index(min(64, bytes.count - start))
            let slice = Array(bytes[start..<(start + length)])
            bytes.insert(contentsOf: slice, at: index(bytes.count + 1))
        }
    }

    /// Keeps a safetensors header's length field in step with an edit of `delta` bytes, so the
    /// edit reaches the JSON parser rather than failing the length check.
    private func fixLength(_ bytes: inout [UInt8], delta: Int) {
        guard bytes.count >= 8 else { return }
        let length = littleEndianUInt64(bytes[0..<8])
        let fixed = UInt64(bitPattern: Int64(bitPattern: length) &+ Int64(delta))
        for k in 0..<8 { bytes[k] = UInt8(fixed >> (8 * UInt64(k)) & 0xff) }
    }

    /// Runs `count` inputs through `target`; returns how long it took in seconds. A crash
    /// ends the process, as it should; the same seed replays the same inputs.
    public static func run(_ target: FuzzTarget, count: Int, seed: UInt64) throws -> Double {
        var mutator = Mutator(seeds: try target.seeds(), seed: seed)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<count { target.run(mutator.next()) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
}
