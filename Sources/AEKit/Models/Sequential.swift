import Compute
import Foundation

/// Layers applied in order, named as PyTorch's `nn.Sequential` names them: every layer takes
/// an index, parameter-free ones too, so parameters are `0.weight`, `0.bias`, `3.weight`, …
public final class Sequential: @unchecked Sendable {
    // Thread-safety: a model is trained or evaluated by one thread at a time.
    public let spec: ModelSpec
    public let layers: [any Layer]
    public let backend: any Backend

    init(spec: ModelSpec, layers: [any Layer], backend: any Backend) {
        self.spec = spec; self.layers = layers; self.backend = backend
    }

    /// Parameters with their PyTorch state_dict names, in order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.parameters.map { ("\(index).\($0.name)", $0) } }
    }

    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// Shapes after each layer for a batch of `batch`.
    public func shapes(batch: Int) throws -> [[Int]] {
        var shape = [batch] + spec.exampleShape
        return try layers.map { layer in
            shape = try layer.outputShape(for: shape)
            return shape
        }
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        try layers.reduce(x) { try $1.forward($0, context) }
    }

    /// Backpropagates `outputGrad` through every layer, writing every parameter's gradient.
    /// The first layer's input gradient is not computed: nothing upstream needs it.
    public func backward(_ outputGrad: Tensor, _ context: ForwardContext) throws {
        var grad = outputGrad
        for (index, layer) in layers.enumerated().reversed() {
            guard let next = try layer.backward(grad, needsInputGradient: index > 0, context) else { break }
            grad = next
        }
    }

    /// A table as Keras' `summary()`: layer, output shape, parameters; then the totals.
    public func summary(batch: Int = 1) throws -> String {
        let shapes = try shapes(batch: batch)
        var rows = [["#", "layer", "output shape", "parameters"]]
        rows.append(["", "input", "\([batch] + spec.exampleShape)", ""])
        for (index, layer) in layers.enumerated() {
            let count = layer.parameters.reduce(0) { $0 + $1.value.count }
            rows.append(["\(index)", "\(layer.kind)(\(layer.arguments))", "\(shapes[index])", count == 0 ? "" : "\(count)"])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        let lines = rows.map { row in
            row.enumerated().map { c, cell in
                c == 3 ? String(repeating: " ", count: widths[c] - cell.count) + cell
                    : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: lines[0].count)
        return ([lines[0], rule] + lines.dropFirst() + [rule, "total parameters: \(parameterCount)"]).joined(separator: "\n")
    }
}
