import Compute

/// One layer of a `Sequential` model as data, in PyTorch's terms. Its text is PyTorch's repr of
/// the module (`Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding='same')`), which is
/// what `aekit summary` prints, what `config.json` and checkpoints store, and what
/// `--model-file` reads back (`LayerSpec(parsing:)`). The one change from PyTorch's repr, a
/// quoted `'same'`, makes every text a valid constructor call: `eval("nn." + text)` in Python
/// builds the module.
///
/// Each kind of layer is one type (`LinearSpec`, `BatchNormSpec`, …, a `LayerKind` beside its
/// layer class) that says everything about it; a `LayerSpec` holds one and asks it. Two layers
/// are equal when their texts are: the text says every setting.
public struct LayerSpec: Sendable, Equatable, CustomStringConvertible {
    let definition: any LayerKind

    init(_ definition: any LayerKind) { self.definition = definition }

    /// Every kind of layer AEKit builds, in the order error messages list them.
    static let kindTypes: [any LayerKind.Type] = [
        LinearSpec.self, Conv2dSpec.self, ConvTranspose2dSpec.self, MaxPool2dSpec.self, AvgPool2dSpec.self, UpsampleSpec.self,
        BatchNormSpec.self, DropoutSpec.self, FlattenSpec.self, UnflattenSpec.self, ActivationSpec.self, ReparameterizeSpec.self,
    ]

    /// Every layer `LayerSpec(parsing:)` reads, by PyTorch's class name.
    public static let kinds = kindTypes.flatMap { $0.classNames }

    /// PyTorch's class name.
    public var kind: String { definition.className }

    /// PyTorch's repr of the module.
    public var description: String { definition.text }

    public static func == (a: LayerSpec, b: LayerSpec) -> Bool { a.description == b.description }

    /// Learnable values: weight and bias.
    public var parameterCount: Int { definition.parameterCount }

    /// Values the layer keeps that are not learned (BatchNorm's running mean and variance, and
    /// its count of batches): saved and loaded with the parameters, never stepped.
    public var stateCount: Int { definition.stateCount }

    /// What makes the layer's own numbers unusable (sizes out of bounds, p outside [0, 1));
    /// nil when they are sound.
    public var problem: String? { definition.problem }

    /// The output shape for an input shape, batch included; throws, naming the layer and what it
    /// expects, when the input does not fit.
    public func outputShape(for input: [Int]) throws -> [Int] { try definition.outputShape(for: input) }

    /// Whether the layer adds a bias per channel after its product (what the fusion pass fuses
    /// the following activation and dropout into).
    public var hasBias: Bool { (definition as? any ProductKind)?.bias ?? false }

    /// Features, channels and windows beyond any model here (the reports' widest layer is 512
    /// features, 32 channels, a 5×5 kernel), small enough that no parameter count computed from
    /// them overflows.
    public static let maximumSize = 1 << 24
    public static let maximumChannels = 1 << 16
    /// Kernels, strides, padding and scale factors.
    public static let maximumWindow = 1024
}

// MARK: The layers by name, as `Sequential([...])` and the presets write them.
//
// One convention, PyTorch's constructors in Swift: channel and feature counts (and a shape)
// come first, unlabelled, as PyTorch code passes them; every other argument is labelled with
// PyTorch's keyword in camelCase (`kernel` for `kernel_size`), defaulting where PyTorch does,
// and takes an integer where PyTorch takes one (`padding: 1`).
extension LayerSpec {
    /// `nn.Linear(in_features, out_features, bias)`: `y = x·Wᵀ + b` on `[batch, in]`.
    public static func linear(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) -> LayerSpec {
        LayerSpec(LinearSpec(inFeatures: inFeatures, outFeatures: outFeatures, bias: bias))
    }

    /// `nn.Conv2d` with a square kernel on NCHW; `padding` is a number of zeros per side, or
    /// `same` (as large as the input at stride 1, odd kernels) or `valid` (none).
    public static func conv2d(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = .valid,
                              bias: Bool = true) -> LayerSpec {
        LayerSpec(Conv2dSpec(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                             bias: bias))
    }

    /// `nn.ConvTranspose2d` with a square kernel: output `(in − 1)·stride − 2·padding + kernel + outputPadding`.
    public static func convTranspose2d(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                                       outputPadding: Int = 0, bias: Bool = true) -> LayerSpec {
        LayerSpec(ConvTranspose2dSpec(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride,
                                      padding: padding, outputPadding: outputPadding, bias: bias))
    }

    /// `nn.MaxPool2d(kernel_size, stride)`, the stride the kernel unless given (PyTorch's
    /// default); `ceilMode` rounds the output size up (Keras' `same`).
    public static func maxPool2d(kernel: Int, stride: Int? = nil, ceilMode: Bool = false) -> LayerSpec {
        LayerSpec(MaxPool2dSpec(kernel: kernel, stride: stride ?? kernel, ceilMode: ceilMode))
    }

    @available(*, deprecated, renamed: "maxPool2d(kernel:ceilMode:)", message: "every size but channels and features is labelled")
    public static func maxPool2d(_ kernel: Int, ceilMode: Bool = false) -> LayerSpec {
        .maxPool2d(kernel: kernel, ceilMode: ceilMode)
    }

    /// `nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)`: the mean of each
    /// window, padding counted in the divisor where `countIncludePad` (PyTorch's default); the
    /// stride the kernel unless given.
    public static func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                                 countIncludePad: Bool = true) -> LayerSpec {
        LayerSpec(AvgPool2dSpec(kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode,
                                countIncludePad: countIncludePad))
    }

    /// How `Upsample` fills its output: with the nearest input pixel, or by bilinear
    /// interpolation under PyTorch's `align_corners` convention.
    public enum UpsampleMode: Sendable, Equatable {
        case nearest
        case bilinear(alignCorners: Bool)
    }

    /// How far `Upsample` scales: by a whole factor, or to a square size that must be a whole
    /// multiple of the input's height and width.
    public enum UpsampleScale: Sendable, Equatable {
        case factor(Int)
        case size(Int)
    }

    /// `nn.Upsample(scale_factor, mode)`: nearest (Keras' `UpSampling2D`), or bilinear with
    /// PyTorch's `align_corners`.
    public static func upsample(scaleFactor: Int, mode: UpsampleMode = .nearest) -> LayerSpec {
        LayerSpec(UpsampleSpec(scale: .factor(scaleFactor), mode: mode))
    }

    /// `nn.Upsample(size=(n, n), mode)`.
    public static func upsample(size: Int, mode: UpsampleMode = .nearest) -> LayerSpec {
        LayerSpec(UpsampleSpec(scale: .size(size), mode: mode))
    }

    /// An elementwise activation: `ReLU()`, `Sigmoid()`, `Tanh()`, `LeakyReLU(negative_slope)`,
    /// `ELU(alpha)`, `GELU(approximate)`, `SiLU()`, `Hardtanh(min_val, max_val)`,
    /// `Softplus(beta, threshold)`, `Identity()`.
    public static func activation(_ function: ActivationFunction) -> LayerSpec { LayerSpec(ActivationSpec(function: function)) }
    public static let relu = LayerSpec.activation(.relu)
    public static let sigmoid = LayerSpec.activation(.sigmoid)

    /// `nn.BatchNorm1d` (`dimensions` 1: `[N, C]` or `[N, C, L]`) and `nn.BatchNorm2d` (2:
    /// `[N, C, H, W]`) of `features` channels: each channel normalised by the batch's mean and
    /// variance while training (the running ones moved toward them by `momentum`, or averaged
    /// over every batch where it is nil), by the running ones in evaluation; then scaled and
    /// shifted by a learned weight and bias where `affine`.
    public static func batchNorm(_ features: Int, dimensions: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                                 trackRunningStats: Bool = true) -> LayerSpec {
        LayerSpec(BatchNormSpec(features: features, dimensions: dimensions, eps: eps, momentum: momentum, affine: affine,
                                trackRunningStats: trackRunningStats))
    }

    /// `nn.Dropout(p)`: inverted dropout while training, nothing in evaluation.
    public static func dropout(p: Float = 0.5) -> LayerSpec { LayerSpec(DropoutSpec(p: p)) }

    /// A variational autoencoder's bottleneck, `Reparameterize(features, beta)`: `[batch,
    /// 2·features]` (means, then log-variances) → `[batch, features]`, a sample while training
    /// and the mean in evaluation, adding β·KL to the loss.
    public static func reparameterize(_ features: Int, beta: Float = 1) -> LayerSpec {
        LayerSpec(ReparameterizeSpec(features: features, beta: beta))
    }

    /// `nn.Flatten()`: `[batch, …] → [batch, product]`.
    public static let flatten = LayerSpec(FlattenSpec())

    /// `nn.Unflatten(1, shape)`: `[batch, product] → [batch] + shape`.
    public static func unflatten(_ shape: [Int]) -> LayerSpec { LayerSpec(UnflattenSpec(shape: shape)) }
}

extension LayerSpec: Codable {
    /// As its text: `"ReLU()"`, `"Linear(in_features=784, out_features=64)"`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try LayerSpec(parsing: text)
        } catch let error as LayerSyntaxError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
