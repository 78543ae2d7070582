/// How a batch normalisation op normalises (`Backend.batchNormForward`): by the batch's own
/// statistics (training, or a layer that tracks none), or by the running ones (evaluation).
public enum BatchNormMode: Sendable, Equatable, CustomStringConvertible {
    /// The batch's mean and biased variance. With `runningFactor` f, the running statistics
    /// move toward the batch's: running ← (1 − f)·running + f·batch, with the batch's unbiased
    /// variance, as PyTorch updates them (f is the momentum, or 1/n for the cumulative average).
    case batch(runningFactor: Float?)
    /// The running mean and variance.
    case running

    /// The kernels' `use_batch` and `running_factor` (below 0: no running update).
    var kernelFlags: (useBatch: Bool, runningFactor: Float) {
        switch self {
        case .batch(let factor): (true, factor ?? -1)
        case .running: (false, -1)
        }
    }

    /// `batch`, `batch, running × 0.1`, `running`: how a parity case or a bench row names it.
    public var description: String {
        switch self {
        case .batch(nil): "batch"
        case .batch(let factor?): "batch, running × \(factor)"
        case .running: "running"
        }
    }
}

/// The tensors of one batch normalisation, viewed as bias ops view theirs: `[outer, channels,
/// inner]` (BatchNorm1d on `[N, C]`: inner 1; BatchNorm2d on `[N, C, H, W]`: inner H·W).
public struct BatchNormShape: Sendable, Equatable, CustomStringConvertible {
    public var outer: Int, channels: Int, inner: Int
    public init(outer: Int, channels: Int, inner: Int) { self.outer = outer; self.channels = channels; self.inner = inner }
    /// The values each channel's statistics are taken over.
    public var perChannel: Int { outer * inner }
    public var count: Int { outer * channels * inner }
    public var description: String { "\(outer)x\(channels)x\(inner)" }
}
