import Compute

/// `Dropout(p=0.5, inplace=False)`.
struct DropoutSpec: LayerKind {
    static let classNames = ["Dropout"]
    let p: Float

    init(p: Float) { self.p = p }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["p", "inplace"])
        _ = try a.bool("inplace")  // in place or not, the values are the same
        self.init(p: Float(try a.number("p") ?? 0.5))
    }

    var arguments: String { "p=\(p), inplace=False" }
    var problem: String? { (0..<1).contains(p) ? nil : "its p must be in [0, 1) (got \(p))" }
    func outputShape(for input: [Int]) throws -> [Int] { input }

    /// Each dropout layer is numbered in order, so its masks are its own.
    func makeLayer(_ build: inout LayerBuild) throws -> any Layer {
        build.dropouts += 1
        return Dropout(p: p, salt: build.dropouts)
    }
}

/// Inverted dropout: in training each element is zeroed with probability p and the rest are
/// scaled by 1/(1−p); in evaluation it passes its input through.
public final class Dropout: Layer {
    public let p: Float
    /// Distinguishes this layer's masks from other dropout layers' at the same step: the
    /// model numbers its dropout layers 1, 2, … in order.
    let salt: UInt32
    /// The mask of the last forward pass (nil: it passed its input through).
    private var dropped: DropoutDraw?

    init(p: Float, salt: UInt32) {
        self.p = p; self.salt = salt
    }

    public var spec: LayerSpec { .dropout(p: p) }

    /// This layer's mask at the context's step, or nil where it passes its input through
    /// (evaluation, or p = 0).
    func draw(_ context: ForwardContext) -> DropoutDraw? {
        guard context.training && p > 0 else { return nil }
        return DropoutDraw(p: p, seed: context.seed &+ salt &* 0x9e37_79b9, step: context.step)
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        dropped = draw(context)
        guard let dropped else { return x }
        let y = try context.backend.tensor(x.shape)
        try context.backend.dropoutForward(x.buffer, output: y.buffer, p: p, seed: dropped.seed, step: dropped.step)
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard needsInputGradient else { return nil }
        guard let dropped else { return dy }
        let dx = try context.backend.tensor(dy.shape)
        try context.backend.dropoutBackward(outputGrad: dy.buffer, inputGrad: dx.buffer, p: p, seed: dropped.seed,
                                            step: dropped.step)
        return dx
    }
}

extension DropoutSpec {
    /// Evaluation passes the input through.
    func onnx(_ layer: ONNXLayer) throws -> String { layer.node("Identity", [layer.input]) }
}
