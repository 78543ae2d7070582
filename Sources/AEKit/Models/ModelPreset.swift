/// Four ready-made architectures with their settings — what `--model`, `--hidden`, `--dropout`,
/// `--output`, `--code-channels` and `--logits` choose, and what the recipes start from. A
/// preset makes a layer list (`spec`); every run folder and checkpoint written before models
/// were layer lists holds one of these in its `model` entry (these keys, this JSON).
public struct ModelPreset: Codable, Sendable, Equatable {
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        /// 784 → Linear → hidden, ReLU, [Dropout] → Linear → 784, output activation.
        case dense
        /// The classic Keras convolutional autoencoder: Conv/MaxPool ×3 to a 4×4×8 code, Conv/UpSampling back to 28×28.
        case convKeras = "conv-keras"
        /// Two Conv/ReLU/Dropout/MaxPool blocks, a Linear bottleneck of `hidden`
        /// units, then Linear, Unflatten and two stride-2 ConvTranspose2d back to 28×28.
        case convLinear = "conv-linear"
        /// A classifier: `convLinear`'s encoder, then Linear hidden → 10 and (as the report
        /// states) ReLU; `logits` chooses.
        case classifier
    }

    public enum OutputActivation: String, Codable, Sendable, CaseIterable { case sigmoid, relu, none }

    /// What the classifier's last Linear feeds to the softmax cross-entropy.
    public enum Logits: String, Codable, Sendable, CaseIterable {
        /// A head of Linear → ReLU → softmax. A class whose logit the ReLU holds at 0 for every
        /// image gets no gradient back and is never predicted again.
        case relu
        /// The Linear's output as it is, as PyTorch's `CrossEntropyLoss` expects.
        case linear
    }

    public var architecture: Architecture
    /// Bottleneck width. Not used by conv-keras.
    public var hidden: Int
    public var dropout: Float
    public var output: OutputActivation
    public var initialization: Initialization
    /// The images it takes: 1 (grey) or 3 (RGB) channels of imageHeight × imageWidth (the
    /// reports' 1 × 28 × 28 unless data of another shape adapts it, `adapted(to:)`).
    public var imageChannels = 1
    public var imageHeight = 28
    public var imageWidth = 28
    /// conv-keras only: the filters of the third encoder convolution, which are the code's
    /// channels (nil: 8, a 4×4×8 code; 16 is the other reading of one report's text).
    public var codeChannels: Int?
    /// classifier only: its head (nil: ReLU, the report's, and what every checkpoint written
    /// before this setting holds).
    public var logits: Logits?

    public init(architecture: Architecture, hidden: Int = 64, dropout: Float = 0, output: OutputActivation = .sigmoid,
                initialization: Initialization = .pytorch) {
        self.architecture = architecture; self.hidden = hidden; self.dropout = dropout
        self.output = output; self.initialization = initialization
    }

    /// A short name for run folders and summaries.
    public var name: String {
        switch architecture {
        case .dense: return "dense-\(hidden)"
        case .convKeras: return codeChannels.map { "conv-keras-\($0)" } ?? "conv-keras"
        case .convLinear: return "conv-linear-\(hidden)"
        case .classifier: return logits == .linear ? "classifier-\(hidden)-linear-logits" : "classifier-\(hidden)"
        }
    }

    /// The widest bottleneck AEKit builds: far beyond the reports' (N ≤ 512).
    public static let maximumHidden = LayerSpec.maximumSize

    /// What makes this preset unbuildable, naming the setting by its flag; nil when it is sound.
    public var problem: String? {
        if !(1...ModelPreset.maximumHidden).contains(hidden) {
            return "the bottleneck width (--hidden) must be in 1...\(ModelPreset.maximumHidden) (got \(hidden))"
        }
        if let codeChannels {
            if architecture != .convKeras { return "--code-channels is for the conv-keras model only" }
            if !(1...4096).contains(codeChannels) { return "--code-channels must be in 1...4096 (got \(codeChannels))" }
        }
        if logits != nil && architecture != .classifier { return "--logits is for the classifier model only" }
        if !(0..<1).contains(dropout) { return "the dropout probability (--dropout) must be in [0, 1) (got \(dropout))" }
        let sides = 1...ModelSpec.maximumImageSide
        if !sides.contains(imageHeight) || !sides.contains(imageWidth) {
            return "the image size must be in 1...\(ModelSpec.maximumImageSide) on each side (got \(imageHeight)x\(imageWidth))"
        }
        if !(1...LayerSpec.maximumChannels).contains(imageChannels) {
            return "the images' channels must be in 1...\(LayerSpec.maximumChannels) (got \(imageChannels))"
        }
        // The convolutional presets' sizes are fixed by their kernels and strides: they fit some
        // image sizes only (conv-linear: sides that are multiples of 4 from 12 on; conv-keras: 28).
        let image = "\(imageChannels)×\(imageHeight)×\(imageWidth)"
        if architecture == .convLinear || architecture == .classifier, encodedSide(imageHeight) < 1 || encodedSide(imageWidth) < 1 {
            return "\(name) cannot take \(image) images: its encoder shrinks each side by 2, halves it, by 2 and halves "
                + "it again, which leaves nothing of a side under 10"
        }
        let spec = self.spec
        if spec.isAutoencoder, let shapes = try? spec.shapes(batch: 1), shapes.last != [1] + spec.input {
            let made = shapes.last.map { $0.dropFirst().map(String.init).joined(separator: "×") } ?? "nothing"
            return "\(name) cannot take \(image) images: its decoder makes \(made) from them; use dense, conv-linear "
                + "(sides that are multiples of 4) or a model file"
        }
        return nil
    }

    /// conv-linear's code side for an image side: 3×3 convolution, 2×2 pool, twice.
    private func encodedSide(_ side: Int) -> Int { ((side - 2) / 2 - 2) / 2 }

    /// This preset for images of `shape` (`[channels, height, width]`): the dense preset on
    /// C·H·W values, the convolutional ones with C channels in and out. Check `problem`: not
    /// every preset fits every size.
    public func adapted(to shape: [Int]) -> ModelPreset {
        var preset = self
        (preset.imageChannels, preset.imageHeight, preset.imageWidth) = (shape[0], shape[1], shape[2])
        return preset
    }

    /// The layer list this preset makes. Dropout layers of the conv-linear encoder are there
    /// even at p = 0, so the layer indices (and the checkpoint's tensor names) do not move.
    public var spec: ModelSpec {
        let pixels = imageChannels * imageHeight * imageWidth, channels = imageChannels
        var outputLayer: [LayerSpec] {
            switch output {
            case .sigmoid: [.sigmoid]
            case .relu: [.relu]
            case .none: []
            }
        }
        var layers: [LayerSpec]
        switch architecture {
        case .dense:
            layers = [.linear(pixels, hidden), .relu] + (dropout > 0 ? [.dropout(p: dropout)] : [])
                + [.linear(hidden, pixels)] + outputLayer
        case .convKeras:
            // Keras' padding="same" pools round up: 28 → 14 → 7 → 4; the code is 4×4×c.
            let c = codeChannels ?? 8
            func conv(_ i: Int, _ o: Int, _ padding: Padding = .same) -> LayerSpec { .conv2d(i, o, kernel: 3, padding: padding) }
            layers = [
                conv(channels, 16), .relu, .maxPool2d(kernel: 2, ceilMode: true),
                conv(16, 8), .relu, .maxPool2d(kernel: 2, ceilMode: true),
                conv(8, c), .relu, .maxPool2d(kernel: 2, ceilMode: true),
                conv(c, 8), .relu, .upsample(scaleFactor: 2),
                conv(8, 8), .relu, .upsample(scaleFactor: 2),
                conv(8, 16, .valid), .relu, .upsample(scaleFactor: 2),
                conv(16, channels),
            ] + outputLayer
        case .convLinear, .classifier:
            // The encoder, 28 → 26 → 13 → 11 → 5. The report gives 32 channels for the second
            // convolution only; 16 for the first is our choice.
            let (codeHeight, codeWidth) = (encodedSide(imageHeight), encodedSide(imageWidth))
            layers = [
                .conv2d(channels, 16, kernel: 3), .relu, .dropout(p: dropout), .maxPool2d(kernel: 2),
                .conv2d(16, 32, kernel: 3), .relu, .dropout(p: dropout), .maxPool2d(kernel: 2),
                .flatten, .linear(32 * codeHeight * codeWidth, hidden), .relu, .dropout(p: dropout),
            ]
            if architecture == .classifier {
                layers.append(.linear(hidden, ModelSpec.classes))
                if (logits ?? .relu) == .relu { layers.append(.relu) }
            } else {
                // The report gives no decoder kernel sizes; 3 then 5 is the smallest pair that
                // reaches 28×28 from 5×5 with stride 2 and output_padding 1 (5 → 12 → 28; a
                // code side s becomes 4s + 8, the image's side for sides that are multiples of 4).
                layers += [
                    .linear(hidden, 32 * codeHeight * codeWidth), .relu, .unflatten([32, codeHeight, codeWidth]),
                    .convTranspose2d(32, 16, kernel: 3, stride: 2, outputPadding: 1), .relu,
                    .convTranspose2d(16, channels, kernel: 5, stride: 2, outputPadding: 1),
                ] + outputLayer
            }
        }
        return ModelSpec(input: architecture == .dense ? [pixels] : [channels, imageHeight, imageWidth],
                         loss: architecture == .classifier ? .crossEntropy : .mse,
                         initialization: initialization, layers: layers)
    }

    enum CodingKeys: String, CodingKey {
        case architecture, hidden, dropout, output, initialization, imageChannels, imageHeight, imageWidth, codeChannels, logits
    }

    /// Decodes what `encode` writes; a preset saved before colour images has no
    /// `imageChannels`, and is grey (and 28 × 28 where it gives no size).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decode(Architecture.self, forKey: .architecture)
        hidden = try c.decode(Int.self, forKey: .hidden)
        dropout = try c.decode(Float.self, forKey: .dropout)
        output = try c.decode(OutputActivation.self, forKey: .output)
        initialization = try c.decode(Initialization.self, forKey: .initialization)
        imageChannels = try c.decodeIfPresent(Int.self, forKey: .imageChannels) ?? 1
        imageHeight = try c.decodeIfPresent(Int.self, forKey: .imageHeight) ?? 28
        imageWidth = try c.decodeIfPresent(Int.self, forKey: .imageWidth) ?? 28
        codeChannels = try c.decodeIfPresent(Int.self, forKey: .codeChannels)
        logits = try c.decodeIfPresent(Logits.self, forKey: .logits)
    }

    /// The preset that makes exactly `spec`'s layers, if one does: how a layer list read from a
    /// file or checkpoint is named (`dense-64`) and changed by a flag (`--hidden`). The
    /// settings are read off the layers where each preset puts them, and the guess is kept
    /// only if it rebuilds the same list.
    public init?(recognizing spec: ModelSpec) {
        let layers = spec.layers
        guard let image = spec.imageShape, let last = layers.last else { return nil }
        var guess: ModelPreset
        let output: OutputActivation = last == .sigmoid ? .sigmoid : last == .relu ? .relu : .none
        switch (spec.input.count, spec.loss) {
        case (1, .mse):
            guard let hidden = (layers[0].definition as? LinearSpec)?.outFeatures else { return nil }
            guess = ModelPreset(architecture: .dense, hidden: hidden, output: output, initialization: spec.initialization)
            if layers.count > 2, let p = (layers[2].definition as? DropoutSpec)?.p { guess.dropout = p }
        case (3, _) where layers.count > 9:
            if let hidden = (layers[9].definition as? LinearSpec)?.outFeatures, let p = (layers[2].definition as? DropoutSpec)?.p {
                guess = ModelPreset(architecture: spec.loss == .mse ? .convLinear : .classifier, hidden: hidden, dropout: p,
                                    output: output, initialization: spec.initialization)
                if spec.loss == .crossEntropy { guess.output = .none; guess.logits = last == .relu ? nil : .linear }
            } else if let c = (layers[6].definition as? Conv2dSpec)?.outChannels {
                guess = ModelPreset(architecture: .convKeras, output: output, initialization: spec.initialization)
                guess.codeChannels = c == 8 ? nil : c
            } else {
                return nil
            }
        default:
            return nil
        }
        (guess.imageChannels, guess.imageHeight, guess.imageWidth) = image
        guard guess.problem == nil, guess.spec.layers == layers, guess.spec.input == spec.input, guess.spec.loss == spec.loss else {
            return nil
        }
        self = guess
    }
}
