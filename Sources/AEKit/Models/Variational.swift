import Compute
import Foundation

/// A variational autoencoder is a `Sequential` with a `Reparameterize` layer: the layers before
/// it are the encoder (they give μ and log σ²), those after it the decoder.
extension Sequential {
    /// The index of the model's `Reparameterize` layer, if it is a VAE.
    public var bottleneckIndex: Int? { layers.firstIndex { $0 is Reparameterize } }

    /// The VAE's bottleneck, or an error naming what the model lacks.
    func bottleneck() throws -> (index: Int, layer: Reparameterize) {
        guard let index = bottleneckIndex, let layer = layers[index] as? Reparameterize else {
            throw ModelError.shape("\(spec.name) has no Reparameterize layer: it is not a variational autoencoder")
        }
        return (index, layer)
    }

    /// The encoder's statistics of images `x` (`[N] + spec.input`): `[N, 2·d]`, the means μ
    /// then the log-variances log σ², in evaluation mode.
    public func encodeStatistics(_ x: Tensor) throws -> Tensor {
        let (index, _) = try bottleneck(), context = ForwardContext(backend: backend, training: false)
        return try layers[..<index].reduce(x) { try $1.forward($0, context) }
    }

    /// A VAE's codes of images `x`: their means μ, `[N, d]`.
    func meanCodes(_ x: Tensor) throws -> Tensor {
        let (_, layer) = try bottleneck(), stats = try encodeStatistics(x), rows = stats.shape[0]
        let mean = try backend.tensor([rows, layer.features])
        try backend.reparameterizeForward(stats.buffer, rows: rows, features: layer.features, noise: nil, output: mean.buffer)
        return mean
    }

    /// `count` draws from the prior N(0, I), decoded: what the VAE generates. The draws are
    /// `GaussianDraw`'s for `seed`, the same on every backend.
    public func sample(count: Int, seed: UInt32 = 1) throws -> Tensor {
        let (_, layer) = try bottleneck(), draw = GaussianDraw(seed: seed, step: 0)
        let z = try backend.tensor([count, layer.features], values: (0..<(count * layer.features)).map(draw.normal))
        return try decode(z)
    }
}

extension Figures {
    /// For a 2-dimensional code: the decoder over a `side` × `side` grid of codes placed at the
    /// standard normal's quantiles (i + ½)/side on each axis, as Kingma and Welling's figure 4
    /// draws the learned manifold; the first code axis runs down the rows, the second across.
    public static func manifold(_ model: Sequential, side: Int = 20) throws -> Picture {
        let (_, layer) = try model.bottleneck()
        guard layer.features == 2 else {
            throw ModelError.shape("the manifold figure needs a 2-dimensional code; \(model.spec.name)'s has \(layer.features)")
        }
        let axis = (0..<side).map { Float(standardNormalQuantile((Double($0) + 0.5) / Double(side))) }
        let codes = axis.flatMap { row in axis.flatMap { column in [row, column] } }
        let b = model.backend, decoded = try b.download(model.decode(b.tensor([side * side, 2], values: codes)).buffer)
        let (images, shape) = try pictures(decoded, of: model.spec)
        return grid((0..<side).map { Array(images[($0 * side)..<(($0 + 1) * side)]) }, shape, scale: 1)
    }

    /// Φ⁻¹(p), the standard normal's quantile, for p in (0, 1): Newton's method on Φ(x) =
    /// erfc(−x/√2)/2 from 0, which converges monotonically (Φ is convex below 0, concave above).
    static func standardNormalQuantile(_ p: Double) -> Double {
        var x = 0.0
        for _ in 0..<100 {
            let step = (0.5 * erfc(-x / 2.0.squareRoot()) - p) / (exp(-0.5 * x * x) / (2 * Double.pi).squareRoot())
            x -= step
            if abs(step) < 1e-12 { break }
        }
        return x
    }

    /// A strip decoding the straight line between the codes (μ) of two images: `from`, `steps`
    /// decodes from its code to the other's, then `to`.
    public static func interpolation(_ model: Sequential, from: ArraySlice<Float>, to: ArraySlice<Float>,
                                     steps: Int = 10) throws -> Picture {
        let b = model.backend, shape = model.spec.input
        let x = try b.tensor([2] + shape, values: Array(from) + Array(to))
        let codes = try b.download(model.encode(x).buffer), d = codes.count / 2
        let line = (0..<steps).flatMap { step -> [Float] in
            let t = Float(step) / Float(max(steps - 1, 1))
            return (0..<d).map { (1 - t) * codes[$0] + t * codes[d + $0] }
        }
        let decoded = try b.download(model.decode(b.tensor([steps, d], values: line)).buffer)
        let (images, image) = try pictures(decoded, of: model.spec)
        return grid([[from] + images + [to]], image)
    }

    /// A grid of a VAE's `count` draws from the prior (all `rows` × `columns` by default), row
    /// by row.
    public static func samples(_ model: Sequential, rows: Int = 8, columns: Int = 8, seed: UInt32 = 1,
                               count: Int? = nil) throws -> Picture {
        let count = count ?? rows * columns
        let drawn = try model.backend.download(model.sample(count: count, seed: seed).buffer)
        let (images, shape) = try pictures(drawn, of: model.spec)
        return grid((0..<rows).map { Array(images[min($0 * columns, count)..<min(($0 + 1) * columns, count)]) }, shape)
    }

    /// `values`, one example of `spec`'s input after another, as pictures of the input's image
    /// shape (`ModelSpec.imageShape`: `[C, H, W]`, `[H, W]` or a flat square or three).
    private static func pictures(_ values: [Float], of spec: ModelSpec) throws
        -> (images: [ArraySlice<Float>], shape: [Int]) {
        guard let (channels, height, width) = spec.imageShape, channels == 1 || channels == 3 else {
            throw ModelError.shape("\(spec.name)'s input \(spec.input) is not an image to draw")
        }
        let size = spec.input.reduce(1, *)
        return (stride(from: 0, to: values.count, by: size).map { values[$0..<($0 + size)] }, [channels, height, width])
    }
}
