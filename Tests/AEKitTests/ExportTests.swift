@testable import AEKit
import Compute
import Foundation
import ONNXProto
import Testing

/// `Sequential.onnx(part:)` read back with swift-protobuf: the graph's interface, names and
/// weights. That ONNX Runtime computes AEKit's outputs from these files is `scripts/onnx-check`'s
/// to show (it needs PyPI's onnxruntime); here the file is checked for what it must say.
@Suite struct ExportTests {
    @Test func aGraphKeepsTheModelsNamesWeightsAndADynamicBatch() throws {
        let model = try Sequential(ModelPreset(architecture: .convLinear, hidden: 16).spec, backend: cpu, seed: 3)
        let file = try Onnx_ModelProto(serializedBytes: model.onnx())
        #expect(file.opsetImport.map(\.version) == [Int64(Sequential.onnxOpset)] && file.producerName == "AEKit")
        let graph = file.graph
        func dims(_ value: Onnx_ValueInfoProto) -> [String] {
            value.type.tensorType.shape.dim.map { $0.dimParam.isEmpty ? "\($0.dimValue)" : $0.dimParam }
        }
        #expect(graph.input.map(\.name) == ["input"] && dims(graph.input[0]) == ["batch", "1", "28", "28"])
        #expect(graph.output.map(\.name) == ["output"] && dims(graph.output[0]) == ["batch", "1", "28", "28"])
        // Every parameter under its state_dict name, with its values.
        let initializers = Dictionary(uniqueKeysWithValues: graph.initializer.map { ($0.name, $0) })
        for (name, parameter) in model.namedParameters {
            let tensor = try #require(initializers[name], "no initializer \(name)")
            #expect(tensor.dims == parameter.shape.map(Int64.init))
            let values = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            #expect(values == (try cpu.download(parameter.value.buffer)), "\(name)'s values")
        }
        // Nodes named by their layer, in the layers' order, each reading the one before.
        let layerOfNode = graph.node.map { Int($0.name.prefix { $0.isNumber })! }
        #expect(layerOfNode == layerOfNode.sorted() && Set(layerOfNode) == Set(model.spec.layers.indices))
        #expect(graph.node.first?.input.first == "input" && graph.node.last?.output == ["output"])
        #expect(graph.node.map(\.opType).contains("Gemm") && graph.node.map(\.opType).contains("ConvTranspose"))
    }

    @Test func theEncoderAndDecoderSplitAtTheCode() throws {
        let model = try Sequential(ModelPreset(architecture: .convLinear, hidden: 16).spec, backend: cpu, seed: 3)
        let encoder = try Onnx_ModelProto(serializedBytes: model.onnx(part: .encoder)).graph
        let decoder = try Onnx_ModelProto(serializedBytes: model.onnx(part: .decoder)).graph
        let code = model.spec.codeLayers
        #expect(encoder.output[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 16])
        #expect(decoder.input[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 16])
        #expect(encoder.node.allSatisfy { Int($0.name.prefix { $0.isNumber })! < code })
        #expect(decoder.node.allSatisfy { Int($0.name.prefix { $0.isNumber })! >= code })
        // What the two files compute, run by AEKit: the decoder of the encoder's code is the model.
        let x = try cpu.tensor([3, 1, 28, 28], values: (0..<(3 * 784)).map { Float($0 % 97) / 97 })
        #expect(try cpu.download(model.forward(.decoder, model.forward(.encoder, x)).buffer)
                == cpu.download(model.forward(.all, x).buffer))

        let classifier = try Sequential(ModelPreset(architecture: .classifier, hidden: 16).spec, backend: cpu, seed: 3)
        #expect { _ = try classifier.onnx(part: .encoder) } throws: { "\($0)".contains("classifier") }
    }

    /// `part(_:)`: the encoder and the decoder as models of their own (BatchNorm's statistics
    /// copied with the weights), saved and loaded like any model, not trained alone.
    @Test func anEncoderOrDecoderIsAModelOfItsOwn() throws {
        let folder = Paths.join(fixtures, "torch")
        let model = try Sequential(ModelSpec(file: Paths.join(folder, "conv-batchnorm-bce.json")), backend: cpu, seed: 0)
        try Checkpoint.loadParameters(torchFixtureStateDict("conv-batchnorm-bce"), path: "fixture", into: model)
        let encoder = try model.part(.encoder), decoder = try model.part(.decoder)
        #expect(encoder.spec.loss == .none && encoder.spec.layers.count == model.spec.codeLayers)
        #expect(decoder.spec.input == Array(try model.spec.shapes(batch: 1)[model.spec.codeLayers - 1].dropFirst()))
        let x = try cpu.tensor([4, 1, 28, 28], values: try fashionSubset(train: 0, test: 4).test.images(0..<4))
        let code = try model.forward(.encoder, x)
        #expect(try cpu.download(encoder.forward(.all, x).buffer) == cpu.download(code.buffer))
        #expect(try cpu.download(decoder.forward(.all, code).buffer) == cpu.download(model.forward(.all, x).buffer))

        let path = Paths.join(try temporaryFolder(), "encoder.safetensors")
        try Checkpoint.save(encoder, to: path)
        let loaded = try Checkpoint.load(path, backend: cpu)
        #expect(try cpu.download(loaded.forward(.all, x).buffer) == cpu.download(code.buffer))
        #expect(throws: (any Error).self) { try encoder.fit(fashionSubset(train: 10, test: 0).train, epochs: 1) }
        #expect { _ = try encoder.evaluate(fashionSubset(train: 0, test: 10).test) } throws: { "\($0)".contains("no loss") }
    }

    @Test func exportWritesTheFileAndTestVectors() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let trained = try aekit(["train", "--recipe", "s2", "--data", data, "--validation", "10", "--epochs", "1", "--batch", "20", "--device", "cpu",
                                 "--out", "run"], in: work)
        #expect(trained.status == 0, "\(trained.output)")
        let export = try aekit(["export", "--checkpoint", "run/model.safetensors", "--onnx", "enc.onnx", "--part", "encoder",
                                "--test-vectors", "5", "--data", data, "--dataset", "custom", "--device", "cpu"], in: work)
        #expect(export.status == 0 && export.output.contains("wrote enc.onnx"), "\(export.output)")
        let input = try NumPyArray(contentsOf: "\(work)/enc.input.npy"), output = try NumPyArray(contentsOf: "\(work)/enc.output.npy")
        #expect(input.shape == [5, 784] && output.shape == [5, 64], "\(input.shape) \(output.shape)")
        _ = try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: "\(work)/enc.onnx")))
        let refused = try aekit(["export", "--checkpoint", "run/model.safetensors", "--onnx", "x.pb"], in: work)
        #expect(refused.status == 64 && !FileManager.default.fileExists(atPath: "\(work)/x.pb"), "\(refused.output)")
    }
}
