import Compute

extension Sequential {
    /// Builds the model `spec` describes on `backend`, with weights drawn from `seed`.
    public static func build(_ spec: ModelSpec, backend: any Backend, seed: UInt64) throws -> Sequential {
        var random = SeededRandom(seed: seed)
        let b = backend, initial = spec.initialization
        var layers: [any Layer] = []
        var dropouts: UInt32 = 0
        func dropout() -> any Layer {
            dropouts += 1
            return Dropout(p: spec.dropout, salt: dropouts)
        }
        func output() -> [any Layer] {
            switch spec.output {
            case .sigmoid: return [Sigmoid()]
            case .relu: return [ReLU()]
            case .none: return []
            }
        }
        let pixels = spec.imageHeight * spec.imageWidth
        switch spec.architecture {
        case .dense:
            layers = [try Linear(pixels, spec.hidden, backend: b, initialization: initial, random: &random), ReLU()]
            if spec.dropout > 0 { layers.append(dropout()) }
            layers.append(try Linear(spec.hidden, pixels, backend: b, initialization: initial, random: &random))
            layers += output()

        case .convKeras:
            // Keras' padding="same" pools round up: 28 → 14 → 7 → 4; the code is 4×4×c.
            func conv(_ i: Int, _ o: Int, _ padding: Padding) throws -> any Layer {
                try Conv2D(i, o, kernel: 3, padding: padding, backend: b, initialization: initial, random: &random)
            }
            let c = spec.codeChannels ?? 8
            layers = [
                try conv(1, 16, .same), ReLU(), MaxPool2D(kernel: 2, ceilMode: true),
                try conv(16, 8, .same), ReLU(), MaxPool2D(kernel: 2, ceilMode: true),
                try conv(8, c, .same), ReLU(), MaxPool2D(kernel: 2, ceilMode: true),
                try conv(c, 8, .same), ReLU(), UpSample2D(factor: 2),
                try conv(8, 8, .same), ReLU(), UpSample2D(factor: 2),
                try conv(8, 16, .valid), ReLU(), UpSample2D(factor: 2),
                try conv(16, 1, .same),
            ]
            layers += output()

        case .convLinear, .classifier:
            layers = try convLinearEncoder(spec, backend: b, random: &random, dropout: dropout)
            if spec.architecture == .classifier {
                layers.append(try Linear(spec.hidden, ModelSpec.classes, backend: b, initialization: initial, random: &random))
                if (spec.logits ?? .relu) == .relu { layers.append(ReLU()) }
            } else {
                // The report gives no decoder kernel sizes; 3 then 5 is the smallest pair that
                // reaches 28×28 from 5×5 with stride 2 and output_padding 1 (5 → 12 → 28).
                layers += [
                    try Linear(spec.hidden, 32 * 5 * 5, backend: b, initialization: initial, random: &random), ReLU(),
                    Reshape([32, 5, 5]),
                    try ConvTranspose2D(32, 16, kernel: 3, stride: 2, outputPadding: 1, backend: b,
                                        initialization: initial, random: &random), ReLU(),
                    try ConvTranspose2D(16, 1, kernel: 5, stride: 2, outputPadding: 1, backend: b,
                                        initialization: initial, random: &random),
                ]
                layers += output()
            }
        }
        let model = Sequential(spec: spec, layers: layers, backend: backend)
        let final = try model.shapes(batch: 1).last ?? []
        let expected = spec.isAutoencoder ? [1] + spec.exampleShape : [1, ModelSpec.classes]
        guard final == expected else {
            throw ModelError.shape("\(spec.name) outputs \(final), expected \(expected)")
        }
        return model
    }

    /// S4's encoder, 28 → 26 → 13 → 11 → 5: Conv(1→16, 3) ReLU Dropout MaxPool, Conv(16→32, 3)
    /// ReLU Dropout MaxPool, Flatten, Linear(800 → hidden) ReLU Dropout — 12 layers. The report
    /// gives 32 channels for the second convolution only; 16 for the first is our choice.
    private static func convLinearEncoder(_ spec: ModelSpec, backend b: any Backend, random: inout SeededRandom,
                                          dropout: () -> any Layer) throws -> [any Layer] {
        let initial = spec.initialization
        return [
            try Conv2D(1, 16, kernel: 3, backend: b, initialization: initial, random: &random), ReLU(), dropout(),
            MaxPool2D(kernel: 2),
            try Conv2D(16, 32, kernel: 3, backend: b, initialization: initial, random: &random), ReLU(), dropout(),
            MaxPool2D(kernel: 2),
            Flatten(),
            try Linear(32 * 5 * 5, spec.hidden, backend: b, initialization: initial, random: &random), ReLU(), dropout(),
        ]
    }
}
