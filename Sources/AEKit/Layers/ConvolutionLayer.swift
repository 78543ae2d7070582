import Compute

/// What Conv2D and ConvTranspose2D share: a square kernel, a weight and (unless bias=False) a
/// bias per output channel (`productParameters`), and forward and backward passes through their
/// geometry's ops. A conforming layer gives its geometry for an input shape (from its `spec`).
public protocol ConvolutionLayer: ProductLayer {
    associatedtype Geometry: ConvolutionRun
    var outChannels: Int { get }
    /// The input of the last forward pass, which backward needs.
    var savedInput: Tensor? { get set }
    func geometry(_ input: [Int]) throws -> Geometry
}

extension ConvolutionLayer {
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

/// What the kinds of Conv2d and ConvTranspose2d share: channels, a square kernel, a geometry on
/// an input, and from these the output shape and the parameter count.
protocol ConvolutionKind: ProductKind {
    associatedtype Geometry: ConvolutionRun
    var inChannels: Int { get }
    var outChannels: Int { get }
    var kernel: Int { get }
    /// The convolution on `input`; throws where the input does not fit.
    func geometry(_ input: [Int]) throws -> Geometry
}

extension ConvolutionKind {
    func outputShape(for input: [Int]) throws -> [Int] {
        let g = try geometry(input)
        return [g.batch, outChannels, g.outHeight, g.outWidth]
    }

    var parameterCount: Int { outChannels * inChannels * kernel * kernel + (bias ? outChannels : 0) }
}

/// A product layer's weight of `weightShape`, drawn by `initialization`, and where `bias`, its
/// bias, one per output (feature or channel): what every product layer's initialiser makes.
/// Without a bias nothing more is drawn.
func productParameters(weightShape: [Int], outputs: Int, bias: Bool, backend: any Backend,
                       initialization: Initialization, random: inout SeededRandom) throws -> (weight: Parameter, bias: Parameter?) {
    let biasCount = bias ? outputs : 0
    let drawn = initialization.draw(shape: weightShape, biasCount: biasCount, random: &random)
    return (try Parameter(name: "weight", value: backend.tensor(weightShape, values: drawn.weight), backend: backend),
            bias ? try Parameter(name: "bias", value: backend.tensor([biasCount], values: drawn.bias), backend: backend) : nil)
}
