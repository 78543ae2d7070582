import Compute

/// PyTorch's optimizers, stepping every parameter on its own device.
public protocol Optimizer: AnyObject {
    func step(_ parameters: [(name: String, parameter: Parameter)]) throws
    /// Buffers to save for `--resume`, named `<parameter>.<buffer>` as PyTorch's state names them.
    func state(_ parameters: [(name: String, parameter: Parameter)]) throws -> [SafeTensors.Entry]
    /// Puts saved buffers back; each must be a buffer of one of `parameters`, of its shape.
    func restore(_ entries: [SafeTensors.Entry], parameters: [(name: String, parameter: Parameter)]) throws
    var stepCount: Int { get set }
}

/// What differs between SGD and Adam: the names of a parameter's state buffers (PyTorch's) and
/// the update of one parameter.
public protocol UpdateRule {
    /// The state buffers' names for one parameter (`<name>.momentum_buffer`, …).
    static func bufferNames(_ parameter: String) -> [String]
    /// One parameter's update at step `step` (from 1), with its buffers named `names`.
    static func update(_ p: Parameter, buffers: OptimizerState, names: [String], spec: OptimizerSpec, step: Int) throws
}

/// What SGD and Adam share: their settings, a step counter, and per-parameter buffers in an
/// `OptimizerState`, saved and restored by name; `Rule` names the buffers and updates.
public final class StatefulOptimizer<Rule: UpdateRule>: Optimizer {
    let spec: OptimizerSpec
    let buffers: OptimizerState
    public var stepCount = 0

    init(_ spec: OptimizerSpec, backend: any Backend) {
        self.spec = spec; buffers = OptimizerState(backend: backend)
    }

    public func step(_ parameters: [(name: String, parameter: Parameter)]) throws {
        stepCount += 1
        for (name, p) in parameters {
            try Rule.update(p, buffers: buffers, names: Rule.bufferNames(name), spec: spec, step: stepCount)
        }
    }

    public func state(_ parameters: [(name: String, parameter: Parameter)]) throws -> [SafeTensors.Entry] {
        try buffers.entries(parameters.flatMap { Rule.bufferNames($0.name) })
    }

    public func restore(_ entries: [SafeTensors.Entry], parameters: [(name: String, parameter: Parameter)]) throws {
        var shapes: [String: [Int]] = [:]
        for (name, p) in parameters { for key in Rule.bufferNames(name) { shapes[key] = p.shape } }
        for entry in entries where shapes[entry.name] != entry.shape {
            throw ModelError.checkpoint(shapes[entry.name] == nil
                ? "the optimizer state has a buffer \(entry.name) that belongs to no parameter of the model"
                : "the optimizer state's \(entry.name) has shape \(entry.shape); its parameter's is \(shapes[entry.name]!)")
        }
        try buffers.restore(entries)
    }
}

/// Settings of an optimizer, as the recipe and the flags give them.
public struct OptimizerSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adam }
    public var kind: Kind
    public var learningRate: Float
    public var momentum: Float = 0
    public var nesterov = false
    public var weightDecay: Float = 0
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8

    public init(kind: Kind, learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.kind = kind; self.learningRate = learningRate; self.momentum = momentum
        self.nesterov = nesterov; self.weightDecay = weightDecay
    }

    public func make(backend: any Backend) -> any Optimizer {
        switch kind {
        case .sgd: return SGD(self, backend: backend)
        case .adam: return Adam(self, backend: backend)
        }
    }
}

/// Per-parameter state buffers, zero at the start, keyed by the parameter's name.
public final class OptimizerState {
    let backend: any Backend
    private var buffers: [String: Tensor] = [:]
    init(backend: any Backend) { self.backend = backend }

    func buffer(_ key: String, like parameter: Parameter) throws -> Tensor {
        if let buffer = buffers[key] { return buffer }
        let buffer = try backend.tensor(parameter.shape, filledWith: 0)
        buffers[key] = buffer
        return buffer
    }

    func entries(_ keys: [String]) throws -> [SafeTensors.Entry] {
        try keys.compactMap { key in
            guard let buffer = buffers[key] else { return nil }
            return SafeTensors.Entry(name: key, shape: buffer.shape, values: try backend.download(buffer.buffer))
        }
    }

    func restore(_ entries: [SafeTensors.Entry]) throws {
        for entry in entries {
            let tensor = try backend.tensor(entry.shape, values: entry.values)
            buffers[entry.name] = tensor
        }
    }
}

public typealias SGD = StatefulOptimizer<SGDRule>
public typealias Adam = StatefulOptimizer<AdamRule>

/// PyTorch's SGD: momentum (one buffer), Nesterov, weight decay.
public enum SGDRule: UpdateRule {
    public static func bufferNames(_ parameter: String) -> [String] { ["\(parameter).momentum_buffer"] }

    public static func update(_ p: Parameter, buffers: OptimizerState, names: [String], spec: OptimizerSpec, step: Int) throws {
        let velocity = spec.momentum == 0 ? nil : try buffers.buffer(names[0], like: p)
        try buffers.backend.sgdStep(parameter: p.value.buffer, gradient: p.gradient.buffer, velocity: velocity?.buffer,
                                    learningRate: spec.learningRate, momentum: spec.momentum,
                                    nesterov: spec.nesterov, weightDecay: spec.weightDecay)
    }
}

/// PyTorch's Adam: two moment buffers, bias-corrected by the step count.
public enum AdamRule: UpdateRule {
    public static func bufferNames(_ parameter: String) -> [String] { ["\(parameter).exp_avg", "\(parameter).exp_avg_sq"] }

    public static func update(_ p: Parameter, buffers: OptimizerState, names: [String], spec: OptimizerSpec, step: Int) throws {
        let m = try buffers.buffer(names[0], like: p), v = try buffers.buffer(names[1], like: p)
        try buffers.backend.adamStep(parameter: p.value.buffer, gradient: p.gradient.buffer, firstMoment: m.buffer,
                                     secondMoment: v.buffer, learningRate: spec.learningRate, beta1: spec.beta1,
                                     beta2: spec.beta2, epsilon: spec.epsilon, weightDecay: spec.weightDecay,
                                     step: step)
    }
}
