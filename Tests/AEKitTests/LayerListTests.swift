@testable import AEKit
import Compute
import Foundation
import Testing

/// Models as layer lists: the text of each layer, presets as lists, files, and the Swift API.
@Suite struct LayerListTests {
    static let presets: [ModelPreset] = {
        var sixteen = ModelPreset(architecture: .convKeras, output: .sigmoid, initialization: .keras)
        sixteen.codeChannels = 16
        var linearLogits = ModelPreset(architecture: .classifier, hidden: 32, dropout: 0.2, output: .none)
        linearLogits.logits = .linear
        return ModelTests.specs.map { ModelPreset(recognizing: $0)! } + [
            sixteen, linearLogits,
            ModelPreset(architecture: .dense, hidden: 7, dropout: 0.3, output: .none),
            ModelPreset(architecture: .convLinear, hidden: 5, dropout: 0, output: .relu),
        ]
    }()

    /// Every layer of every preset, and layers no preset has, read back from their own text.
    @Test func everyLayerReadsBackFromItsText() throws {
        let extra: [LayerSpec] = [
            .conv2d(3, 5, kernel: 5, stride: 2, padding: 2), .convTranspose2d(4, 2, kernel: 4, stride: 2, padding: 1),
            .maxPool2d(kernel: 3, stride: 1), .upsample(scaleFactor: 3), .dropout(p: 0.125), .unflatten([2, 3, 4]),
        ] + LayerListTests.layersNoPresetHas
        let layers = LayerListTests.presets.flatMap(\.spec.layers) + extra
        for layer in layers {
            #expect(try LayerSpec(parsing: layer.description) == layer, "\(layer)")
        }
        let json = try JSONEncoder().encode(layers)
        #expect(try JSONDecoder().decode([LayerSpec].self, from: json) == layers)
    }

    /// Layers of the kinds no preset uses: every activation, bias-free products.
    static let layersNoPresetHas: [LayerSpec] = ActivationFunction.examples.map(LayerSpec.activation) + [
        .linear(3, 4, bias: false), .conv2d(2, 3, kernel: 3, padding: 1, bias: false),
        .convTranspose2d(3, 2, kernel: 2, stride: 2, bias: false),
        .avgPool2d(kernel: 2, stride: 2), .avgPool2d(kernel: 3, stride: 1, padding: 1, ceilMode: true, countIncludePad: false),
        .batchNorm(16, dimensions: 2), .batchNorm(8, dimensions: 1, eps: 1e-3, momentum: nil, affine: false, trackRunningStats: false),
        .upsample(scaleFactor: 2, mode: .bilinear(alignCorners: false)), .upsample(scaleFactor: 3, mode: .bilinear(alignCorners: true)),
        .upsample(size: 28), .upsample(size: 14, mode: .bilinear(alignCorners: true)),
    ]

    /// Every layer's text is a valid Python call of its torch.nn class with PyTorch's own
    /// argument names (signatures as of PyTorch 2), so `eval("nn." + text)` builds the module.
    @Test func everyLayerIsAPythonConstructorCall() throws {
        let texts = (LayerListTests.presets.flatMap(\.spec.layers) + LayerListTests.layersNoPresetHas).map(\.description)
        let script = """
            import ast, json, sys
            signatures = {
                "Linear": ["in_features", "out_features", "bias", "device", "dtype"],
                "Conv2d": ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"],
                "ConvTranspose2d": ["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode"],
                "MaxPool2d": ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"],
                "Upsample": ["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"],
                "ReLU": ["inplace"], "Sigmoid": [], "Dropout": ["p", "inplace"], "Tanh": [], "Identity": [],
                "LeakyReLU": ["negative_slope", "inplace"], "ELU": ["alpha", "inplace"], "GELU": ["approximate"],
                "SiLU": ["inplace"], "Hardtanh": ["min_val", "max_val", "inplace", "min_value", "max_value"],
                "Softplus": ["beta", "threshold"],
                "AvgPool2d": ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
                "BatchNorm1d": ["num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"],
                "BatchNorm2d": ["num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"],
                "Flatten": ["start_dim", "end_dim"], "Unflatten": ["dim", "unflattened_size"],
            }
            for text in json.load(sys.stdin):
                call = ast.parse(text, mode="eval").body
                assert isinstance(call, ast.Call) and call.func.id in signatures, text
                names = signatures[call.func.id]
                assert len(call.args) <= len(names), text
                assert all(k.arg in names[len(call.args):] for k in call.keywords), text
                for node in ast.walk(call):
                    assert not isinstance(node, ast.Name) or node is call.func, text  # no bare names: 'same' is quoted
            print("ok")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        process.standardInput = input
        try input.fileHandleForWriting.write(contentsOf: JSONEncoder().encode(texts))
        try input.fileHandleForWriting.close()
        let result = try runToEnd(process)
        #expect(result.status == 0 && result.output.hasPrefix("ok"), "\(result.output)")
    }

    /// The lines PyTorch's `print(model)` writes, and the short forms people type.
    @Test(arguments: [
        ("Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", LayerSpec.conv2d(1, 16, kernel: 3, padding: 1)),
        ("Conv2d(1, 16, 3, padding='same')", .conv2d(1, 16, kernel: 3, padding: .same)),
        ("Conv2d(in_channels=8, out_channels=4, kernel_size=5, stride=2, bias=True)", .conv2d(8, 4, kernel: 5, stride: 2)),
        ("ConvTranspose2d(32, 16, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))",
         .convTranspose2d(32, 16, kernel: 3, stride: 2, outputPadding: 1)),
        ("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", .maxPool2d(kernel: 2)),
        ("MaxPool2d(2)", .maxPool2d(kernel: 2)),
        ("MaxPool2d(2, stride=None, ceil_mode=True)", .maxPool2d(kernel: 2, ceilMode: true)),
        ("Linear(in_features=784, out_features=64, bias=True)", .linear(784, 64)),
        ("Linear(800, 64)", .linear(800, 64)),
        ("Upsample(scale_factor=2.0, mode='nearest')", .upsample(scaleFactor: 2)),
        ("Upsample(scale_factor=2)", .upsample(scaleFactor: 2)),
        ("ReLU(inplace=True)", .relu),
        ("  Sigmoid( ) ", .sigmoid),
        ("Dropout(p=0.2, inplace=False)", .dropout(p: 0.2)),
        ("Dropout()", .dropout(p: 0.5)),
        ("Flatten(start_dim=1, end_dim=-1)", .flatten),
        ("Unflatten(dim=1, unflattened_size=(32, 5, 5))", .unflatten([32, 5, 5])),
        ("Unflatten(1, (32, 5, 5))", .unflatten([32, 5, 5])),
        ("Linear(in_features=16, out_features=8, bias=False)", .linear(16, 8, bias: false)),
        ("Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), bias=False)",
         .conv2d(1, 32, kernel: 5, padding: 2, bias: false)),
        ("ConvTranspose2d(8, 4, 5, bias=False, padding=2)", .convTranspose2d(8, 4, kernel: 5, padding: 2, bias: false)),
        ("LeakyReLU(negative_slope=0.01)", .activation(.leakyReLU())),
        ("LeakyReLU(0.2, inplace=True)", .activation(.leakyReLU(negativeSlope: 0.2))),
        ("ELU(alpha=1.0)", .activation(.elu())),
        // Negative slopes, as PyTorch allows them (the layer then keeps its input for the gradient).
        ("LeakyReLU(negative_slope=-0.3)", .activation(.leakyReLU(negativeSlope: -0.3))),
        ("ELU(alpha=-0.5)", .activation(.elu(alpha: -0.5))),
        ("GELU(approximate='none')", .activation(.gelu())),
        ("GELU()", .activation(.gelu())),
        ("GELU(approximate='tanh')", .activation(.gelu(tanhApproximation: true))),
        ("SiLU(inplace=False)", .activation(.silu)),
        ("Tanh()", .activation(.tanh)),
        ("Hardtanh(min_val=-1.0, max_val=1.0)", .activation(.hardtanh())),
        ("Hardtanh(0, 1)", .activation(.hardtanh(min: 0, max: 1))),
        ("Softplus(beta=1.0, threshold=20.0)", .activation(.softplus())),
        ("Softplus(2)", .activation(.softplus(beta: 2))),
        ("Identity()", .activation(.none)),
        ("Reparameterize(features=20, beta=1.0)", .reparameterize(20)),
        ("Reparameterize(8, beta=4)", .reparameterize(8, beta: 4)),
        ("AvgPool2d(kernel_size=2, stride=2, padding=0)", .avgPool2d(kernel: 2, stride: 2)),
        ("Upsample(scale_factor=2.0, mode='bilinear')", .upsample(scaleFactor: 2, mode: .bilinear(alignCorners: false))),
        ("Upsample(scale_factor=2, mode='bilinear', align_corners=True)", .upsample(scaleFactor: 2, mode: .bilinear(alignCorners: true))),
        ("Upsample(scale_factor=2, mode='bilinear', align_corners=None)", .upsample(scaleFactor: 2, mode: .bilinear(alignCorners: false))),
        ("Upsample(size=(28, 28), mode='nearest')", .upsample(size: 28)),
        ("Upsample(size=56, scale_factor=None, mode='bilinear')", .upsample(size: 56, mode: .bilinear(alignCorners: false))),
        ("AvgPool2d(3, stride=1, padding=1)", .avgPool2d(kernel: 3, stride: 1, padding: 1)),
        ("AvgPool2d(2, ceil_mode=True, count_include_pad=False)", .avgPool2d(kernel: 2, stride: 2, ceilMode: true, countIncludePad: false)),
        ("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", .batchNorm(16, dimensions: 2)),
        ("BatchNorm1d(32)", .batchNorm(32, dimensions: 1)),
        ("BatchNorm1d(32, momentum=None, affine=False)", .batchNorm(32, dimensions: 1, momentum: nil, affine: false)),
    ])
    func pytorchsTextReads(_ text: String, _ layer: LayerSpec) throws {
        #expect(try LayerSpec(parsing: text) == layer)
    }

    @Test(arguments: [
        ("Conv3d(1, 2, 3)", "AEKit has no layer 'Conv3d'; AEKit's layers are Linear, Conv2d"),
        ("Conv2d(1, 2, kernal_size=3)", "Conv2d has no argument 'kernal_size'"),
        ("Conv2d(1, 2)", "Conv2d needs kernel_size"),
        ("Conv2d(1, 2, kernel_size=(3, 5))", "kernel_size=(3, 5) is not square"),
        ("Conv2d(4, 4, 3, groups=2)", "groups=2 is not supported; AEKit implements only groups=1"),
        ("Linear(3, 4, bias=2)", "bias must be True or False"),
        ("Softplus(beta=0.0)", "its beta must be > 0"),
        ("Reparameterize(features=0)", "its features must be at least 1"),
        ("Reparameterize(20, beta=-1.0)", "its beta must be a number ≥ 0"),
        ("GELU(approximate='fast')", "approximate must be 'none' or 'tanh'"),
        ("Hardtanh(1.0, -1.0)", "must be below its max_val"),
        ("Tanh(inplace=True)", "Tanh has no argument 'inplace'"),
        ("Linear(3, 4, 5, 6)", "takes at most 3 arguments"),
        ("Linear(in_features=3, 4)", "positional argument after a keyword"),
        ("Linear(3, in_features=4)", "is given in_features twice"),
        ("Linear(3, 4.5)", "out_features must be a whole number"),
        ("Linear(3, 0)", "its out_features must be in 1..."),
        ("Dropout(p=1.5)", "its p must be in [0, 1)"),
        ("AvgPool2d(2, padding=2)", "its padding (2) must be at most half its kernel_size (2)"),
        ("AvgPool2d(2, divisor_override=3)", "divisor_override=3 is not supported"),
        ("BatchNorm2d(8, momentum=1.5)", "its momentum must be in [0, 1] or None"),
        ("BatchNorm1d(8, eps=0)", "its eps must be a positive number"),
        ("Dropout(p=0.2, inplace=5)", "inplace must be True or False"),
        ("Upsample(scale_factor=2, mode='bicubic')", "mode='bicubic' is not supported"),
        ("Upsample(size=28, scale_factor=2)", "takes scale_factor or size, not both"),
        ("Upsample(size=(28, 14))", "size=(28, 14) is not square"),
        ("Upsample(scale_factor=2, align_corners=True)", "align_corners=True is not supported"),
        ("ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)", "output_padding (2) must be smaller than its stride (2)"),
        ("ReLU(", "expected a value at the end"),
        ("ReLU() ReLU()", "unexpected text after the layer"),
        ("Dropout(p='x", "a string is not closed"),
        ("", "expected a name"),
        ("Unflatten(1, ((((((1))))))", "tuples nest too deep"),
        ("Unflatten(1, ((2, 3), 4))", "unflattened_size holds (2, 3), not a whole number"),
    ])
    func badLayersAreRefusedByName(_ text: String, _ message: String) {
        #expect { try LayerSpec(parsing: text) } throws: { "\($0)".contains(message) }
    }

    /// Each preset is a layer list, and the list is recognised as that preset again (what names
    /// it and lets `--hidden` change a model read from a file).
    @Test(arguments: presets)
    func presetsAreRecognisedFromTheirLists(_ preset: ModelPreset) throws {
        let spec = preset.spec
        #expect(ModelPreset(recognizing: spec) == preset)
        #expect(spec.problem == nil && spec.name == preset.name)
        let json = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(ModelSpec.self, from: json) == spec)
        // The old form (the preset's own keys) reads as the same list.
        #expect(try JSONDecoder().decode(ModelSpec.self, from: JSONEncoder().encode(preset)) == spec)
        // One layer more and it is no preset (no preset ends with a Dropout).
        var other = spec
        other.layers.append(.dropout(p: 0.5))
        #expect(ModelPreset(recognizing: other) == nil)
    }

    /// `Upsample(size=n)` scales by the whole factor n / side, refused where there is none.
    @Test func upsampleToASizeScalesByAWholeFactor() throws {
        #expect(try LayerSpec.upsample(size: 56).outputShape(for: [2, 3, 28, 28]) == [2, 3, 56, 56])
        #expect(try LayerSpec.upsample(size: 28, mode: .bilinear(alignCorners: false)).outputShape(for: [1, 1, 7, 7]) == [1, 1, 28, 28])
        #expect { try LayerSpec.upsample(size: 56).outputShape(for: [1, 1, 20, 20]) } throws: {
            "\($0)".contains("56×56 is no such multiple of 20×20")
        }
        #expect { try LayerSpec.upsample(size: 56).outputShape(for: [1, 1, 28, 14]) } throws: { "\($0)".contains("of 28×14") }
        // The layer scales by the same factor the shape does, both ways.
        let layer = UpSample2D(scale: .size(28)), x = try cpu.tensor([1, 1, 14, 14], values: (0..<196).map(Float.init))
        let context = ForwardContext(backend: cpu, training: true)
        let y = try layer.forward(x, context)
        let out = try cpu.download(y.buffer)
        #expect(y.shape == [1, 1, 28, 28] && out[29] == 0 && out[30] == 1 && out[28 * 2] == 14)
        let dx = try #require(try layer.backward(try cpu.tensor([1, 1, 28, 28], filledWith: 1), needsInputGradient: true, context))
        #expect(try cpu.download(dx.buffer) == [Float](repeating: 4, count: 196))
    }

    @Test func aListThatDoesNotFitNamesItsLayerAndShape() throws {
        let spec = ModelSpec(input: [1, 28, 28], layers: [
            .conv2d(1, 32, kernel: 3), .relu, .maxPool2d(kernel: 2), .conv2d(32, 32, kernel: 3), .maxPool2d(kernel: 2), .linear(800, 64),
        ])
        #expect(spec.problem == "layer 5 Linear(in_features=800, out_features=64) expects 800 features; it gets 32×5×5 = 800 "
                + "(a Flatten() before it makes them one row)")
        var wide = spec
        wide.layers.insert(.flatten, at: 5)
        wide.layers[6] = .linear(1152, 64)
        #expect(wide.problem?.hasPrefix("layer 6 Linear(in_features=1152, out_features=64) expects 1152 features; it gets 800") == true)
        wide.layers[6] = .linear(800, 784)
        #expect(wide.problem?.contains("must output its input's shape [1, 28, 28]; the last layer outputs [784]") == true)
        wide.layers.append(.unflatten([1, 28, 28]))
        #expect(wide.problem == nil)
        #expect(throws: ModelError.self) { try Sequential(spec, backend: cpu, seed: 1) }
        let huge = ModelSpec(input: [1, 4096, 4096], layers: [.upsample(scaleFactor: 1024), .upsample(scaleFactor: 1024)])
        #expect(huge.problem?.contains("more than AEKit's") == true)
    }

    /// Run folders and checkpoints written by aekit 0.1.0 (Tests/Fixtures/runs-0.1.0, old model
    /// keys) still load: each checkpoint rebuilds from its metadata and gives the test metrics
    /// its final.json recorded, and an interrupted-style resume continues the conv-linear run.
    @Test(arguments: ["conv-linear", "conv-keras", "classifier", "dense"])
    func oldRunFoldersStillLoad(_ name: String) throws {
        let fixture = RunFolder(path: Paths.join(fixtures, "runs-0.1.0/\(name)"))
        let record = try fixture.readJSON(RunRecord.self, from: fixture.config)
        let model = try Checkpoint.load(fixture.model, backend: cpu)
        #expect(model.spec == record.config.model && ModelPreset(recognizing: model.spec) != nil)
        let final = try fixture.readJSON(FinalRecord.self, from: fixture.final)
        let test = try fashionMNIST.get().test
        let loss = try model.evaluate(test).loss
        #expect(abs(loss - final.test.loss) <= 1e-6 * final.test.loss, "\(name): \(loss) against \(final.test.loss)")
    }

    @Test func anOldRunResumes() throws {
        let folder = try temporaryFolder()
        let source = Paths.join(fixtures, "runs-0.1.0/conv-linear")
        for entry in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: Paths.join(source, entry), toPath: Paths.join(folder, entry))
        }
        let run = try TrainingRun(resuming: RunFolder(path: folder), backend: cpu, epochs: 2)
        let test = try run.run()
        #expect(run.history.count == 2 && test.loss < run.history[0].validation.loss)
        // config.json is rewritten in the new form, and reads back as the same model.
        let written = try String(contentsOfFile: Paths.join(folder, "config.json"), encoding: .utf8)
        #expect(written.contains("\"layers\"") && !written.contains("\"architecture\""))
    }

    /// A model from Swift, trained from arrays with `fit`, saved, loaded and run with
    /// `predict` on both backends; the two backends train it to the same losses.
    @Test func aSwiftModelFitsSavesAndLoadsOnBothBackends() throws {
        let layers: [LayerSpec] = [
            .conv2d(1, 8, kernel: 3, padding: .same), .relu, .maxPool2d(kernel: 2),
            .conv2d(8, 4, kernel: 3, padding: .same), .relu, .maxPool2d(kernel: 2),
            .flatten, .linear(4 * 7 * 7, 16), .relu, .linear(16, 4 * 7 * 7), .relu, .unflatten([4, 7, 7]),
            .convTranspose2d(4, 8, kernel: 2, stride: 2), .relu, .convTranspose2d(8, 1, kernel: 2, stride: 2), .sigmoid,
        ]
        let data = try fashionSubset(train: 300, test: 100)
        let train = try Dataset(images: data.train.pixels, height: 28, width: 28)
        let test = try Dataset(images: data.test.pixels, height: 28, width: 28)
        var losses: [[Double]] = []
        for backend in [cpu as any Backend, try openCL()] {
            let model = try Sequential(layers, input: [1, 28, 28], backend: backend, seed: 4)
            let history = try model.fit(train, epochs: 2, batchSize: 50, validation: test)
            #expect(history.count == 2 && history[1].validation.loss < history[0].validation.loss)
            losses.append(history.map(\.validation.loss))
            let path = Paths.join(try temporaryFolder(), "model.safetensors")
            try model.save(to: path)
            let loaded = try Sequential.load(path, backend: backend)
            #expect(loaded.spec == model.spec && loaded.namedParameters.map(\.name).first == "0.weight")
            let (a, b) = (try model.predict(test), try loaded.predict(test))
            #expect(a.count == 100 * 784 && a == b)
            #expect(abs(try loaded.evaluate(test).loss - history[1].validation.loss) <= 1e-6)
        }
        #expect(zip(losses[0], losses[1]).allSatisfy { abs($0 - $1) <= 1e-4 * $0 }, "CPU \(losses[0]), OpenCL \(losses[1])")

        #expect(throws: DatasetError.self) { try Dataset(images: [0, 1, 0], height: 2, width: 2) }
        #expect(throws: DatasetError.self) { try Dataset(images: [0, 1, 0, 1], height: 2, width: 2, labels: [1, 2]) }
        let small = try Dataset(images: [Float](repeating: 0.5, count: 4 * 16), height: 4, width: 4)
        let model = try Sequential(layers, input: [1, 28, 28], backend: cpu)
        #expect { try model.fit(small, epochs: 1) } throws: { "\($0)".contains("the data's images are 1×4×4") }
    }
}

/// Tests/Fixtures.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appending(path: "Fixtures").path
