import Compute

/// Inverted dropout: in training each element is zeroed with probability p and the rest are
/// scaled by 1/(1−p); in evaluation it passes its input through.
public final class Dropout: Layer {
    public let p: Float
    /// Distinguishes this layer's masks from other dropout layers' at the same step: the
    /// model numbers its dropout layers 1, 2, … in order.
    let salt: UInt32
    private var dropped = false

    init(p: Float, salt: UInt32) {
        self.p = p; self.salt = salt
    }

    public var spec: LayerSpec { .dropout(p: p) }

    private func seed(_ context: ForwardContext) -> UInt32 { context.seed &+ salt &* 0x9e37_79b9 }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        dropped = context.training && p > 0
        guard dropped else { return x }
        let y = try context.backend.tensor(x.shape)
        try context.backend.dropoutForward(x.buffer, output: y.buffer, p: p, seed: seed(context), step: context.step)
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard needsInputGradient else { return nil }
        guard dropped else { return dy }
        let dx = try context.backend.tensor(dy.shape)
        try context.backend.dropoutBackward(outputGrad: dy.buffer, inputGrad: dx.buffer, p: p, seed: seed(context), step: context.step)
        return dx
    }
}
