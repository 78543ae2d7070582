import CPUKernels

/// Standard normal draws for a variational autoencoder's sample z = μ + σ·ε: like the dropout
/// masks a pure function of (seed, step, index), so the CPU backend and every OpenCL device draw
/// the same ε without sharing state, and the backward pass draws it again instead of storing
/// it. ε for element i is Box–Muller's √(−2 ln(1 − u₁))·cos(2π·u₂) of the counter-based
/// uniforms u₁, u₂ at indices 2i and 2i + 1, under a key of its own (not the dropout masks' of
/// the same seed and step). Written once for the host (`gaussian_normal` in `CPUKernels.h`) and
/// once for devices (`Kernels/gaussian.cl`); the parity test holds them together.
public struct GaussianDraw: Sendable, Equatable {
    public var seed: UInt32
    public var step: UInt32

    public init(seed: UInt32, step: UInt32) { self.seed = seed; self.step = step }

    var key: UInt32 { DropoutMask.key(seed: seed ^ 0x6a09_e667, step: step) }

    /// ε for element `index`.
    public func normal(_ index: Int) -> Float { gaussian_normal(key, UInt32(truncatingIfNeeded: index)) }
}
