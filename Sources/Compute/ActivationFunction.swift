/// An elementwise activation, with its parameters: what `activationForward`/`activationBackward`
/// apply on their own and what the fused ops (`biasActivationForward`, the GEMM's and the
/// convolution's epilogues) apply after a bias. Each kind's arithmetic is written once per
/// language: `activate` and its gradients in `Sources/CPUKernels/activation.h` and
/// `Kernels/prelude.cl`; PyTorch's formulas, including its choices at the kinks
/// (LeakyReLU and ELU take the x ≤ 0 branch at 0, Hardtanh's gradient is 0 at its limits).
///
/// `kind`'s raw value is the kernels' `activation` argument, `alpha` and `beta` their
/// `act_alpha` and `act_beta`, so the numbers are part of the ops' contract.
public struct ActivationFunction: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Int32, Sendable, CaseIterable {
        /// `Identity()`: y = x.
        case none = 0
        case relu = 1, sigmoid = 2, tanh = 3
        /// alpha = negative_slope: y = x for x > 0, else alpha·x.
        case leakyReLU = 4
        /// alpha: y = x for x > 0, else alpha·(eˣ − 1).
        case elu = 5
        /// GELU(approximate='none'): x·Φ(x), Φ the normal distribution's CDF.
        case gelu = 6
        /// GELU(approximate='tanh'): ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))).
        case geluTanh = 7
        /// x·σ(x).
        case silu = 8
        /// alpha = min_val, beta = max_val: x clamped to [alpha, beta].
        case hardtanh = 9
        /// alpha = beta (PyTorch's name), beta = threshold: log(1 + e^{βx})/β, or x where βx > threshold.
        case softplus = 10
    }

    public var kind: Kind
    public var alpha: Float
    public var beta: Float

    public init(_ kind: Kind, alpha: Float = 0, beta: Float = 0) { self.kind = kind; self.alpha = alpha; self.beta = beta }

    public static let none = ActivationFunction(.none)
    public static let relu = ActivationFunction(.relu)
    public static let sigmoid = ActivationFunction(.sigmoid)
    public static let tanh = ActivationFunction(.tanh)
    public static let silu = ActivationFunction(.silu)
    public static func leakyReLU(negativeSlope: Float = 0.01) -> ActivationFunction { .init(.leakyReLU, alpha: negativeSlope) }
    public static func elu(alpha: Float = 1) -> ActivationFunction { .init(.elu, alpha: alpha) }
    public static func gelu(tanhApproximation: Bool = false) -> ActivationFunction { .init(tanhApproximation ? .geluTanh : .gelu) }
    public static func hardtanh(min: Float = -1, max: Float = 1) -> ActivationFunction { .init(.hardtanh, alpha: min, beta: max) }
    public static func softplus(beta: Float = 1, threshold: Float = 20) -> ActivationFunction {
        .init(.softplus, alpha: beta, beta: threshold)
    }

    /// One of every kind, with parameters away from PyTorch's defaults where it has any: what
    /// the parity cases and the gradient checks run.
    public static let examples: [ActivationFunction] = [
        .none, .relu, .sigmoid, .tanh, .leakyReLU(negativeSlope: 0.2), .leakyReLU(negativeSlope: -0.3), .elu(alpha: 0.7),
        .elu(alpha: -0.5), .gelu(), .gelu(tanhApproximation: true), .silu, .hardtanh(min: -0.5, max: 2),
        .softplus(beta: 2, threshold: 5),
    ]

    /// Whether the gradient follows from the output y alone: then a layer keeps only its
    /// output, and a fused block can overwrite its pre-activation in place, as
    /// `biasActivationBackward` requires. Not for GELU and SiLU (not invertible), nor for a
    /// LeakyReLU slope or an ELU alpha below 0 (y's sign then no longer tells x's branch); those
    /// keep their input, as PyTorch does (its in-place ELU refuses a negative alpha instead).
    public var gradientFromOutput: Bool {
        switch kind {
        case .gelu, .geluTanh, .silu: false
        case .leakyReLU, .elu: alpha >= 0
        default: true
        }
    }

    /// What makes the parameters unusable; nil when sound: Hardtanh's limits must be ordered,
    /// Softplus' beta positive.
    public var problem: String? {
        guard alpha.isFinite, beta.isFinite else { return "its parameters must be finite numbers" }
        switch kind {
        case .hardtanh where !(alpha < beta): return "its min_val (\(alpha)) must be below its max_val (\(beta))"
        case .softplus where !(alpha > 0): return "its beta must be > 0 (got \(alpha))"
        default: return nil
        }
    }

    public var description: String {
        switch kind {
        case .none: "none"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .leakyReLU: "leaky_relu(\(alpha))"
        case .elu: "elu(\(alpha))"
        case .gelu: "gelu"
        case .geluTanh: "gelu_tanh"
        case .silu: "silu"
        case .hardtanh: "hardtanh(\(alpha), \(beta))"
        case .softplus: "softplus(\(alpha), \(beta))"
        }
    }
}
