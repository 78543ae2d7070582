import Compute
import Foundation

extension ModelSpec {
    /// How many of the model's first layers make its encoder: their output is the code. The
    /// code is the first layer output with the fewest values per example, with the activations
    /// that follow it (not a Dropout): dense-64's Linear and ReLU (2), conv-keras' three
    /// Conv/ReLU/MaxPool blocks and their 4×4×8 code (9), conv-linear's encoder up to the bottleneck's ReLU (11).
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

/// Which layers of an autoencoder a file or command takes.
public enum ModelPart: String, CaseIterable, Sendable {
    /// Every layer.
    case all
    /// The layers up to the code: `ModelSpec.codeLayers`, or a VAE's up to its `Reparameterize`,
    /// which in evaluation gives the means μ.
    case encoder
    /// The layers after the code, from a code to an image.
    case decoder
}

extension ModelSpec {
    /// The layers of `part`; a classifier has no encoder or decoder to take apart.
    public func layers(of part: ModelPart) throws -> Range<Int> {
        guard part == .all || isAutoencoder else {
            throw ModelError.invalid("\(name) is a classifier: it has no \(part.rawValue) to take apart; export --part all")
        }
        let code = layers.firstIndex { $0.kind == "Reparameterize" }.map { $0 + 1 } ?? codeLayers
        switch part {
        case .all: return 0..<layers.count
        case .encoder: return 0..<code
        case .decoder:
            guard code < layers.count else { throw ModelError.invalid("\(name) has no layers after its code: no decoder") }
            return code..<layers.count
        }
    }
}

extension ModelSpec {
    /// Why a model without a loss (an encoder or decoder alone) is not trained or evaluated.
    static func partProblem(_ name: String) -> String {
        "\(name) has no loss (an encoder or decoder taken from an autoencoder): train or evaluate the whole "
            + "autoencoder, then take the part"
    }
}

extension Sequential {
    /// `part` of the model as a model of its own, on the same backend with copies of its
    /// weights and BatchNorm statistics, its layers numbered from 0 (so its checkpoint's names
    /// are those of an `nn.Sequential` of just those layers), its input the part's (the code,
    /// for the decoder), and no loss: it runs (`predict`, `forward`), saves, loads and exports,
    /// but is not trained or evaluated on its own.
    public func part(_ part: ModelPart) throws -> Sequential {
        let range = try spec.layers(of: part)
        let partSpec = ModelSpec(input: try inputShape(of: part), loss: part == .all ? spec.loss : .none,
                                 initialization: spec.initialization, layers: Array(spec.layers[range]),
                                 label: part == .all ? spec.label : "\(spec.name)-\(part.rawValue)")
        let model = try Sequential(partSpec, backend: backend, seed: 0, fused: isFused)
        // This model's tensors, renamed to the part's numbering; layers outside it left out.
        let entries = try Checkpoint.entries(of: self).compactMap { entry -> SafeTensors.Entry? in
            guard let index = Int(entry.name.prefix { $0.isNumber }), range.contains(index) else { return nil }
            let rest = entry.name.drop { $0.isNumber }
            return SafeTensors.Entry(name: "\(index - range.lowerBound)\(rest)", shape: entry.shape, values: entry.values,
                                     dtype: entry.dtype)
        }
        try Checkpoint.loadParameters(entries, path: "\(spec.name)'s \(part.rawValue)", into: model)
        return model
    }

    /// `part`'s layers on `x` in evaluation mode, what its ONNX graph computes: the encoder's
    /// code (unflattened), the decoder's image from a code shaped as the encoder gives it.
    public func forward(_ part: ModelPart, _ x: Tensor) throws -> Tensor {
        let context = ForwardContext(backend: backend, training: false)
        return try layers[try spec.layers(of: part)].reduce(x) { try $1.forward($0, context) }
    }

    /// The shape of one example of `part`'s input: the model's, or for the decoder the code's.
    public func inputShape(of part: ModelPart) throws -> [Int] {
        let first = try spec.layers(of: part).lowerBound
        return first == 0 ? spec.input : Array(try spec.shapes(batch: 1)[first - 1].dropFirst())
    }
}
