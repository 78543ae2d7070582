import Compute

/// The fusion pass: which runs of a model's layers execute as one block. A layer with a bias
/// (Linear, Conv2d, ConvTranspose2d), then the activation after it (any but GELU and SiLU), then
/// the Dropout after that, become one `BiasActivationBlock`: the product, then bias +
/// activation + dropout in one pass forward and one backward (which also sums the bias
/// gradient), where the unfused layers take three passes each way. Every other layer runs on
/// its own.
///
/// The pass reads only the layer list, so it is the same for every backend, and the fused model
/// is the same model: the same parameters, the same numbers (`--no-fuse` runs it unfused).
public enum Fusion {
    /// The model's layers cut into the runs that execute as one, in order; every index of
    /// `layers` is in exactly one.
    public static func blocks(_ layers: [LayerSpec]) -> [Range<Int>] {
        var blocks: [Range<Int>] = [], start = 0
        while start < layers.count {
            var end = start + 1
            if layers[start].hasBias {
                if end < layers.count, activationFunction(layers[end]) != nil { end += 1 }
                if end < layers.count, layers[end].definition is DropoutSpec { end += 1 }
            }
            blocks.append(start..<end)
            start = end
        }
        return blocks
    }

    /// The fused activation a layer is, if it is one: any activation whose gradient follows
    /// from its output, since the fused forward pass overwrites its input (GELU and SiLU run
    /// as layers of their own, after their product layer).
    static func activationFunction(_ layer: LayerSpec) -> ActivationFunction? {
        guard let function = (layer.definition as? ActivationSpec)?.function, function.gradientFromOutput else { return nil }
        return function
    }

    /// What runs the layers of `block`: the layer itself, or a `BiasActivationBlock` of them.
    static func stage(_ layers: ArraySlice<any Layer>) -> any Differentiable {
        guard layers.count > 1, let product = layers.first as? any ProductLayer, let bias = product.bias else {
            return layers.first!
        }
        let rest = layers.dropFirst()
        let activation = rest.first.flatMap { activationFunction($0.spec) } ?? ActivationFunction.none
        return BiasActivationBlock(product, bias: bias, activation: activation, dropout: rest.last as? Dropout)
    }
}

/// A layer with a bias and the activation and dropout after it, run as one: forward, the
/// layer's `productBiasActivation` (one op for Linear and Conv2D: the GEMM's epilogue);
/// backward, `biasActivationBackward` (input gradient and bias gradient at once), then the
/// product's backward pass.
final class BiasActivationBlock: Differentiable {
    let layer: any ProductLayer
    let bias: Parameter
    let activation: ActivationFunction
    let dropout: Dropout?
    /// The output of the last forward pass, and the dropout mask it drew.
    private var output: Tensor?
    private var drawn: DropoutDraw?

    init(_ layer: any ProductLayer, bias: Parameter, activation: ActivationFunction, dropout: Dropout?) {
        self.layer = layer; self.bias = bias; self.activation = activation; self.dropout = dropout
    }

    func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        drawn = dropout?.draw(context)
        let y = try layer.productBiasActivation(x, bias: bias, activation: activation, dropout: drawn, context)
        output = y
        return y
    }

    func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let y = output else { throw ModelError.backwardBeforeForward(layer.kind) }
        let (channels, inner) = biasView(y.shape), b = context.backend
        let dz = try b.tensor(y.shape)
        try b.biasActivationBackward(output: y.buffer, outputGrad: dy.buffer, channels: channels, inner: inner,
                                     activation: activation, dropout: drawn, inputGrad: dz.buffer,
                                     biasGrad: bias.gradient.buffer)
        return try layer.productBackward(dz, needsInputGradient: needsInputGradient, context)
    }
}
