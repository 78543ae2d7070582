/// A loss taken element by element between a reconstruction and its target, besides MSE (which
/// has its own op, `mseLoss`): what `Backend.pixelLoss` computes. The formulas are PyTorch's
/// (`BCELoss`, `BCEWithLogitsLoss`, `L1Loss`, mean reduction), written once per language in
/// `Sources/CPUKernels/pixel_loss.c` and `Kernels/loss.cl`; the raw value is the kernels' `kind`.
public enum PixelLoss: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Binary cross-entropy on probabilities p: −(t·log p + (1 − t)·log(1 − p)), each log
    /// clamped at −100 as PyTorch clamps it; gradient (p − t) / max(p·(1 − p), 1e-12).
    case bce = 0
    /// Binary cross-entropy on logits z, in the stable form max(z, 0) − z·t + log(1 + e^−|z|);
    /// gradient σ(z) − t.
    case bceWithLogits = 1
    /// |p − t|; gradient sign(p − t), 0 where they are equal.
    case l1 = 2

    public var description: String {
        switch self {
        case .bce: "bce"
        case .bceWithLogits: "bce_with_logits"
        case .l1: "l1"
        }
    }
}
