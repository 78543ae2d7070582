import Compute
import Foundation

/// PyTorch's optimizers, stepping every parameter on its own device.
public protocol Optimizer: AnyObject {
    /// One update of every parameter from its gradient: one launch over the store's flat
    /// buffers, or one per parameter where the store steps them apart.
    func step(_ parameters: ParameterStore) throws
    /// The learning rate of the next steps (the spec's, until a schedule changes it).
    var learningRate: Float { get set }
    /// Buffers to save for `--resume`, named `<parameter>.<buffer>` as PyTorch's state names them.
    func state(_ parameters: ParameterStore) throws -> [SafeTensors.Entry]
    /// Puts saved buffers back; each must be a buffer of one of `parameters`, of its shape.
    func restore(_ entries: [SafeTensors.Entry], parameters: ParameterStore) throws
    var stepCount: Int { get set }
}

/// What differs between SGD and Adam: the names of a parameter's state buffers (PyTorch's) and
/// the update itself.
public protocol UpdateRule {
    /// The state buffers' names within a parameter's (`momentum_buffer`; `exp_avg`, `exp_avg_sq`).
    static var bufferNames: [String] { get }
    /// Whether `spec` uses the state buffers at all (SGD without momentum does not).
    static func usesState(_ spec: OptimizerSpec) -> Bool
    /// The update at step `step` (from 1) of `parameter` from `gradient`, with its state
    /// buffers in `bufferNames`' order: whole flat buffers, or one parameter's views of them.
    static func update(_ b: any Backend, parameter: Buffer, gradient: Buffer, state: [Buffer], spec: OptimizerSpec,
                       step: Int) throws
}

/// What SGD and Adam share: their settings, a step counter, and state buffers laid out as the
/// store's flat buffers (each parameter's slot a view), saved and restored by name.
public final class StatefulOptimizer<Rule: UpdateRule>: Optimizer {
    private(set) var spec: OptimizerSpec
    /// The flat state buffers in `Rule.bufferNames`' order, made on the first step or restore.
    private var flatState: [Buffer]?
    public var stepCount = 0

    /// An optimizer with `spec`'s settings (its kind is the rule's, whatever `spec.kind` says).
    public init(_ spec: OptimizerSpec) { self.spec = spec }

    public var learningRate: Float {
        get { spec.learningRate }
        set { spec.learningRate = newValue }
    }

    private func state(for store: ParameterStore) throws -> [Buffer] {
        if let flatState { return flatState }
        let made = Rule.usesState(spec) ? try Rule.bufferNames.map { _ in try store.makeFlatBuffer() } : []
        flatState = made
        return made
    }

    public func step(_ parameters: ParameterStore) throws {
        stepCount += 1
        let flat = try state(for: parameters), b = parameters.backend
        if parameters.stepsTogether {
            try Rule.update(b, parameter: parameters.values, gradient: parameters.gradients, state: flat, spec: spec,
                            step: stepCount)
            return
        }
        for (index, (_, p)) in parameters.named.enumerated() {
            try Rule.update(b, parameter: p.value.buffer, gradient: p.gradient.buffer,
                            state: flat.map { try parameters.slot(index, of: $0) }, spec: spec, step: stepCount)
        }
    }

    public func state(_ parameters: ParameterStore) throws -> [SafeTensors.Entry] {
        guard let flatState, !flatState.isEmpty else { return [] }
        return try parameters.named.enumerated().flatMap { index, named in
            try zip(Rule.bufferNames, flatState).map { suffix, flat in
                SafeTensors.Entry(name: "\(named.name).\(suffix)", shape: named.parameter.shape,
                                  values: try parameters.backend.download(parameters.slot(index, of: flat)))
            }
        }
    }

    public func restore(_ entries: [SafeTensors.Entry], parameters: ParameterStore) throws {
        var slots: [String: (index: Int, buffer: Int, shape: [Int])] = [:]
        for (index, (name, p)) in parameters.named.enumerated() {
            for (buffer, suffix) in Rule.bufferNames.enumerated() { slots["\(name).\(suffix)"] = (index, buffer, p.shape) }
        }
        for entry in entries where slots[entry.name]?.shape != entry.shape {
            throw ModelError.checkpoint(slots[entry.name] == nil
                ? "the optimizer state has a buffer \(entry.name) that belongs to no parameter of the model"
                : "the optimizer state's \(entry.name) has shape \(entry.shape); its parameter's is \(slots[entry.name]!.shape)")
        }
        guard !entries.isEmpty else { return }
        // A saved state fills the buffers it names; any other slot starts at zero, as PyTorch's would.
        let flat = try flatState ?? Rule.bufferNames.map { _ in try parameters.makeFlatBuffer() }
        flatState = flat
        for entry in entries {
            let slot = slots[entry.name]!
            try parameters.backend.upload(entry.values, to: parameters.slot(slot.index, of: flat[slot.buffer]))
        }
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
    /// PyTorch's `MultiStepLR`: after each of these epochs (1-based) the learning rate is
    /// multiplied by `gamma` (default 0.1). Optional so run records written before it read.
    public var milestones: [Int]?
    public var gamma: Float?

    public init(kind: Kind, learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                milestones: [Int]? = nil, gamma: Float? = nil) {
        self.kind = kind; self.learningRate = learningRate; self.momentum = momentum
        self.nesterov = nesterov; self.weightDecay = weightDecay; self.milestones = milestones; self.gamma = gamma
    }

    /// The learning rate of epoch `epoch` (1-based): the base rate times gamma once for every
    /// milestone before it, so with milestones [50] epochs 1…50 take the rate and 51… a tenth.
    public func learningRate(epoch: Int) -> Float {
        let passed = (milestones ?? []).filter { $0 < epoch }.count
        return learningRate * pow(gamma ?? 0.1, Float(passed))
    }

    public func make() -> any Optimizer {
        switch kind {
        case .sgd: return SGD(self)
        case .adam: return Adam(self)
        }
    }
}

public typealias SGD = StatefulOptimizer<SGDRule>
public typealias Adam = StatefulOptimizer<AdamRule>

extension StatefulOptimizer where Rule == SGDRule {
    /// `torch.optim.SGD(params, lr, momentum, weight_decay, nesterov)`; the parameters are
    /// given to each `step(_:)`.
    public convenience init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.init(OptimizerSpec(kind: .sgd, learningRate: learningRate, momentum: momentum, nesterov: nesterov,
                                weightDecay: weightDecay))
    }
}

extension StatefulOptimizer where Rule == AdamRule {
    /// `torch.optim.Adam(params, lr, betas, eps, weight_decay)`: weight decay added to the
    /// gradient (L2), as PyTorch's Adam does; the parameters are given to each `step(_:)`.
    public convenience init(learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
                            weightDecay: Float = 0) {
        var spec = OptimizerSpec(kind: .adam, learningRate: learningRate, weightDecay: weightDecay)
        (spec.beta1, spec.beta2, spec.epsilon) = (betas.0, betas.1, epsilon)
        self.init(spec)
    }
}

/// PyTorch's SGD: momentum (one buffer), Nesterov, weight decay.
public enum SGDRule: UpdateRule {
    public static let bufferNames = ["momentum_buffer"]
    public static func usesState(_ spec: OptimizerSpec) -> Bool { spec.momentum != 0 }

    public static func update(_ b: any Backend, parameter: Buffer, gradient: Buffer, state: [Buffer], spec: OptimizerSpec,
                              step: Int) throws {
        try b.sgdStep(parameter: parameter, gradient: gradient, velocity: state.first, learningRate: spec.learningRate,
                      momentum: spec.momentum, nesterov: spec.nesterov, weightDecay: spec.weightDecay)
    }
}

/// PyTorch's Adam: two moment buffers, bias-corrected by the step count.
public enum AdamRule: UpdateRule {
    public static let bufferNames = ["exp_avg", "exp_avg_sq"]
    public static func usesState(_ spec: OptimizerSpec) -> Bool { true }

    public static func update(_ b: any Backend, parameter: Buffer, gradient: Buffer, state: [Buffer], spec: OptimizerSpec,
                              step: Int) throws {
        try b.adamStep(parameter: parameter, gradient: gradient, firstMoment: state[0], secondMoment: state[1],
                       learningRate: spec.learningRate, beta1: spec.beta1, beta2: spec.beta2, epsilon: spec.epsilon,
                       weightDecay: spec.weightDecay, step: step)
    }
}
