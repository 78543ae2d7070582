import CPUKernels

/// The counter-based random numbers behind dropout: a pure function of (seed, step, index),
/// so the CPU backend and every OpenCL device draw the same mask without sharing state,
/// and the backward pass redraws the mask instead of storing it.
/// The arithmetic is written once for the host, in `CPUKernels.h` (`dropout_mix`), and once
/// for devices, in `Kernels/dropout.cl`; the parity test holds them together.
public enum DropoutMask {
    /// The key for one (seed, step) pair.
    @inline(__always)
    public static func key(seed: UInt32, step: UInt32) -> UInt32 { dropout_key(seed, step) }

    /// The key of salt-and-pepper noise for one (seed, step) pair: a different stream from
    /// the dropout masks drawn with the same seed and step.
    @inline(__always)
    public static func noiseKey(seed: UInt32, step: UInt32) -> UInt32 { dropout_key(seed ^ 0x5a17_ca7e, step) }

    /// A uniform number in [0, 1) with 24 random bits, exact in Float32.
    @inline(__always)
    public static func uniform(key: UInt32, index: UInt32) -> Float { dropout_uniform(key, index) }

    /// Whether element `index` is kept when dropping with probability `p`.
    @inline(__always)
    public static func keeps(key: UInt32, index: UInt32, p: Float) -> Bool { uniform(key: key, index: index) >= p }
}
