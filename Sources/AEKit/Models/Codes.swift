import Compute
import Foundation

extension ModelSpec {
    /// How many of the model's first layers make its encoder: their output is the code. The
    /// code is the first layer output with the fewest values per example, with the activations
    /// that follow it (not a Dropout): dense-64's Linear and ReLU (2), conv-keras' three
    /// Conv/ReLU/MaxPool blocks and their 4×4×8 code (9), S4's encoder up to the bottleneck's ReLU (11).
    public var codeLayers: Int {
        let sizes = ((try? shapes(batch: 1)) ?? []).map { $0.reduce(1, *) }
        guard let smallest = sizes.min(), var last = sizes.firstIndex(of: smallest) else { return layers.count }
        while last + 1 < layers.count, layers[last + 1] == .relu || layers[last + 1] == .sigmoid { last += 1 }
        return last + 1
    }
}

/// An autoencoder's two halves: the encoder (the first `ModelSpec.codeLayers` layers, or a
/// VAE's layers up to its `Reparameterize`, giving μ) and the decoder (the rest).
extension Sequential {
    /// The codes of images `x` (`[N] + spec.input`), in evaluation mode, as `[N, d]`: a VAE's
    /// means μ, or the output of the encoder's layers, flattened.
    public func encode(_ x: Tensor) throws -> Tensor {
        guard spec.isAutoencoder else { throw ModelError.shape("\(spec.name) is a classifier: it has no code to give") }
        if bottleneckIndex != nil { return try meanCodes(x) }
        let context = ForwardContext(backend: backend, training: false)
        let h = try layers.prefix(spec.codeLayers).reduce(x) { try $1.forward($0, context) }
        return Tensor(shape: [h.shape[0], h.count / h.shape[0]], buffer: h.buffer)
    }

    /// The images the decoder makes of codes `z` (`[N, d]`, as `encode` gives them): the
    /// reconstruction (for a model trained on logits, their sigmoid), in evaluation mode.
    public func decode(_ z: Tensor) throws -> Tensor {
        guard spec.isAutoencoder else { throw ModelError.shape("\(spec.name) is a classifier: it has no decoder") }
        let first: Int, codeShape: [Int]
        if let (index, layer) = try? bottleneck() {
            (first, codeShape) = (index + 1, [layer.features])
        } else {
            first = spec.codeLayers
            codeShape = Array(try spec.shapes(batch: 1)[first - 1].dropFirst())
        }
        let width = codeShape.reduce(1, *)
        guard z.shape.count == 2, z.shape[1] == width else {
            throw ModelError.shape("decode: codes must be [count, \(width)]; got \(z.shape)")
        }
        let context = ForwardContext(backend: backend, training: false)
        let code = Tensor(shape: [z.shape[0]] + codeShape, buffer: z.buffer)
        let y = try layers[first...].reduce(code) { try $1.forward($0, context) }
        return try spec.reconstruction(of: y, backend: backend)
    }

    /// The codes of every image of `data`, `[count, d]` row after row, computed in batches.
    public func codes(_ data: Dataset, batchSize: Int = 1000) throws -> (values: [Float], width: Int) {
        var values: [Float] = [], width = 0
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let range = start..<min(start + batchSize, data.count)
            let code = try encode(backend.tensor([range.count] + spec.input, values: data.images(range)))
            width = code.shape[1]
            values += try backend.download(code.buffer)
        }
        return (values, width)
    }
}
