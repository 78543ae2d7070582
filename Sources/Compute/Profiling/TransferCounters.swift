/// What a backend has asked of its device since it was made: what a GPU cares about in a
/// training step beyond the kernels' own speed. `aekit bench train --profile` prints the
/// median per step of the differences.
public struct TransferCounters: Sendable, Codable, Equatable {
    /// Kernels enqueued (an op may launch several: im2col, GEMM, regroup).
    public var launches = 0
    /// Bytes copied between host memory and device buffers, either way.
    public var bytes = 0
    /// Times the host stopped until the device caught up: blocking reads and writes, `finish`.
    public var blockingWaits = 0

    public init(launches: Int = 0, bytes: Int = 0, blockingWaits: Int = 0) {
        self.launches = launches; self.bytes = bytes; self.blockingWaits = blockingWaits
    }

    public static func - (a: TransferCounters, b: TransferCounters) -> TransferCounters {
        TransferCounters(launches: a.launches - b.launches, bytes: a.bytes - b.bytes,
                         blockingWaits: a.blockingWaits - b.blockingWaits)
    }

    /// Each field's median over `steps` (the lower middle value for an even count).
    public static func median(_ steps: [TransferCounters]) -> TransferCounters {
        func middle(_ values: [Int]) -> Int { values.isEmpty ? 0 : values.sorted()[(values.count - 1) / 2] }
        return TransferCounters(launches: middle(steps.map(\.launches)), bytes: middle(steps.map(\.bytes)),
                                blockingWaits: middle(steps.map(\.blockingWaits)))
    }

    enum CodingKeys: String, CodingKey {
        case launches, bytes
        case blockingWaits = "blocking_waits"
    }
}
