/// One dropout layer's mask at one step, as the fused ops take it: element i is kept when
/// `DropoutMask.uniform(key, i) >= p`, and kept values are scaled by 1/(1 − p), exactly as
/// `dropoutForward` does with the same seed and step.
public struct DropoutDraw: Sendable, Equatable {
    public var p: Float
    public var seed: UInt32
    public var step: UInt32

    public init(p: Float, seed: UInt32, step: UInt32) { self.p = p; self.seed = seed; self.step = step }

    var key: UInt32 { DropoutMask.key(seed: seed, step: step) }
}
