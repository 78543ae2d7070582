@testable import AEKit
import Compute
import Foundation
import Testing

/// The fusion pass, and that a fused model is the same model: the same outputs, gradients and
/// updates as the unfused one on both backends.
@Suite struct FusionTests {
    @Test func blocksAreABiasedLayerAndTheActivationAndDropoutAfterIt() {
        let layers: [LayerSpec] = [
            .conv2d(1, 4, kernel: 3), .relu, .dropout(p: 0.1), .maxPool2d(kernel: 2),  // conv + relu + dropout
            .flatten, .linear(4, 3), .sigmoid,                                 // linear + sigmoid
            .relu, .dropout(p: 0.2),                                           // no biased layer before: each alone
            .linear(3, 2), .dropout(p: 0.3),                                   // linear + dropout, no activation
            .linear(2, 2),                                                     // a lone linear
        ]
        #expect(Fusion.blocks(layers) == [0..<3, 3..<4, 4..<5, 5..<7, 7..<8, 8..<9, 9..<11, 11..<12])
        #expect(Fusion.blocks([]) == [])
    }

    static let specs = ModelTests.specs

    /// Two steps of Adam on one batch, fused and unfused from the same seed: outputs and every
    /// parameter afterwards agree (to rounding: the fused kernels do the same arithmetic).
    @Test(arguments: specs, ["cpu", "opencl"])
    func fusedAndUnfusedTrainAlike(_ spec: ModelSpec, _ device: String) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        let models = try [true, false].map { try Sequential(spec, backend: backend, seed: 3, fused: $0) }
        #expect(models[0].isFused && !models[1].isFused && models[0].parameters.stepsTogether)
        var random = SeededRandom(seed: 4)
        let batch = 5, x = try backend.tensor([batch] + spec.input, values: random.uniforms(batch * spec.input.reduce(1, *), 0, 1))
        let outputCount = try spec.shapes(batch: batch).last!.reduce(1, *)
        let gradients = (0..<2).map { _ in random.uniforms(outputCount) }
        var outputs: [[Float]] = []
        for model in models {
            let optimizer = OptimizerSpec(kind: .adam, learningRate: 1e-2).make()
            var y: Tensor?
            for step in 0..<2 {
                let context = ForwardContext(backend: backend, training: true, seed: 9, step: UInt32(step))
                y = try model.forward(x, context)
                let gradient = try backend.tensor(y!.shape, values: gradients[step])
                try model.backward(gradient, context)
                try optimizer.step(model.parameters)
            }
            outputs.append(try backend.download(y!.buffer))
        }
        #expect(maxDifference(outputs[0], outputs[1]) <= 1e-5, "outputs differ")
        for (fused, unfused) in zip(models[0].namedParameters, models[1].namedParameters) {
            let difference = maxDifference(try backend.download(fused.parameter.value.buffer),
                                           try backend.download(unfused.parameter.value.buffer))
            #expect(difference <= 1e-5, "\(fused.name) differs by \(difference)")
        }
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    /// A model's parameters are views of one flat buffer: writing a parameter writes its slot.
    @Test(arguments: ["cpu", "opencl"])
    func parametersAreViewsOfTheFlatBuffer(_ device: String) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        let model = try Sequential(ModelPreset(architecture: .dense, hidden: 8).spec, backend: backend, seed: 1)
        let store = model.parameters
        let bias = model.namedParameters[1].parameter
        try bias.load([Float](repeating: 7, count: 8), on: backend)
        let flat = try backend.download(store.values), offset = store.offsets[1]
        #expect(Array(flat[offset..<(offset + 8)]) == [Float](repeating: 7, count: 8))
        #expect(store.offsets.allSatisfy { $0 % backend.viewAlignment == 0 })
        // The padding after the first slot (784·8 floats, then up to the alignment) is zero.
        #expect(flat[(784 * 8)..<store.offsets[1]].allSatisfy { $0 == 0 })
    }

    @Test(arguments: ["cpu", "opencl"])
    func viewsShareMemoryAndRefuseWhatDoesNotFit(_ device: String) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        let align = backend.viewAlignment
        let parent = try backend.tensor([4 * align], values: (0..<(4 * align)).map(Float.init)).buffer
        let view = try backend.view(parent, offset: align, count: 2 * align)
        #expect(try backend.download(view).first == Float(align))
        try backend.fill(view, with: -1)
        let after = try backend.download(parent)
        #expect(after[align - 1] == Float(align - 1) && after[align] == -1 && after[3 * align - 1] == -1
                && after[3 * align] == Float(3 * align))
        // A view of a view starts where its parent does, plus its own offset.
        let inner = try backend.view(view, offset: align, count: align)
        try backend.fill(inner, with: 5)
        #expect(try backend.download(parent)[2 * align] == 5)
        #expect(throws: ComputeError.self) { try backend.view(parent, offset: 3 * align, count: 2 * align) }
        if align > 1 { #expect(throws: ComputeError.self) { try backend.view(parent, offset: 1, count: 1) } }
    }
}
