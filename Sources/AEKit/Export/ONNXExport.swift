import Compute
import Foundation
internal import ONNXProto
internal import SwiftProtobuf

extension Sequential {
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
        // BatchNorm's count of batches is no input of an evaluation graph.
        let tensors = Dictionary(uniqueKeysWithValues: try Checkpoint.entries(of: self).filter { $0.dtype != .i64 }
            .map { ($0.name, (shape: $0.shape, values: $0.values)) })
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
