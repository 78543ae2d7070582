import Compute

/// A layer that only changes the shape: the output shares the input's buffer, and the
/// gradient goes back under the input's shape. A conforming layer says which shape
/// (`outputShape`) and keeps the input's shape for backward.
public protocol ViewLayer: Layer {
    /// The input shape of the last forward pass.
    var viewedShape: [Int]? { get set }
}

extension ViewLayer {
    public func forward(_ x: Tensor, _ context: ForwardContext) throws -> Tensor {
        viewedShape = x.shape
        return try x.reshaped(outputShape(for: x.shape))
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, _ context: ForwardContext) throws -> Tensor? {
        guard let shape = viewedShape else { throw ModelError.backwardBeforeForward(kind) }
        return needsInputGradient ? try dy.reshaped(shape) : nil
    }
}

/// `Flatten(start_dim=1, end_dim=-1)`.
struct FlattenSpec: LayerKind {
    static let classNames = ["Flatten"]

    init() {}

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["start_dim", "end_dim"])
        try a.fixed("start_dim", .int(1)); try a.fixed("end_dim", .int(-1))
    }

    var arguments: String { "start_dim=1, end_dim=-1" }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count >= 2 else { throw wrong("expects a batch of examples; it gets \(input)") }
        return [input[0], input.dropFirst().reduce(1, *)]
    }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer { Flatten() }
}

/// `Unflatten(dim=1, unflattened_size)`.
struct UnflattenSpec: LayerKind {
    static let classNames = ["Unflatten"]
    let shape: [Int]

    init(shape: [Int]) { self.shape = shape }

    init(className: String, arguments a: inout LayerArguments) throws {
        try a.bind(["dim", "unflattened_size"])
        try a.fixed("dim", .int(1))
        guard case .tuple(let sizes)? = a.given["unflattened_size"] else {
            throw a.error("needs unflattened_size, a tuple such as (32, 5, 5)")
        }
        shape = try sizes.map { value in
            guard case .int(let n) = value else { throw a.error("unflattened_size holds \(value), not a whole number") }
            return n
        }
    }

    var arguments: String { "dim=1, unflattened_size=(\(shape.map(String.init).joined(separator: ", ")))" }

    var problem: String? {
        shape.isEmpty ? "it needs a shape" : shape.compactMap { LayerLimits.check("unflattened_size", $0, LayerLimits.sizes) }.first
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] == shape.reduce(1, *) else {
            throw wrong("expects \(shape.reduce(1, *)) features; it gets \(featuresText(input))")
        }
        return [input[0]] + shape
    }

    func makeLayer(_ build: inout LayerBuild) throws -> any Layer { Reshape(shape) }
}

/// `[batch, …] → [batch, product]` (PyTorch's `Flatten`).
public final class Flatten: ViewLayer {
    public var viewedShape: [Int]?

    public init() {}

    public var spec: LayerSpec { .flatten }
}

/// `[batch, product] → [batch] + shape` (PyTorch's `Unflatten(1, shape)`).
public final class Reshape: ViewLayer {
    public let shape: [Int]
    public var viewedShape: [Int]?

    public init(_ shape: [Int]) { self.shape = shape }

    public var spec: LayerSpec { .unflatten(shape) }
}

extension FlattenSpec {
    func onnx(_ layer: ONNXLayer) throws -> String { layer.node("Flatten", [layer.input], [ONNXAttribute.int("axis", 1)]) }
}

extension UnflattenSpec {
    /// Reshape to [batch] + shape: a 0 in Reshape's shape keeps that axis (the batch) as it is.
    func onnx(_ layer: ONNXLayer) throws -> String { layer.node("Reshape", [layer.input, layer.integers([0] + shape)]) }
}
