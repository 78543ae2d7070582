/// The counter-based random numbers behind dropout: a pure function of (seed, step, index),
/// so the CPU backend and every OpenCL device draw the same mask without sharing state,
/// and the backward pass redraws the mask instead of storing it.
/// `Kernels/dropout.cl` implements the same arithmetic; the parity test holds them together.
public enum DropoutMask {
    /// A 32-bit integer hash with good avalanche (the "lowbias32" constants).
    @inline(__always)
    static func mix(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16; x = x &* 0x7feb_352d
        x ^= x >> 15; x = x &* 0x846c_a68b
        x ^= x >> 16
        return x
    }

    /// `mix` on eight values at once (the CPU backend's vectorised dropout).
    @inline(__always)
    static func mix(_ value: SIMD8<UInt32>) -> SIMD8<UInt32> {
        var x = value
        x ^= x &>> 16; x = x &* 0x7feb_352d
        x ^= x &>> 15; x = x &* 0x846c_a68b
        x ^= x &>> 16
        return x
    }

    /// The key for one (seed, step) pair.
    @inline(__always)
    public static func key(seed: UInt32, step: UInt32) -> UInt32 { mix(seed ^ mix(step &+ 0x9e37_79b9)) }

    /// A uniform number in [0, 1) with 24 random bits, exact in Float32.
    @inline(__always)
    public static func uniform(key: UInt32, index: UInt32) -> Float {
        Float(mix(mix(index) ^ key) >> 8) * (1.0 / 16_777_216.0)
    }

    /// `uniform` for eight indices at once.
    @inline(__always)
    static func uniform(key: UInt32, indices: SIMD8<UInt32>) -> SIMD8<Float> {
        SIMD8<Float>(mix(mix(indices) ^ key) &>> 8) * (1.0 / 16_777_216.0)
    }

    /// Whether element `index` is kept when dropping with probability `p`.
    @inline(__always)
    public static func keeps(key: UInt32, index: UInt32, p: Float) -> Bool { uniform(key: key, index: index) >= p }
}
