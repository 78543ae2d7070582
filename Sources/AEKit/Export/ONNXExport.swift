import Compute
import Foundation
internal import ONNXProto
internal import SwiftProtobuf

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
        let entries = try SafeTensors.decode(Checkpoint.encode(self)).entries.compactMap { entry -> SafeTensors.Entry? in
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

    /// The ONNX opset the exported graphs use: 17, which every current runtime reads; GELU and
    /// SiLU, whose own ONNX ops came later, are written with Erf, Tanh and Sigmoid.
    public static let onnxOpset = 17

    /// The model, or `part` of it, as an ONNX file's bytes: its evaluation-mode computation
    /// (dropout off, BatchNorm by its running statistics, a VAE's code its mean) with a dynamic
    /// batch axis, one input `input` and one output `output`. A model trained on logits
    /// (`bce-with-logits`) gives its logits, as its PyTorch module would.
    public func onnx(part: ModelPart = .all) throws -> Data {
        let range = try spec.layers(of: part)
        let shapes = try spec.shapes(batch: 1)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, parameter) in namedParameters { tensors[name] = (parameter.shape, try backend.download(parameter.value.buffer)) }
        for (name, state) in namedState where !state.isCount { tensors[name] = (state.shape, try state.read(backend)) }
        let graph = ONNXGraph(name: spec.name + (part == .all ? "" : " \(part.rawValue)"), tensors: tensors)
        let inputShape = [1] + (try inputShape(of: part))
        var current = "input", shape = inputShape
        for index in range {
            current = try spec.layers[index].definition.onnx(ONNXLayer(graph: graph, index: index, input: current, inputShape: shape))
            shape = shapes[index]
        }
        // The last node's output is renamed `output`, so every file has the same two names.
        if graph.graph.node.last?.output != [current] { graph.node("output", "Identity", [current]) }
        graph.graph.node[graph.graph.node.count - 1].output = ["output"]
        graph.graph.input = [ONNXGraph.value("input", shape: inputShape)]
        graph.graph.output = [ONNXGraph.value("output", shape: shape)]

        var model = Onnx_ModelProto()
        model.irVersion = 8  // the IR version of opset 17's release (ONNX 1.12)
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.onnxOpset)
        model.opsetImport = [opset]
        model.producerName = "AEKit"
        model.graph = graph.graph
        var layers = Onnx_StringStringEntryProto()
        layers.key = "aekit.layers"
        layers.value = range.map { "\($0): \(spec.layers[$0])" }.joined(separator: "\n")
        model.metadataProps = [layers]
        return try model.serializedData()
    }
}
