import Compute

/// What Conv2D and ConvTranspose2D share: a square kernel, a weight and a bias per output
/// channel (`convolutionParameters`), and forward and backward passes through their geometry's
/// ops. A conforming layer gives its geometry for an input shape (from its `spec`).
public protocol ConvolutionLayer: BiasedLayer {
    associatedtype Geometry: ConvolutionRun
    var outChannels: Int { get }
    var weight: Parameter { get }
    /// The input of the last forward pass, which backward needs.
    var savedInput: Tensor? { get set }
    func geometry(_ input: [Int]) throws -> Geometry
}

extension ConvolutionLayer {
    public var parameters: [Parameter] { [weight, bias] }

    public func product(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        let g = try geometry(x.shape), b = context.backend
        let y = try b.tensor([g.batch, outChannels, g.outHeight, g.outWidth])
        try g.forward(b, input: x.buffer, weight: weight.value.buffer, output: y.buffer)
        savedInput = x
        return y
    }

    public func productBackward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        let x = try saved(savedInput), g = try geometry(x.shape), b = context.backend
        try g.backwardWeights(b, input: x.buffer, outputGrad: dy.buffer, weightGrad: weight.gradient.buffer)
        guard needsInputGradient else { return nil }
        let dx = try b.tensor(x.shape)
        try g.backwardData(b, outputGrad: dy.buffer, weight: weight.value.buffer, inputGrad: dx.buffer)
        return dx
    }
}

/// A convolution's weight of `weightShape`, drawn by `initialization`, and its bias of
/// `outChannels`: what both convolution layers' initialisers make.
func convolutionParameters(weightShape: [Int], outChannels: Int, backend: any Backend, initialization: Initialization,
                           random: inout SeededRandom) throws -> (weight: Parameter, bias: Parameter) {
    let drawn = initialization.draw(shape: weightShape, biasCount: outChannels, random: &random)
    return (try Parameter(name: "weight", value: backend.tensor(weightShape, values: drawn.weight), backend: backend),
            try Parameter(name: "bias", value: backend.tensor([outChannels], values: drawn.bias), backend: backend))
}
