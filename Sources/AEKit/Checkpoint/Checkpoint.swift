import Compute
import Foundation

/// A model saved as safetensors with PyTorch's state_dict names and layouts, and its
/// `ModelSpec` in the metadata so AEKit can rebuild the model from the file alone.
public enum Checkpoint {
    static let specKey = "aekit.model"

    /// The model's tensors as its state dict holds them: every parameter, then every buffer
    /// (BatchNorm's counts as I64), read from the device.
    public static func entries(of model: Sequential) throws -> [SafeTensors.Entry] {
        try model.namedParameters.map { name, parameter in
            SafeTensors.Entry(name: name, shape: parameter.shape, values: try model.backend.download(parameter.value.buffer))
        } + model.namedState.map { name, state in
            SafeTensors.Entry(name: name, shape: state.shape, values: try state.read(model.backend), dtype: state.isCount ? .i64 : .f32)
        }
    }

    /// The file's bytes.
    public static func encode(_ model: Sequential, extraMetadata: [String: String] = [:]) throws -> Data {
        let entries = try entries(of: model)
        var metadata = extraMetadata
        metadata["format"] = "pt"
        // Keys sorted: the same model gives the same file, byte for byte, in every process
        // (Swift's dictionaries order keys by a per-process seed).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        metadata[specKey] = String(decoding: try encoder.encode(model.spec), as: UTF8.self)
        return try SafeTensors.encode(entries, metadata: metadata)
    }

    public static func save(_ model: Sequential, to path: String, extraMetadata: [String: String] = [:]) throws {
        try writeAtomically(encode(model, extraMetadata: extraMetadata), to: path)
    }

    /// A checkpoint's tensors and the model its metadata records, checked against each other:
    /// the spec must be sound (bounded sizes, dropout in [0, 1)) and its model must have
    /// exactly as many parameters and buffers as the file holds values, which is checked before
    /// anything of the spec's size is built.
    public struct Contents {
        public let entries: [SafeTensors.Entry]
        public let spec: ModelSpec

        public init(_ data: Data, path: String) throws {
            let (entries, metadata) = try SafeTensors.decode(data, path: path)
            guard let json = metadata[specKey] else {
                throw ModelError.checkpoint("\(path) does not record an AEKit model (no \(specKey) metadata)")
            }
            let spec = try decodeJSON(ModelSpec.self, from: Data(json.utf8), file: "\(path) (its \(specKey) metadata)")
            if let problem = spec.problem { throw ModelError.checkpoint("\(path): the model in its metadata: \(problem)") }
            let parameters = try MemoryEstimate(spec).parameters, state = spec.layers.reduce(0) { $0 + $1.stateCount }
            let stored = entries.reduce(0) { $0 + $1.values.count }
            guard stored == parameters + state else {
                throw ModelError.checkpoint("\(path) holds \(stored) values, but the model its metadata records (\(spec.name)) "
                                            + "has \(parameters) parameters" + (state > 0 ? " and \(state) buffer values" : "")
                                            + "; the file is damaged")
            }
            self.entries = entries; self.spec = spec
        }

        public init(path: String) throws {
            try self.init(readRegularFile(path, limit: SafeTensors.fileLimit), path: path)
        }
    }

    /// The spec recorded in a checkpoint.
    public static func spec(at path: String) throws -> ModelSpec { try Contents(path: path).spec }

    /// Rebuilds the model a checkpoint holds, on `backend`.
    public static func load(_ path: String, backend: any Backend) throws -> Sequential {
        let contents = try Contents(path: path)
        let model = try Sequential(contents.spec, backend: backend, seed: 0)
        try loadParameters(contents.entries, path: path, into: model)
        return model
    }

    /// Loads the model's parameters from the file: all of them, or with `layers` only those of
    /// the first `layers` layers.
    public static func loadParameters(from path: String, into model: Sequential, layers: Int? = nil) throws {
        try loadParameters(Contents(path: path).entries, path: path, into: model, layers: layers)
    }

    /// How many first layers `model` takes from `encoder`, the model saved at `path`: those the
    /// two have alike (a Dropout's p aside: it holds no weights). The classifier preset shares its 12
    /// encoder layers with the conv-linear autoencoder. Throws when they share no layer with weights.
    public static func encoderLayers(of encoder: ModelSpec, at path: String, for model: ModelSpec) throws -> Int {
        let shared = encoder.input != model.input ? 0
            : zip(encoder.layers, model.layers).prefix { x, y in x == y || (x.kind == "Dropout" && y.kind == "Dropout") }.count
        guard model.layers.prefix(shared).contains(where: { $0.parameterCount > 0 }) else {
            throw ModelError.checkpoint("\(path) holds \(encoder.name), whose first layers are not those of \(model.name); "
                                        + "an encoder comes from a model that starts with the same layers "
                                        + "(for the classifier preset, a conv-linear autoencoder)")
        }
        return shared
    }

    /// Loads into `model` the weights of the first layers it shares with the model saved at
    /// `path` (how a classifier starts from a trained autoencoder's encoder).
    public static func loadEncoder(from path: String, into model: Sequential) throws {
        let contents = try Contents(path: path)
        let shared = try encoderLayers(of: contents.spec, at: path, for: model.spec)
        try loadParameters(contents.entries, path: path, into: model, layers: shared)
    }

    /// Loads the weights of `path` into `model`: a state dict saved from PyTorch with
    /// `safetensors.torch.save_file(model.state_dict(), path)` for the same `nn.Sequential`, or
    /// an AEKit checkpoint of the same layers. The file must hold exactly the model's tensors;
    /// every mismatch is named in one error.
    public static func loadWeights(from path: String, into model: Sequential) throws {
        try loadParameters(SafeTensors.read(path).entries, path: path, into: model)
    }

    /// Loads `entries` (read from `path`) into the model. The whole model needs exactly its own
    /// tensors; with `layers`, the file may hold more (a whole autoencoder for its encoder).
    /// Nothing is loaded unless everything matches, and every mismatch (a tensor missing, one
    /// the model lacks, a shape) is listed at once, so a state dict is fixed in one go.
    public static func loadParameters(_ entries: [SafeTensors.Entry], path: String, into model: Sequential,
                                      layers: Int? = nil) throws {
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Parameters and buffers alike: a name, a shape, and where the values go.
        var wanted: [(name: String, shape: [Int], load: ([Float]) throws -> Void)] =
            model.namedParameters.map { name, parameter in (name, parameter.shape, { try parameter.load($0, on: model.backend) }) }
            + model.namedState.map { name, state in (name, state.shape, { try state.write($0, model.backend) }) }
        if let layers { wanted = wanted.filter { Int($0.name.prefix { $0.isNumber }).map { $0 < layers } ?? false } }
        var problems: [String] = []
        for (name, shape, _) in wanted {
            if let entry = byName[name] {
                if entry.shape != shape { problems.append("\(name) has shape \(entry.shape), the model needs \(shape)") }
            } else {
                problems.append("no tensor \(name) (the model needs \(shape))")
            }
        }
        let extras = layers != nil ? [] : Set(byName.keys).subtracting(wanted.map(\.name)).sorted()
        problems += extras.map { "a tensor \($0) \(byName[$0]!.shape) that \(model.spec.name) does not have" }
        guard problems.isEmpty else {
            let list = problems.count == 1 ? problems[0] : "\(problems.count) mismatches:\n  " + problems.joined(separator: "\n  ")
            // A module with submodules names its tensors by attribute (encoder.0.weight);
            // AEKit's are nn.Sequential's (0.weight), one number per layer.
            let named = extras.contains { $0.first?.isNumber != true }
            throw ModelError.checkpoint("\(path) does not fit \(model.spec.name): \(list)"
                + (named ? "\nAEKit names tensors as one nn.Sequential numbers its layers (0.weight, 0.bias, 3.weight …); "
                           + "save the state dict of that nn.Sequential, or rename the keys" : ""))
        }
        for (name, _, load) in wanted { try load(byName[name]!.values) }
    }
}
