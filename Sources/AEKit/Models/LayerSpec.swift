import Compute

/// One layer of a `Sequential` model as data, in PyTorch's terms. Its text is PyTorch's repr of
/// the module (`Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding='same')`), which is
/// what `aekit summary` prints, what `config.json` and checkpoints store, and what
/// `--model-file` reads back (`LayerSpec(parsing:)`). The one change from PyTorch's repr, a
/// quoted `'same'`, makes every text a valid constructor call: `eval("nn." + text)` in Python
/// builds the module.
public enum LayerSpec: Sendable, Equatable, CustomStringConvertible {
    /// `nn.Linear(in_features, out_features, bias)`: `y = x·Wᵀ + b` on `[batch, in]`.
    case linear(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true)
    /// `nn.Conv2d` with a square kernel on NCHW; `padding` is a number of zeros per side, or
    /// `same` (as large as the input at stride 1, odd kernels) or `valid` (none).
    case conv2d(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = .valid,
                bias: Bool = true)
    /// `nn.ConvTranspose2d` with a square kernel: output `(in − 1)·stride − 2·padding + kernel + outputPadding`.
    case convTranspose2d(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                         outputPadding: Int = 0, bias: Bool = true)
    /// `nn.MaxPool2d(kernel_size, stride)`; `ceilMode` rounds the output size up (Keras' `same`).
    case maxPool2d(kernel: Int, stride: Int, ceilMode: Bool = false)
    /// `nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)`: the mean of each
    /// window, padding counted in the divisor where `countIncludePad` (PyTorch's default).
    case avgPool2d(kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true)
    /// `nn.Upsample(scale_factor, mode)`: nearest (Keras' `UpSampling2D`), or bilinear with
    /// PyTorch's `align_corners`.
    case upsample(scaleFactor: Int, mode: UpsampleMode = .nearest)
    /// An elementwise activation: `ReLU()`, `Sigmoid()`, `Tanh()`, `LeakyReLU(negative_slope)`,
    /// `ELU(alpha)`, `GELU(approximate)`, `SiLU()`, `Hardtanh(min_val, max_val)`,
    /// `Softplus(beta, threshold)`, `Identity()` (`ActivationSyntax` reads and writes them).
    case activation(ActivationFunction)
    /// `nn.BatchNorm1d` (`dimensions` 1: `[N, C]` or `[N, C, L]`) and `nn.BatchNorm2d` (2:
    /// `[N, C, H, W]`) of `features` channels: each channel normalised by the batch's mean and
    /// variance while training (the running ones moved toward them by `momentum`, or averaged
    /// over every batch where it is nil), by the running ones in evaluation; then scaled and
    /// shifted by a learned weight and bias where `affine`.
    case batchNorm(_ features: Int, dimensions: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                   trackRunningStats: Bool = true)
    /// `nn.Dropout(p)`: inverted dropout while training, nothing in evaluation.
    case dropout(p: Float = 0.5)
    /// `nn.Flatten()`: `[batch, …] → [batch, product]`.
    case flatten
    /// `nn.Unflatten(1, shape)`: `[batch, product] → [batch] + shape`.
    case unflatten(_ shape: [Int])

    /// How `Upsample` fills its output: with the nearest input pixel, or by bilinear
    /// interpolation under PyTorch's `align_corners` convention.
    public enum UpsampleMode: Sendable, Equatable {
        case nearest
        case bilinear(alignCorners: Bool)
    }

    public static let relu = LayerSpec.activation(.relu)
    public static let sigmoid = LayerSpec.activation(.sigmoid)

    /// `MaxPool2d(k)` as PyTorch's default: the stride is the kernel.
    public static func maxPool2d(_ kernel: Int, ceilMode: Bool = false) -> LayerSpec {
        .maxPool2d(kernel: kernel, stride: kernel, ceilMode: ceilMode)
    }

    /// PyTorch's class name.
    public var kind: String {
        switch self {
        case .linear: "Linear"
        case .conv2d: "Conv2d"
        case .convTranspose2d: "ConvTranspose2d"
        case .maxPool2d: "MaxPool2d"
        case .avgPool2d: "AvgPool2d"
        case .upsample: "Upsample"
        case .activation(let function): function.layerName
        case .batchNorm(_, let dimensions, _, _, _, _): "BatchNorm\(dimensions)d"
        case .dropout: "Dropout"
        case .flatten: "Flatten"
        case .unflatten: "Unflatten"
        }
    }

    /// PyTorch's repr of the module.
    public var description: String {
        func pair(_ n: Int) -> String { "(\(n), \(n))" }
        let arguments: String
        switch self {
        case .linear(let i, let o, _): arguments = "in_features=\(i), out_features=\(o)"
        case .conv2d(let i, let o, let k, let s, let p, _):
            arguments = "\(i), \(o), kernel_size=\(pair(k)), stride=\(pair(s))" + {
                switch p {
                case .valid, .explicit(0): ""
                case .same: ", padding='same'"
                case .explicit(let n): ", padding=\(pair(n))"
                }
            }()
        case .convTranspose2d(let i, let o, let k, let s, let p, let op, _):
            arguments = "\(i), \(o), kernel_size=\(pair(k)), stride=\(pair(s))"
                + (p > 0 ? ", padding=\(pair(p))" : "") + (op > 0 ? ", output_padding=\(pair(op))" : "")
        case .maxPool2d(let k, let s, let ceil):
            arguments = "kernel_size=\(k), stride=\(s), padding=0, dilation=1, ceil_mode=\(ceil ? "True" : "False")"
        case .avgPool2d(let k, let s, let p, let ceil, let include):
            // PyTorch's repr stops at padding; the others follow where they differ from its defaults.
            arguments = "kernel_size=\(k), stride=\(s), padding=\(p)" + (ceil ? ", ceil_mode=True" : "")
                + (include ? "" : ", count_include_pad=False")
        case .upsample(let f, .nearest): arguments = "scale_factor=\(f).0, mode='nearest'"
        // PyTorch's repr leaves align_corners out; written where it is True, the text is the layer.
        case .upsample(let f, .bilinear(let align)):
            arguments = "scale_factor=\(f).0, mode='bilinear'" + (align ? ", align_corners=True" : "")
        case .activation(let function): arguments = function.layerArguments
        case .batchNorm(let c, _, let eps, let momentum, let affine, let track):
            arguments = "\(c), eps=\(eps), momentum=\(momentum.map { "\($0)" } ?? "None"), affine=\(affine ? "True" : "False"), "
                + "track_running_stats=\(track ? "True" : "False")"
        case .dropout(let p): arguments = "p=\(p), inplace=False"
        case .flatten: arguments = "start_dim=1, end_dim=-1"
        case .unflatten(let shape): arguments = "dim=1, unflattened_size=(\(shape.map(String.init).joined(separator: ", ")))"
        }
        // PyTorch's repr ends with bias=False where a product layer has none.
        return "\(kind)(\(arguments)\(isProduct && !hasBias ? ", bias=False" : ""))"
    }

    /// Whether the layer is a product (Linear, Conv2d, ConvTranspose2d): a weight, and a bias
    /// unless `bias=False`.
    public var isProduct: Bool {
        switch self {
        case .linear, .conv2d, .convTranspose2d: true
        default: false
        }
    }

    /// Whether the layer adds a bias per channel after its product (what the fusion pass fuses
    /// the following activation and dropout into).
    public var hasBias: Bool {
        switch self {
        case .linear(_, _, let bias), .conv2d(_, _, _, _, _, let bias), .convTranspose2d(_, _, _, _, _, _, let bias): bias
        default: false
        }
    }

    /// Learnable values: weight and bias.
    public var parameterCount: Int {
        switch self {
        case .linear(let i, let o, let bias): i * o + (bias ? o : 0)
        case .conv2d(let i, let o, let k, _, _, let bias), .convTranspose2d(let i, let o, let k, _, _, _, let bias):
            o * i * k * k + (bias ? o : 0)
        case .batchNorm(let c, _, _, _, let affine, _): affine ? 2 * c : 0
        default: 0
        }
    }

    /// Values the layer keeps that are not learned (BatchNorm's running mean and variance, and
    /// its count of batches): saved and loaded with the parameters, never stepped.
    public var stateCount: Int {
        switch self {
        case .batchNorm(let c, _, _, _, _, let track): track ? 2 * c + 1 : 0
        default: 0
        }
    }

    /// What makes the layer's own numbers unusable (sizes out of bounds, p outside [0, 1));
    /// nil when they are sound. Every comparison fails on NaN.
    public var problem: String? {
        let sizes = 1...LayerSpec.maximumSize, channels = 1...LayerSpec.maximumChannels, small = 1...LayerSpec.maximumWindow
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
            range.contains(value) ? nil : "its \(name) must be in \(range.lowerBound)...\(range.upperBound) (got \(value))"
        }
        let checks: [String?]
        switch self {
        case .linear(let i, let o, _): checks = [check("in_features", i, sizes), check("out_features", o, sizes)]
        case .conv2d(let i, let o, let k, let s, let p, _):
            var padding: String?
            if case .explicit(let n) = p { padding = check("padding", n, 0...LayerSpec.maximumWindow) }
            checks = [check("in_channels", i, channels), check("out_channels", o, channels), check("kernel_size", k, small),
                      check("stride", s, small), padding]
        case .convTranspose2d(let i, let o, let k, let s, let p, let op, _):
            checks = [check("in_channels", i, channels), check("out_channels", o, channels), check("kernel_size", k, small),
                      check("stride", s, small), check("padding", p, 0...LayerSpec.maximumWindow),
                      op < s ? check("output_padding", op, 0...LayerSpec.maximumWindow)
                             : "its output_padding (\(op)) must be smaller than its stride (\(s))"]
        case .maxPool2d(let k, let s, _): checks = [check("kernel_size", k, small), check("stride", s, small)]
        case .avgPool2d(let k, let s, let p, _, _):
            checks = [check("kernel_size", k, small), check("stride", s, small),
                      2 * p <= k ? nil : "its padding (\(p)) must be at most half its kernel_size (\(k)), as PyTorch requires"]
        case .upsample(let f, _): checks = [check("scale_factor", f, small)]
        case .dropout(let p): checks = [(0..<1).contains(p) ? nil : "its p must be in [0, 1) (got \(p))"]
        case .unflatten(let shape): checks = shape.isEmpty ? ["it needs a shape"] : shape.map { check("unflattened_size", $0, sizes) }
        case .activation(let function): checks = [function.problem]
        case .batchNorm(let c, let dimensions, let eps, let momentum, _, _):
            checks = [check("num_features", c, channels), (1...2).contains(dimensions) ? nil : "it must be BatchNorm1d or BatchNorm2d",
                      eps > 0 && eps.isFinite ? nil : "its eps must be a positive number (got \(eps))",
                      momentum.map { (0...1).contains($0) ? nil : "its momentum must be in [0, 1] or None (got \($0))" } ?? nil]
        case .flatten: checks = []
        }
        return checks.compactMap { $0 }.first
    }

    /// Features, channels and windows beyond any model here (the reports' widest layer is 512
    /// features, 32 channels, a 5×5 kernel), small enough that no parameter count computed from
    /// them overflows.
    public static let maximumSize = 1 << 24
    public static let maximumChannels = 1 << 16
    /// Kernels, strides, padding and scale factors.
    public static let maximumWindow = 1024

    /// The output shape for an input shape, batch included; throws, naming the layer and what it
    /// expects, when the input does not fit.
    public func outputShape(for input: [Int]) throws -> [Int] {
        func wrong(_ why: String) -> ModelError { ModelError.shape("\(self) \(why)") }
        let example = input.dropFirst()
        let features = example.map(String.init).joined(separator: "×") + (example.count > 1 ? " = \(example.reduce(1, *))" : "")
        switch self {
        case .linear(let i, let o, _):
            guard input.count == 2, input[1] == i else {
                throw wrong("expects \(i) features; it gets \(features)" + (input.count > 2 ? " (a Flatten() before it makes them one row)" : ""))
            }
            return [input[0], o]
        case .conv2d:
            let g = try convGeometry(input)
            return [g.batch, g.outChannels, g.outHeight, g.outWidth]
        case .convTranspose2d:
            let g = try convTransposeGeometry(input)
            return [g.batch, g.outChannels, g.outHeight, g.outWidth]
        case .maxPool2d, .avgPool2d:
            let g = try poolGeometry(input)
            return [g.batch, g.channels, g.outHeight, g.outWidth]
        case .upsample(let f, _):
            try checkImages(input)
            return [input[0], input[1], input[2] * f, input[3] * f]
        case .flatten:
            guard input.count >= 2 else { throw wrong("expects a batch of examples; it gets \(input)") }
            return [input[0], example.reduce(1, *)]
        case .unflatten(let shape):
            guard input.count == 2, input[1] == shape.reduce(1, *) else {
                throw wrong("expects \(shape.reduce(1, *)) features; it gets \(features)")
            }
            return [input[0]] + shape
        case .activation, .dropout:
            return input
        case .batchNorm(let c, let dimensions, _, _, _, _):
            let ranks = dimensions == 1 ? [2, 3] : [4]
            guard ranks.contains(input.count) else {
                throw wrong("expects " + (dimensions == 1 ? "[batch, features] or [batch, channels, length]" : "[batch, channels, height, width]")
                            + "; it gets \(input)")
            }
            guard input[1] == c else { throw wrong("expects \(c) channels; it gets \(input[1]) (of \(features))") }
            return input
        }
    }

    /// Throws unless `input` is a batch of images with `channels` channels (any, if nil).
    private func checkImages(_ input: [Int], channels: Int? = nil) throws {
        guard input.count == 4 else {
            throw ModelError.shape("\(self) expects [batch, channels, height, width]; it gets \(input)")
        }
        if let channels, input[1] != channels {
            throw ModelError.shape("\(self) expects \(channels) channels; it gets \(input[1]) (of \(input.dropFirst().map(String.init).joined(separator: "×")))")
        }
    }

    private func unfitting(_ input: [Int]) -> ModelError {
        ModelError.shape("\(self) does not fit an image of \(input[2])×\(input[3])")
    }

    /// The convolution of a `conv2d` layer on `input`; throws for any other layer.
    func convGeometry(_ input: [Int]) throws -> ConvGeometry {
        guard case .conv2d(let i, let o, let k, let s, let p, _) = self else { throw ModelError.shape("\(self) is no Conv2d") }
        try checkImages(input, channels: i)
        let g = ConvGeometry(batch: input[0], inChannels: i, inHeight: input[2], inWidth: input[3], outChannels: o,
                             kernelHeight: k, kernelWidth: k, stride: s, padding: p.amount(kernel: k))
        guard g.isValid else { throw unfitting(input) }
        return g
    }

    func convTransposeGeometry(_ input: [Int]) throws -> ConvTransposeGeometry {
        guard case .convTranspose2d(let i, let o, let k, let s, let p, let op, _) = self else {
            throw ModelError.shape("\(self) is no ConvTranspose2d")
        }
        try checkImages(input, channels: i)
        let g = ConvTransposeGeometry(batch: input[0], inChannels: i, inHeight: input[2], inWidth: input[3], outChannels: o,
                                      kernel: k, stride: s, padding: p, outputPadding: op)
        guard g.isValid else { throw unfitting(input) }
        return g
    }

    func poolGeometry(_ input: [Int]) throws -> PoolGeometry {
        let (k, s, p, ceil): (Int, Int, Int, Bool)
        switch self {
        case .maxPool2d(let kernel, let stride, let ceilMode): (k, s, p, ceil) = (kernel, stride, 0, ceilMode)
        case .avgPool2d(let kernel, let stride, let padding, let ceilMode, _): (k, s, p, ceil) = (kernel, stride, padding, ceilMode)
        default: throw ModelError.shape("\(self) is no pooling layer")
        }
        try checkImages(input)
        let g = PoolGeometry(batch: input[0], channels: input[1], inHeight: input[2], inWidth: input[3],
                             kernel: k, stride: s, padding: p, ceilMode: ceil)
        guard g.isValid else { throw unfitting(input) }
        return g
    }
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
