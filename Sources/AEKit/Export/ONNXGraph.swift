import Foundation
internal import ONNXProto
internal import SwiftProtobuf

/// An ONNX graph as layers add to it, node after node. The model's weights become initializers
/// under their state_dict names (`0.weight`, `1.running_mean`), as `torch.onnx.export` names
/// them; each node is named by its layer (`3/Conv`), so a graph viewer shows the model's
/// layers; constants a layer needs (a reshape's shape, a scale) are initializers named after it.
final class ONNXGraph {
    var graph = Onnx_GraphProto()
    /// The model's tensors by state_dict name, with their shapes; added to the graph when a node uses them.
    private let tensors: [String: (shape: [Int], values: [Float])]
    private var added: Set<String> = []
    private var names: Set<String> = []

    init(name: String, tensors: [String: (shape: [Int], values: [Float])]) {
        graph.name = name
        self.tensors = tensors
    }

    /// An unused name starting with `base`.
    func unique(_ base: String) -> String {
        var name = base, n = 1
        while names.contains(name) { n += 1; name = "\(base)_\(n)" }
        names.insert(name)
        return name
    }

    /// The model's tensor `name` as an input of a node.
    func weight(_ name: String) throws -> String {
        guard let tensor = tensors[name] else { throw ModelError.invalid("ONNX export: the model has no tensor \(name)") }
        if added.insert(name).inserted { graph.initializer.append(Self.tensor(name, shape: tensor.shape, values: tensor.values)) }
        return name
    }

    /// A float constant, named after `owner`.
    func constant(_ owner: String, _ values: [Float], shape: [Int]? = nil) -> String {
        let name = unique("\(owner)_const")
        graph.initializer.append(Self.tensor(name, shape: shape ?? [values.count], values: values))
        return name
    }

    /// An int64 constant (shapes, axes, Slice's bounds), named after `owner`.
    func integers(_ owner: String, _ values: [Int]) -> String {
        let name = unique("\(owner)_const")
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.dims = [Int64(values.count)]
        tensor.int64Data = values.map(Int64.init)
        graph.initializer.append(tensor)
        return name
    }

    /// A node of `op` on `inputs` ("" for an optional input left out); its output's name.
    @discardableResult
    func node(_ owner: String, _ op: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> String {
        var node = Onnx_NodeProto()
        node.name = unique("\(owner)/\(op)")
        node.opType = op
        node.input = inputs
        node.output = [unique("\(node.name)_output")]
        node.attribute = attributes
        graph.node.append(node)
        return node.output[0]
    }

    static func tensor(_ name: String, shape: [Int], values: [Float]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.dims = shape.map(Int64.init)
        // raw_data: the values' little-endian bytes, as ONNX stores large tensors.
        tensor.rawData = values.withUnsafeBytes { Data($0) }
        return tensor
    }

    /// A float tensor of `shape`, its first axis the dynamic batch.
    static func value(_ name: String, shape: [Int]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        info.type.tensorType.shape.dim = shape.enumerated().map { axis, size in
            var dim = Onnx_TensorShapeProto.Dimension()
            if axis == 0 { dim.dimParam = "batch" } else { dim.dimValue = Int64(size) }
            return dim
        }
        return info
    }
}

/// ONNX node attributes.
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .int; a.i = Int64(value); return a
    }
    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .ints; a.ints = values.map(Int64.init); return a
    }
    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .float; a.f = value; return a
    }
    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .string; a.s = Data(value.utf8); return a
    }
}

/// One layer's part of the graph: what its nodes start from, and the names they take.
struct ONNXLayer {
    let graph: ONNXGraph
    /// The layer's index in the model: its nodes' and weights' prefix.
    let index: Int
    /// The name of the layer's input, and its shape (batch first).
    let input: String
    let inputShape: [Int]

    var owner: String { "\(index)" }

    func node(_ op: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> String {
        graph.node(owner, op, inputs, attributes)
    }

    /// The layer's own tensor (`weight`, `bias`, `running_mean` …).
    func weight(_ name: String) throws -> String { try graph.weight("\(index).\(name)") }

    func constant(_ values: [Float], shape: [Int]? = nil) -> String { graph.constant(owner, values, shape: shape) }

    func integers(_ values: [Int]) -> String { graph.integers(owner, values) }
}
