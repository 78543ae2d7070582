import Compute
import Foundation

/// A model as data: its layers in order (PyTorch's `nn.Sequential`), the shape of one input
/// example, the loss it is trained by, and how its weights start. This is what `config.json`'s
/// `model` entry and a checkpoint's metadata hold, what `--model-file` reads, and all that
/// `aekit evaluate` needs to rebuild a model. The reports' models are presets that make such a
/// list (`ModelPreset`).
///
///     {"input": [1, 28, 28], "loss": "mse",
///      "layers": ["Conv2d(1, 16, kernel_size=3, padding='same')", "ReLU()", "MaxPool2d(2)", …]}
public struct ModelSpec: Sendable, Equatable {
    /// One example's shape, without the batch: `[784]` for a dense model, `[1, 28, 28]` for a
    /// convolutional one.
    public var input: [Int]
    public var loss: Loss
    public var initialization: Initialization
    public var layers: [LayerSpec]
    /// A name for summaries and figures; nil names it by its preset, or `sequential`.
    public var label: String?

    /// Names as a model file writes them; each an autoencoder's loss against its own input
    /// (the output has the input's shape), but cross-entropy, a classifier's.
    public enum Loss: String, Codable, Sendable, CaseIterable {
        /// Mean squared error (`MSELoss`).
        case mse
        /// Binary cross-entropy on the output as probabilities (`BCELoss`: a model ending in Sigmoid).
        case bce
        /// `BCELoss(reduction='sum')` per image: summed over its pixels, averaged over the batch
        /// (pytorch/examples' VAE sums over the batch too, and reports the sum per image).
        case bceSum = "bce-sum"
        /// Binary cross-entropy on the output as logits (`BCEWithLogitsLoss`: no Sigmoid at the
        /// end; the reconstruction, in figures and `predict`, is the sigmoid of the output).
        case bceWithLogits = "bce-with-logits"
        /// Mean absolute error (`L1Loss`).
        case l1
        /// A classifier: softmax cross-entropy on `[batch, classes]` logits against the labels.
        case crossEntropy = "cross-entropy"
        /// None: an encoder or decoder taken from an autoencoder (`Sequential.part(_:)`), run,
        /// saved and exported but not trained or evaluated; its output may have any shape.
        case none

        /// The op of an autoencoder's loss other than MSE's.
        public var pixelLoss: PixelLoss? {
            switch self {
            case .bce, .bceSum: .bce
            case .bceWithLogits: .bceWithLogits
            case .l1: .l1
            case .mse, .crossEntropy, .none: nil
            }
        }

        /// The loss of an image is its pixels' mean (1) or their sum (the pixel count).
        func perImage(pixels: Int) -> Float { self == .bceSum ? Float(pixels) : 1 }

        /// As figures and summaries name it.
        public var title: String {
            switch self {
            case .mse: "MSE"
            case .bce: "BCE"
            case .bceSum: "BCE (sum per image)"
            case .bceWithLogits: "BCE with logits"
            case .l1: "L1"
            case .crossEntropy: "cross-entropy"
            case .none: "none (an encoder or decoder alone)"
            }
        }
    }

    public init(input: [Int], loss: Loss = .mse, initialization: Initialization = .pytorch, layers: [LayerSpec],
                label: String? = nil) {
        self.input = input; self.loss = loss; self.initialization = initialization; self.layers = layers; self.label = label
    }

    /// Whether the model reconstructs its input (MSE, BCE, L1) or classifies (cross-entropy).
    public var isAutoencoder: Bool { loss != .crossEntropy }

    /// Whether a layer adds a term of its own to the loss (a VAE's `Reparameterize`, its KL).
    /// Whether any layer drops out (a `Dropout` with p > 0).
    public var hasDropout: Bool { layers.contains { ($0.definition as? DropoutSpec).map { $0.p > 0 } ?? false } }

    public var hasLossTerms: Bool { layers.contains { $0.definition is ReparameterizeSpec } }

    /// The image an autoencoder's output `y` stands for: `y` itself, or for a model trained on
    /// logits (`bce-with-logits`) their sigmoid, in a new tensor.
    public func reconstruction(of y: Tensor, backend: any Backend) throws -> Tensor {
        guard loss == .bceWithLogits else { return y }
        let image = try backend.tensor(y.shape)
        try backend.activationForward(.sigmoid, y.buffer, output: image.buffer)
        return image
    }

    /// The classes of the datasets AEKit reads (Fashion-MNIST's and MNIST's 10).
    public static let classes = 10

    /// A short name for summaries and figures: the label, the preset's (`dense-64`,
    /// `conv-linear-128`), or `sequential`.
    public var name: String { label ?? ModelPreset(recognizing: self)?.name ?? "sequential" }

    /// The image an input example is, as channels, height and width: `[C, H, W]`; `[H, W]`
    /// grey; a flat `[n]` that is a square (grey, 784 → 1×28×28) or three squares (a dense
    /// model of colour images, 3072 → 3×32×32; no number is both). Nil when it is none of these.
    public var imageShape: (channels: Int, height: Int, width: Int)? {
        func square(_ n: Int) -> Int? {
            guard (1...ModelSpec.maximumImageSide * ModelSpec.maximumImageSide).contains(n) else { return nil }
            let side = Int(Double(n).squareRoot().rounded())
            return side * side == n ? side : nil
        }
        switch input.count {
        case 3: return (input[0], input[1], input[2])
        case 2: return (1, input[0], input[1])
        case 1:
            if let side = square(input[0]) { return (1, side, side) }
            if input[0] % 3 == 0, let side = square(input[0] / 3) { return (3, side, side) }
            return nil
        default: return nil
        }
    }

    /// Why images of `shape` (`[channels, height, width]`) cannot be this model's input; nil
    /// when they can: a flat input takes C·H·W values, any other the same shape.
    public func inputProblem(_ shape: [Int]) -> String? {
        let fits = input.count == 1 ? input[0] == shape.reduce(1, *) : input == shape
        if fits { return nil }
        let image = shape.map(String.init).joined(separator: "×")
        return "\(name) takes examples of \(input) (\(input.reduce(1, *)) values); the data's images are \(image) "
            + "(\(shape.reduce(1, *)) values)"
    }

    /// The shape after each layer for a batch of `batch`; throws naming the first layer (by
    /// its index, as `summary` numbers them) that does not fit what reaches it.
    public func shapes(batch: Int) throws -> [[Int]] {
        var shape = [batch] + input
        return try layers.enumerated().map { index, layer in
            do { shape = try layer.outputShape(for: shape) } catch ModelError.shape(let why) {
                throw ModelError.shape("layer \(index) \(why)")
            }
            return shape
        }
    }

    /// What makes a training batch of `batch` examples unusable: a BatchNorm that would see one
    /// value per channel, which has no variance to normalise by (PyTorch refuses it too); nil
    /// when no layer does.
    public func trainingBatchProblem(batch: Int) -> String? { batchProblem(batch: batch, training: true) }

    /// The same for an evaluation batch, where only a BatchNorm with `track_running_stats=False`
    /// uses the batch's statistics (the others use their running ones).
    public func evaluationBatchProblem(batch: Int) -> String? { batchProblem(batch: batch, training: false) }

    private func batchProblem(batch: Int, training: Bool) -> String? {
        guard let outputs = try? shapes(batch: batch) else { return nil }
        let inputs = [[batch] + input] + outputs.dropLast()
        for (index, layer) in layers.enumerated() {
            guard let norm = layer.definition as? BatchNormSpec, training || !norm.trackRunningStats else { continue }
            if inputs[index].dropFirst(2).reduce(batch, *) == 1 {
                return "layer \(index) \(layer) would normalise one value per channel in a batch of \(batch), which has no "
                    + "variance (PyTorch refuses it too)"
            }
        }
        return nil
    }

    /// Floating-point operations of one example's training step, counted from the layer shapes
    /// as a profiler counts them: 2 per multiply-add of every product (Linear, Conv2d,
    /// ConvTranspose2d) forward, again for the weight gradient, and again for the input gradient
    /// of every product but the first (whose input gradient nothing needs). Elementwise work
    /// (bias, activations, pooling, the optimizer) is left out: it is a few percent of these
    /// models' arithmetic and none of their GEMM time.
    public func trainingFLOPsPerExample() throws -> Int {
        let outputs = try shapes(batch: 1), inputs = [[1] + input] + outputs.dropLast()
        var flops = 0
        for (index, layer) in layers.enumerated() {
            let multiplyAdds = layer.definition.multiplyAdds(input: inputs[index], output: outputs[index])
            guard multiplyAdds > 0 else { continue }
            flops += 2 * multiplyAdds * (flops == 0 ? 2 : 3)
        }
        return flops
    }

    /// What makes this model unbuildable, naming the layer and the size; nil when it is sound.
    /// Read from flags, model files and checkpoints alike: nothing of the model's size is
    /// allocated before this passes.
    public var problem: String? {
        let sides = 1...ModelSpec.maximumImageSide
        guard (1...3).contains(input.count), input.allSatisfy(sides.contains) else {
            return "the input shape must be 1 to 3 sizes in 1...\(ModelSpec.maximumImageSide) (got \(input))"
        }
        guard (1...ModelSpec.maximumLayers).contains(layers.count) else {
            return "the model must have 1...\(ModelSpec.maximumLayers) layers (got \(layers.count))"
        }
        // Layer by layer, so that no shape grows past the bound before it is checked.
        var shape = [1] + input
        for (index, layer) in layers.enumerated() {
            if let problem = layer.problem { return "layer \(index) \(layer): \(problem)" }
            do { shape = try layer.outputShape(for: shape) } catch ModelError.shape(let why) {
                return "layer \(index) \(why)"
            } catch { return "layer \(index): \(error)" }
            let size = shape.reduce((value: 1, overflow: false)) { total, n in
                let (product, overflow) = total.value.multipliedReportingOverflow(by: n)
                return (product, total.overflow || overflow)
            }
            if size.overflow || size.value > ModelSpec.maximumExampleSize {
                return "layer \(index) \(layer) makes \(Array(shape.dropFirst())) per example, more than AEKit's "
                    + "\(ModelSpec.maximumExampleSize) values"
            }
        }
        let output = Array(shape.dropFirst())
        switch loss {
        case .mse, .bce, .bceWithLogits, .l1:
            guard output != input else { return nil }
            return "an autoencoder (loss \(loss.rawValue)) must output its input's shape \(input); the last layer outputs \(output)"
        case .crossEntropy where output != [ModelSpec.classes]:
            return "a classifier (loss cross-entropy) must output \(ModelSpec.classes) logits, one per class; "
                + "the last layer outputs \(output)"
        default: return nil
        }
    }

    /// The largest image side, and the most values one example may have after any layer: far
    /// beyond the reports' (28×28, 784), and small enough that no size computed from them overflows.
    public static let maximumImageSide = 1 << 12
    public static let maximumExampleSize = 1 << 28
    public static let maximumLayers = 4096
}

extension ModelSpec: Codable {
    enum CodingKeys: String, CodingKey { case input, loss, initialization, layers, label = "name" }

    /// The layer list, or the form every run folder and checkpoint before 0.2 holds (the
    /// preset's `architecture`, `hidden`, … keys), read as the list that preset makes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.layers) else {
            self = try ModelPreset(from: decoder).spec
            return
        }
        input = try container.decode([Int].self, forKey: .input)
        loss = try container.decodeIfPresent(Loss.self, forKey: .loss) ?? .mse
        initialization = try container.decodeIfPresent(Initialization.self, forKey: .initialization) ?? .pytorch
        // Every layer read before any is refused, so all that cannot be are named at once.
        do {
            layers = try LayerSpec.parsing(try container.decode([String].self, forKey: .layers))
        } catch let error as LayerListError {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [CodingKeys.layers],
                                                    debugDescription: error.description, underlyingError: error))
        }
        label = try container.decodeIfPresent(String.self, forKey: .label)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(loss, forKey: .loss)
        try container.encode(initialization, forKey: .initialization)
        try container.encode(layers, forKey: .layers)
        try container.encodeIfPresent(label, forKey: .label)
    }

    /// A model file (`--model-file`): this JSON, or a whole `config.json` whose `model` entry it
    /// takes. Checked (`problem`) before it is returned.
    public init(file path: String) throws {
        let data = try readRegularFile(path, limit: 16 << 20)
        struct RunRecordModel: Decodable { let config: Config; struct Config: Decodable { let model: ModelSpec } }
        let isRecord = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["config"] != nil
        let advice = "`aekit summary --json` prints a model in this form"
        self = isRecord ? try decodeJSON(RunRecordModel.self, from: data, file: path, advice: advice).config.model
                        : try decodeJSON(ModelSpec.self, from: data, file: path, advice: advice)
        if let problem { throw ModelError.invalid("\(path): \(problem)") }
    }
}
