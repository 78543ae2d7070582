/// A model's architecture as data: what a checkpoint records so `aekit evaluate` can rebuild
/// the model from the file alone, and what `--model` and the recipes choose.
public struct ModelSpec: Codable, Sendable, Equatable {
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        /// 784 → Linear → hidden, ReLU, [Dropout] → Linear → 784, output activation (S0, S2, S3).
        case dense
        /// S1's Keras model: Conv/MaxPool ×3 to a 4×4×8 code, Conv/UpSampling back to 28×28.
        case convKeras = "conv-keras"
        /// S4's model: two Conv/ReLU/Dropout/MaxPool blocks, a Linear bottleneck of `hidden`
        /// units, then Linear, Unflatten and two stride-2 ConvTranspose2d back to 28×28.
        case convLinear = "conv-linear"
        /// S4's classifier: `convLinear`'s encoder, then Linear hidden → 10 and (as the report
        /// states) ReLU; `logits` chooses.
        case classifier
    }

    public enum OutputActivation: String, Codable, Sendable, CaseIterable { case sigmoid, relu, none }

    /// What the classifier's last Linear feeds to the softmax cross-entropy.
    public enum Logits: String, Codable, Sendable, CaseIterable {
        /// S4's head: Linear → ReLU → softmax. A class whose logit the ReLU holds at 0 for every
        /// image gets no gradient back and is never predicted again.
        case relu
        /// The Linear's output as it is, as PyTorch's `CrossEntropyLoss` expects.
        case linear
    }

    public var architecture: Architecture
    /// Bottleneck width: L of S0, N of S2, n of S4; 64 in S3. Not used by conv-keras.
    public var hidden: Int
    public var dropout: Float
    public var output: OutputActivation
    public var initialization: Initialization
    public var imageHeight = 28
    public var imageWidth = 28
    /// conv-keras only: the filters of the third encoder convolution, which are the code's
    /// channels (nil: 8, a 4×4×8 code; S1's text lists 16, the other reading).
    public var codeChannels: Int?
    /// classifier only: its head (nil: ReLU, the report's, and what every checkpoint written
    /// before this setting holds).
    public var logits: Logits?

    public init(architecture: Architecture, hidden: Int = 64, dropout: Float = 0, output: OutputActivation = .sigmoid,
                initialization: Initialization = .pytorch) {
        self.architecture = architecture; self.hidden = hidden; self.dropout = dropout
        self.output = output; self.initialization = initialization
    }

    /// Whether the model reconstructs its input (trained with MSE) or classifies (cross-entropy).
    public var isAutoencoder: Bool { architecture != .classifier }

    /// The input shape per example: dense models take flat vectors, as the reports'
    /// `x.view(-1, 784)` before the model; convolutional ones take 1×H×W images.
    public var exampleShape: [Int] {
        architecture == .dense ? [imageHeight * imageWidth] : [1, imageHeight, imageWidth]
    }

    /// The classes of the classifier (Fashion-MNIST's and MNIST's 10).
    public static let classes = 10

    /// A short name for run folders and summaries.
    public var name: String {
        switch architecture {
        case .dense: return "dense-\(hidden)"
        case .convKeras: return codeChannels.map { "conv-keras-\($0)" } ?? "conv-keras"
        case .convLinear: return "conv-linear-\(hidden)"
        case .classifier: return logits == .linear ? "classifier-\(hidden)-linear-logits" : "classifier-\(hidden)"
        }
    }

    /// The widest bottleneck and the largest image side AEKit builds: far beyond the reports'
    /// (N ≤ 512, 28×28), and small enough that no size computed from them can overflow.
    public static let maximumHidden = 1 << 24
    public static let maximumImageSide = 1 << 12

    /// What makes this spec unbuildable, naming the setting (and its flag); nil when it is
    /// sound. Read from flags and from checkpoints alike, so every comparison fails on NaN.
    public var problem: String? {
        if !(1...ModelSpec.maximumHidden).contains(hidden) {
            return "the bottleneck width (--hidden) must be in 1...\(ModelSpec.maximumHidden) (got \(hidden))"
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
        return nil
    }

    /// The encoder's part of a conv-linear model: the layers a classifier inherits.
    static let convLinearEncoderLayers = 12
}
