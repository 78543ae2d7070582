import Compute

/// One kind of layer, written in one place: how PyTorch writes it (its class names, its
/// arguments read by PyTorch's names and printed as its repr prints them), what its numbers
/// may be, the shape it gives, what it holds (parameters and buffers), its multiply-adds, and
/// the layer object it builds, and its ONNX nodes. `LayerSpec` holds one and asks it; `LayerSpec(parsing:)` finds a
/// kind by its class name in `LayerSpec.kinds`. A new kind of layer is a type conforming to
/// this, beside its layer class, and a line in `kinds`.
protocol LayerKind: Sendable {
    /// The PyTorch class names this kind reads (`["BatchNorm1d", "BatchNorm2d"]`).
    static var classNames: [String] { get }
    /// Reads a call of `className`, its arguments bound to PyTorch's names by `a.bind`.
    init(className: String, arguments a: inout LayerArguments) throws
    /// PyTorch's class name of this layer.
    var className: String { get }
    /// The arguments of PyTorch's repr of the module (`in_features=784, out_features=64`).
    var arguments: String { get }
    /// What makes the layer's own numbers unusable; nil when they are sound. Every comparison
    /// fails on NaN.
    var problem: String? { get }
    /// The output shape for an input shape, batch included; throws `ModelError.shape`, naming
    /// the layer and what it expects, when the input does not fit.
    func outputShape(for input: [Int]) throws -> [Int]
    /// Learned values (weight, bias).
    var parameterCount: Int { get }
    /// Values kept but not learned (BatchNorm's running statistics and its count of batches).
    var stateCount: Int { get }
    /// Multiply-adds of one example's forward pass (the products only: what a profiler counts).
    func multiplyAdds(input: [Int], output: [Int]) -> Int
    /// The layer object, on `build`'s backend, its weights drawn from `build.random`.
    func makeLayer(_ build: inout LayerBuild) throws -> any Layer
    /// The layer in evaluation mode as ONNX nodes after `layer.input`; the name of their output.
    func onnx(_ layer: ONNXLayer) throws -> String
}

extension LayerKind {
    var className: String { Self.classNames[0] }
    var problem: String? { nil }
    var parameterCount: Int { 0 }
    var stateCount: Int { 0 }
    func multiplyAdds(input: [Int], output: [Int]) -> Int { 0 }
    /// The layer's text, PyTorch's repr: what error messages name it by.
    var text: String { "\(className)(\(arguments))" }

    /// A `ModelError.shape` naming the layer.
    func wrong(_ why: String) -> ModelError { ModelError.shape("\(text) \(why)") }

    /// Throws unless `input` is a batch of images with `channels` channels (any, if nil).
    func checkImages(_ input: [Int], channels: Int? = nil) throws {
        guard input.count == 4 else { throw wrong("expects [batch, channels, height, width]; it gets \(input)") }
        if let channels, input[1] != channels {
            throw wrong("expects \(channels) channels; it gets \(input[1]) (of \(input.dropFirst().map(String.init).joined(separator: "×")))")
        }
    }

    func unfitting(_ input: [Int]) -> ModelError { wrong("does not fit an image of \(input[2])×\(input[3])") }
}

/// What building a model's layers in order shares: the backend, the initialisation and its
/// random stream (each layer draws in turn), and the count of dropout layers so far (each
/// layer's masks are its own).
struct LayerBuild {
    let backend: any Backend
    let initialization: Initialization
    var random: SeededRandom
    var dropouts: UInt32 = 0
}

/// The checks of a layer's sizes, in one wording.
enum LayerLimits {
    /// Features, channels and windows beyond any model here (the reports' widest layer is 512
    /// features, 32 channels, a 5×5 kernel), small enough that no parameter count computed from
    /// them overflows.
    static let sizes = 1...LayerSpec.maximumSize
    static let channels = 1...LayerSpec.maximumChannels
    /// Kernels, strides and scale factors; padding from 0.
    static let windows = 1...LayerSpec.maximumWindow
    static let padding = 0...LayerSpec.maximumWindow

    static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
        range.contains(value) ? nil : "its \(name) must be in \(range.lowerBound)...\(range.upperBound) (got \(value))"
    }
}

/// `[batch, a, b, …]` as an error names what it holds: `32×5×5 = 800`.
func featuresText(_ input: [Int]) -> String {
    let example = input.dropFirst()
    return example.map(String.init).joined(separator: "×") + (example.count > 1 ? " = \(example.reduce(1, *))" : "")
}

/// "True" or "False", as Python writes a bool.
func pythonBool(_ value: Bool) -> String { value ? "True" : "False" }
