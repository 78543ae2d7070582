import Foundation

/// Everything that defines a training run; written to the run folder as `config.json`.
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// The name of what the run started from: a recipe of `aekit train --recipe`, `swift` for
    /// a model trained from Swift.
    public var recipe: String
    public var data: DataSource
    public var model: ModelSpec
    public var optimizer: OptimizerSpec
    public var batchSize: Int
    public var epochs: Int
    public var seed: UInt64
    /// Validation examples split off the training set: none (then each epoch is evaluated on
    /// the test set), a count, or a fraction.
    public var validation: ValidationSplit
    /// Train on only the first N training examples (quick checks); nil for all.
    public var trainLimit: Int?
    /// A trained autoencoder whose encoder a classifier starts from; nil starts from scratch.
    public var encoderCheckpoint: String?
    /// Weights the whole model starts from (`--weights`): a PyTorch state dict saved with
    /// safetensors for the same layers, or an AEKit checkpoint of them; nil starts from the seed's.
    public var initialWeights: String?
    /// Denoising: the fraction of each training input's pixels replaced by salt-and-pepper
    /// noise (0 or 1, equally likely), with the clean image as the target; nil for none.
    public var noise: Float?

    public init(recipe: String, data: DataSource, model: ModelSpec, optimizer: OptimizerSpec, batchSize: Int, epochs: Int,
                seed: UInt64, validation: ValidationSplit, trainLimit: Int? = nil, encoderCheckpoint: String? = nil,
                initialWeights: String? = nil, noise: Float? = nil) {
        self.recipe = recipe; self.data = data; self.model = model; self.optimizer = optimizer
        self.batchSize = batchSize; self.epochs = epochs; self.seed = seed; self.validation = validation
        self.trainLimit = trainLimit; self.encoderCheckpoint = encoderCheckpoint
        self.initialWeights = initialWeights; self.noise = noise
    }

    public enum ValidationSplit: Codable, Sendable, Equatable, CustomStringConvertible {
        case testSet, count(Int), fraction(Double)

        public func count(of total: Int) -> Int {
            switch self {
            case .testSet: return 0
            case .count(let n): return n
            case .fraction(let f): return Int((Double(total) * f).rounded())
            }
        }

        public var description: String {
            switch self {
            case .testSet: return "test set"
            case .count(let n): return "\(n) of the training set"
            case .fraction(let f): return "\(Int(f * 100))% of the training set"
            }
        }

        /// As `--validation` spells it.
        public var argument: String {
            switch self {
            case .testSet: return "test"
            case .count(let n): return "\(n)"
            case .fraction(let f): return "\(f)"
            }
        }

        /// `test`, a count (`10000`) or a fraction (`0.1`).
        public init?(argument: String) {
            if argument == "test" || argument == "0" { self = .testSet }
            else if let n = Int(argument), n > 0 { self = .count(n) }
            else if let f = Double(argument), f > 0, f < 1 { self = .fraction(f) }
            else { return nil }
        }
    }

    /// The model as the preset that makes it, changed by `change` and rebuilt: how `--hidden`,
    /// `--dropout` and the other preset flags (named in `flags`) apply to a recipe's model.
    /// Throws for a model no preset makes (a `--model-file`'s): its file is where it changes.
    public mutating func changePreset(flags: String, _ change: (inout ModelPreset) -> Void) throws {
        guard var preset = ModelPreset(recognizing: model) else {
            throw TrainingError.configuration("\(flags): these change one of the reports' models, and this model "
                                              + "(\(model.name)) is a layer list of its own; change its file instead")
        }
        change(&preset)
        if let problem = preset.problem { throw TrainingError.configuration(problem) }
        model = preset.spec
    }

    /// This configuration for data of images of `shape` (`[channels, height, width]`): itself
    /// where the model takes them; a preset adapted to them (`ModelPreset.adapted(to:)`: a
    /// dense model on C·H·W values, a convolutional one with C channels); otherwise an error
    /// that names both shapes.
    public func fitting(_ shape: [Int]) throws -> TrainingConfig {
        guard let problem = model.inputProblem(shape) else { return self }
        guard let preset = ModelPreset(recognizing: model) else { throw TrainingError.configuration(problem) }
        let adapted = preset.adapted(to: shape)
        if let why = adapted.problem { throw TrainingError.configuration(why) }
        var config = self
        config.model = adapted.spec
        config.model.label = model.label
        return config
    }

    /// Makes this a run that starts from the encoder of the model saved at `path`: the first
    /// layers the two share (the classifier preset from a conv-linear autoencoder, whose bottleneck
    /// width a preset classifier takes on).
    public mutating func startFromEncoder(at path: String) throws {
        let spec = try Checkpoint.spec(at: path)
        if let encoder = ModelPreset(recognizing: spec), encoder.architecture == .convLinear,
           ModelPreset(recognizing: model)?.architecture == .classifier {
            try changePreset(flags: "--encoder") { $0.hidden = encoder.hidden }
        }
        do { _ = try Checkpoint.encoderLayers(of: spec, at: path, for: model) } catch let error as ModelError {
            throw TrainingError.configuration("--encoder: \(error)")
        }
        encoderCheckpoint = path
    }

    /// The largest batch and the most epochs a run may ask for: far beyond any report's, and
    /// small enough that no size computed from them can overflow.
    public static let maximumBatch = 1 << 20
    public static let maximumEpochs = 100_000

    /// Problems a person can fix with a flag; nil when the configuration is usable. Every
    /// comparison is written so that NaN fails it.
    public var problem: String? {
        if !(1...TrainingConfig.maximumBatch).contains(batchSize) {
            return "--batch must be in 1...\(TrainingConfig.maximumBatch) (got \(batchSize))"
        }
        if !(1...TrainingConfig.maximumEpochs).contains(epochs) {
            return "--epochs must be in 1...\(TrainingConfig.maximumEpochs) (got \(epochs))"
        }
        if !(optimizer.learningRate > 0 && optimizer.learningRate.isFinite) {
            return "--lr must be a positive, finite number (got \(optimizer.learningRate))"
        }
        if let milestones = optimizer.milestones, milestones.isEmpty || milestones.first! < 1 || milestones != milestones.sorted()
            || Set(milestones).count != milestones.count {
            return "--milestones must be epochs from 1, each once, in increasing order (got \(milestones.map(String.init).joined(separator: ",")))"
        }
        if let gamma = optimizer.gamma, !(gamma > 0 && gamma.isFinite) {
            return "--gamma must be a positive, finite number (got \(gamma))"
        }
        if !(0..<1).contains(optimizer.momentum) { return "--momentum must be in [0, 1) (got \(optimizer.momentum))" }
        if optimizer.nesterov && optimizer.momentum == 0 { return "--nesterov needs a --momentum above 0" }
        if !(optimizer.weightDecay >= 0 && optimizer.weightDecay.isFinite) {
            return "--weight-decay must be a finite number, 0 or more (got \(optimizer.weightDecay))"
        }
        if let problem = model.problem { return problem }
        if model.loss == .none { return ModelSpec.partProblem(model.name) }
        if let trainLimit, trainLimit < 1 { return "--limit must be at least 1 (got \(trainLimit))" }
        if let noise {
            if !(noise > 0 && noise < 1) { return "--noise must be a fraction of the pixels in (0, 1) (got \(noise))" }
            if !model.isAutoencoder { return "--noise trains a denoising autoencoder; \(model.name) is a classifier" }
        }
        return nil
    }
}
