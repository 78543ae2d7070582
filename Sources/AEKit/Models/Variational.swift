import Compute

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

    /// The codes of images `x`: their means μ, `[N, d]`.
    public func encode(_ x: Tensor) throws -> Tensor {
        let (_, layer) = try bottleneck(), stats = try encodeStatistics(x), rows = stats.shape[0]
        let mean = try backend.tensor([rows, layer.features])
        try backend.reparameterizeForward(stats.buffer, rows: rows, features: layer.features, noise: nil, output: mean.buffer)
        return mean
    }

    /// The decoder's images for codes `z` (`[N, d]`): the reconstruction (for a model trained on
    /// logits, their sigmoid), in evaluation mode.
    public func decode(_ z: Tensor) throws -> Tensor {
        let (index, layer) = try bottleneck()
        guard z.shape.count == 2, z.shape[1] == layer.features else {
            throw ModelError.shape("decode: codes must be [count, \(layer.features)]; got \(z.shape)")
        }
        let context = ForwardContext(backend: backend, training: false)
        let y = try layers[(index + 1)...].reduce(z) { try $1.forward($0, context) }
        return try spec.reconstruction(of: y, backend: backend)
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
    /// A grid of a VAE's `count` draws from the prior (all `rows` × `columns` by default), row
    /// by row.
    public static func samples(_ model: Sequential, rows: Int = 8, columns: Int = 8, seed: UInt32 = 1,
                               count: Int? = nil) throws -> GrayImage {
        let count = count ?? rows * columns
        let images = try model.backend.download(model.sample(count: count, seed: seed).buffer)
        let (height, width) = (model.spec.input[model.spec.input.count - 2], model.spec.input[model.spec.input.count - 1])
        let size = height * width
        return grid((0..<rows).map { r in
            (0..<columns).compactMap { c in
                let i = r * columns + c
                return i < count ? images[(i * size)..<((i + 1) * size)] : nil
            }
        }, height: height, width: width)
    }
}
