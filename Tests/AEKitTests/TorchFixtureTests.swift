@testable import AEKit
import Compute
import Foundation
import Testing

/// AEKit against PyTorch itself, on both backends: models of the layers and losses PyTorch
/// users write (every activation, BatchNorm1d/2d, bias=False, BCE, BCE with logits, L1),
/// written by `scripts/torch-fixtures` with real PyTorch: the same initial weights and input
/// must give PyTorch's outputs in training and evaluation mode, its loss and gradients, its
/// BatchNorm buffers, and its parameters after three Adam steps.
@Suite struct TorchFixtureTests {
    static let cases = ["conv-batchnorm-bce", "dense-logits", "dense-batchnorm-l1", "dense-negative-slopes"]

    /// |AEKit − PyTorch| ≤ atol + rtol·|PyTorch|. Float32 throughout on both sides, with other
    /// summation orders (a BatchNorm's statistics, a GEMM's dot products), so the last bits
    /// differ; 1e-4 of a unit-sized value is far above that and far below any real mistake
    /// (a wrong formula, a variance biased the other way: 1/n of a batch of 4 is 25 %).
    static let tolerance = (absolute: Float(1e-4), relative: Float(1e-3))

    func expectClose(_ got: [Float], _ want: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == want.count, "\(what): \(got.count) values, PyTorch has \(want.count)", sourceLocation: sourceLocation)
        let worst = zip(got, want).enumerated().max { a, b in
            abs(a.element.0 - a.element.1) - Self.tolerance.relative * abs(a.element.1)
                < abs(b.element.0 - b.element.1) - Self.tolerance.relative * abs(b.element.1)
        }
        guard let (index, (g, w)) = worst else { return }
        #expect(abs(g - w) <= Self.tolerance.absolute + Self.tolerance.relative * abs(w),
                "\(what)[\(index)]: AEKit \(g), PyTorch \(w)", sourceLocation: sourceLocation)
    }

    @Test(arguments: cases, ["cpu", "opencl"])
    func matchesPyTorch(_ name: String, _ device: String) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        let folder = Paths.join(fixtures, "torch")
        let spec = try ModelSpec(file: Paths.join(folder, "\(name).json"))
        let tensors = Dictionary(uniqueKeysWithValues: try SafeTensors.read(Paths.join(folder, "\(name).safetensors")).entries
            .map { ($0.name, $0) })
        func fixture(_ key: String) throws -> SafeTensors.Entry { try #require(tensors[key], "\(name): no \(key)") }
        func values(_ prefix: String) -> [SafeTensors.Entry] {
            tensors.values.filter { $0.name.hasPrefix(prefix) }
                .map { SafeTensors.Entry(name: String($0.name.dropFirst(prefix.count)), shape: $0.shape, values: $0.values, dtype: $0.dtype) }
        }
        func freshModel() throws -> Sequential {
            let model = try Sequential(spec, backend: backend, seed: 0)
            try Checkpoint.loadParameters(values("initial."), path: name, into: model)
            return model
        }
        let x = try backend.tensor([4] + spec.input, values: fixture("x").values)
        /// One training step's forward and backward pass: the loss, with every gradient written.
        func trainingStep(_ model: Sequential) throws -> (output: Tensor, loss: Float) {
            let context = ForwardContext(backend: backend, training: true)
            let y = try model.forward(x, context)
            let gradient = try backend.tensor(y.shape), loss = try backend.tensor([1], filledWith: 0)
            if let pixelLoss = spec.loss.pixelLoss {
                try backend.pixelLoss(pixelLoss, prediction: y.buffer, target: x.buffer, gradient: gradient.buffer,
                                      lossAccumulator: loss.buffer)
            } else {
                try backend.mseLoss(prediction: y.buffer, target: x.buffer, gradient: gradient.buffer, lossAccumulator: loss.buffer)
            }
            try model.backward(gradient, context)
            return (y, try backend.scalar(loss.buffer))
        }

        let model = try freshModel()
        let (y, loss) = try trainingStep(model)
        expectClose(try backend.download(y.buffer), try fixture("y_train").values, "\(name) \(device) training output")
        expectClose([loss], try fixture("loss").values, "\(name) \(device) loss")
        for (parameterName, parameter) in model.namedParameters {
            expectClose(try backend.download(parameter.gradient.buffer), try fixture("grad.\(parameterName)").values,
                        "\(name) \(device) gradient of \(parameterName)")
        }
        for (stateName, state) in model.namedState {
            expectClose(try state.read(backend), try fixture("after_forward.\(stateName)").values,
                        "\(name) \(device) \(stateName) after the training pass")
        }
        let evaluation = try model.forward(x, ForwardContext(backend: backend, training: false))
        expectClose(try backend.download(evaluation.buffer), try fixture("y_eval").values, "\(name) \(device) evaluation output")

        let trained = try freshModel(), adam = OptimizerSpec(kind: .adam, learningRate: 1e-3).make()
        var losses: [Float] = []
        for _ in 0..<3 {
            losses.append(try trainingStep(trained).loss)
            try adam.step(trained.parameters)
        }
        expectClose(losses, try fixture("adam_losses").values, "\(name) \(device) losses of three Adam steps")
        for (parameterName, parameter) in trained.namedParameters {
            expectClose(try backend.download(parameter.value.buffer), try fixture("adam3.\(parameterName)").values,
                        "\(name) \(device) \(parameterName) after three Adam steps")
        }
        for (stateName, state) in trained.namedState {
            expectClose(try state.read(backend), try fixture("adam3.\(stateName)").values,
                        "\(name) \(device) \(stateName) after three Adam steps")
        }
    }
}
