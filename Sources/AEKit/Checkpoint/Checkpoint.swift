import Compute
import Foundation

/// A model saved as safetensors with PyTorch's state_dict names and layouts, and its
/// `ModelSpec` in the metadata so AEKit can rebuild the model from the file alone.
public enum Checkpoint {
    static let specKey = "aekit.model"

    public static func save(_ model: Sequential, to path: String, extraMetadata: [String: String] = [:]) throws {
        let entries = try model.namedParameters.map { name, parameter in
            SafeTensors.Entry(name: name, shape: parameter.shape, values: try model.backend.download(parameter.value.buffer))
        }
        var metadata = extraMetadata
        metadata["format"] = "pt"
        metadata[specKey] = String(decoding: try JSONEncoder().encode(model.spec), as: UTF8.self)
        try writeAtomically(SafeTensors.encode(entries, metadata: metadata), to: path)
    }

    /// The spec recorded in a checkpoint.
    public static func spec(at path: String) throws -> ModelSpec {
        let (_, metadata) = try SafeTensors.read(path)
        guard let json = metadata[specKey], let spec = try? JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8)) else {
            throw ModelError.checkpoint("\(path) does not record an AEKit model (no \(specKey) metadata)")
        }
        return spec
    }

    /// Rebuilds the model a checkpoint holds, on `backend`.
    public static func load(_ path: String, backend: any Backend) throws -> Sequential {
        let model = try Sequential.build(try spec(at: path), backend: backend, seed: 0)
        try loadParameters(from: path, into: model)
        return model
    }

    /// Loads the model's parameters from the file: all of them, or with `layers` only those of
    /// the first `layers` layers (how a classifier takes a trained encoder).
    public static func loadParameters(from path: String, into model: Sequential, layers: Int? = nil) throws {
        let (entries, _) = try SafeTensors.read(path)
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, parameter) in model.namedParameters {
            if let layers, let index = Int(name.prefix { $0.isNumber }), index >= layers { continue }
            guard let entry = byName[name] else { throw ModelError.checkpoint("\(path) has no tensor \(name)") }
            guard entry.shape == parameter.shape else {
                throw ModelError.checkpoint("\(path): \(name) has shape \(entry.shape), the model needs \(parameter.shape)")
            }
            try parameter.load(entry.values, on: model.backend)
        }
    }
}
