@testable import AEKit
import Compute
import Foundation
import Testing

@Suite struct ModelTests {
    static let specs: [ModelSpec] = [
        ModelPreset(architecture: .dense, hidden: 64, dropout: 0.1, output: .sigmoid).spec,
        ModelPreset(architecture: .dense, hidden: 512, dropout: 0, output: .relu).spec,
        ModelPreset(architecture: .convKeras, output: .sigmoid, initialization: .keras).spec,
        ModelPreset(architecture: .convLinear, hidden: 64, dropout: 0.2).spec,
        ModelPreset(architecture: .classifier, hidden: 64, dropout: 0.2, output: .none).spec,
    ]

    @Test(arguments: specs)
    func presetOutputsTheImageShape(_ spec: ModelSpec) throws {
        let model = try Sequential(spec, backend: cpu, seed: 1)
        let shapes = try model.shapes(batch: 3)
        if spec.isAutoencoder {
            #expect(shapes.last!.reduce(1, *) == 3 * 28 * 28)
            #expect(shapes.last! == [3] + spec.input)
        } else {
            #expect(shapes.last! == [3, 10])
        }
        // And a real forward pass gives that shape.
        let x = try cpu.tensor([3] + spec.input, filledWith: 0.5)
        #expect(try model.forward(x, ForwardContext(backend: cpu, training: false)).shape == shapes.last!)
    }

    /// `--logits linear` drops the head's ReLU and nothing else: the same weights from the same
    /// seed, and logits that can go below 0. A spec written before the setting (no `logits` key)
    /// reads as the report's ReLU head.
    @Test func linearLogitsDropTheClassifiersReLU() throws {
        var preset = ModelPreset(architecture: .classifier, hidden: 64, dropout: 0.2, output: .none)
        let relu = try Sequential(preset.spec, backend: cpu, seed: 3)
        preset.logits = .linear
        let spec = preset.spec
        let linear = try Sequential(spec, backend: cpu, seed: 3)
        #expect(linear.layers.count == relu.layers.count - 1 && spec.name == "classifier-64-linear-logits")
        #expect(try linear.namedParameters.map { try cpu.download($0.parameter.value.buffer) }
                    == relu.namedParameters.map { try cpu.download($0.parameter.value.buffer) })
        var random = SeededRandom(seed: 9)
        let x = try cpu.tensor([8, 1, 28, 28], values: random.uniforms(8 * 784, 0, 1))
        let context = ForwardContext(backend: cpu, training: false)
        let logits = try cpu.download(linear.forward(x, context).buffer)
        let clipped = try cpu.download(relu.forward(x, context).buffer)
        #expect(logits.contains { $0 < 0 })
        #expect(clipped == logits.map { max($0, 0) })

        let old = #"{"architecture":"classifier","hidden":64,"dropout":0.2,"output":"none","initialization":"pytorch","imageHeight":28,"imageWidth":28}"#
        #expect(ModelPreset(recognizing: try JSONDecoder().decode(ModelSpec.self, from: Data(old.utf8)))?.logits == nil)
        var dense = ModelPreset(architecture: .dense)
        dense.logits = .linear
        #expect(dense.problem == "--logits is for the classifier model only")
    }

    @Test func parameterNamesFollowNNSequential() throws {
        let dense = try Sequential(ModelPreset(architecture: .dense, hidden: 64, dropout: 0.1).spec, backend: cpu, seed: 1)
        #expect(dense.namedParameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias"])
        #expect(dense.namedParameters.map(\.parameter.shape) == [[64, 784], [64], [784, 64], [784]])
        let s3 = try Sequential(ModelPreset(architecture: .dense, hidden: 64, dropout: 0, output: .relu).spec, backend: cpu, seed: 1)
        #expect(s3.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        let conv = try Sequential(ModelPreset(architecture: .convLinear, hidden: 64).spec, backend: cpu, seed: 1)
        let convT = try #require(conv.namedParameters.first { $0.name == "15.weight" })
        #expect(convT.parameter.shape == [32, 16, 3, 3])  // ConvTranspose2d: [in, out, k, k]
    }

    @Test func pytorchInitialisationBounds() throws {
        let model = try Sequential(ModelPreset(architecture: .dense, hidden: 64).spec, backend: cpu, seed: 1)
        let weight = try cpu.download(model.namedParameters[0].parameter.value.buffer)
        let bound = 1 / Float(784).squareRoot()
        #expect(weight.allSatisfy { abs($0) <= bound })
        #expect(weight.map(abs).max()! > 0.95 * bound)
    }

    @Test func summaryListsEveryLayer() throws {
        let model = try Sequential(ModelPreset(architecture: .convKeras).spec, backend: cpu, seed: 1)
        let text = try model.summary()
        #expect(text.contains("[1, 8, 4, 4]") && text.contains("total parameters: 4385"))
    }

    /// The view layers print PyTorch's reprs.
    @Test func summaryShowsPyTorchReprs() throws {
        let text = try Sequential(ModelPreset(architecture: .convLinear, hidden: 64).spec, backend: cpu, seed: 1).summary()
        #expect(text.contains("Flatten(start_dim=1, end_dim=-1)"), "\(text)")
        #expect(text.contains("Unflatten(dim=1, unflattened_size=(32, 5, 5))"), "\(text)")
    }
}
