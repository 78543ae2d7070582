@testable import AEKit
import Compute
import Foundation
import Testing

/// The public pieces of a loop of one's own (TrainingLoop.swift) against the library's own
/// training and evaluation, on both backends.
@Suite struct TrainingLoopTests {
    static let layers: [LayerSpec] = [
        .conv2d(1, 4, kernel: 3, padding: 1), .relu, .maxPool2d(kernel: 2), .dropout(p: 0.2),
        .flatten, .linear(4 * 14 * 14, 16), .relu, .linear(16, 784), .sigmoid, .unflatten([1, 28, 28]),
    ]

    @Test(arguments: ["cpu", "opencl"], [ModelSpec.Loss.mse, .bce])
    func lossIsTheEvaluationsLossAndTheLoopLearns(_ device: String, _ loss: ModelSpec.Loss) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        let data = try fashionSubset(train: 256, test: 100)
        let model = try Sequential(Self.layers, input: [1, 28, 28], loss: loss, backend: backend, seed: 3)
        #expect(model.parameters.map(\.name) == ["0.weight", "0.bias", "5.weight", "5.bias", "7.weight", "7.bias"])

        // The value `loss` gives for the whole test set in one batch is the evaluation's loss.
        let all = try Batches(data.test, for: model, batchSize: 100)
        let x = try all.input(0)
        let value = try model.loss(model.forward(x, training: false), target: x).value
        let evaluated = try model.evaluate(data.test).loss
        #expect(abs(Double(value) - evaluated) <= 1e-5 * evaluated, "\(value) against \(evaluated)")

        // Training passes draw a fresh dropout mask each; evaluation passes none.
        let first = try backend.download(model.forward(x, training: true).buffer)
        let second = try backend.download(model.forward(x, training: true).buffer)
        let plain = try backend.download(model.forward(x, training: false).buffer)
        let again = try backend.download(model.forward(x, training: false).buffer)
        #expect(first != second && plain == again)

        // A few epochs of the loop, written as the article writes it, lower the test loss.
        let optimizer = Adam(learningRate: 3e-3)
        var batches = try Batches(data.train, for: model, batchSize: 32)
        for epoch in 1...3 {
            batches = try batches.reshuffled(seed: UInt64(epoch))
            for index in 0..<batches.count {
                let input = try batches.input(index)
                let (_, gradient) = try model.loss(model.forward(input, training: true), target: input)
                try model.backward(gradient)
                try optimizer.step(model.parameters)
            }
        }
        let after = try model.evaluate(data.test).loss
        #expect(after < 0.9 * evaluated, "\(device) \(loss): test loss \(evaluated) → \(after)")
        #expect(optimizer.stepCount == 3 * 8)
    }

    @Test func swiftOptimizersAreTheSpecsOnes() throws {
        // Adam(learningRate:betas:epsilon:weightDecay:) steps exactly as the spec-made Adam.
        let data = try fashionSubset(train: 64, test: 0)
        var weights: [[Float]] = []
        for optimizer in [Adam(learningRate: 1e-2, betas: (0.8, 0.99), weightDecay: 1e-3) as any Optimizer,
                          { var spec = OptimizerSpec(kind: .adam, learningRate: 1e-2, weightDecay: 1e-3)
                            (spec.beta1, spec.beta2) = (0.8, 0.99); return spec.make() }()] {
            let model = try Sequential(Self.layers.filter { $0.kind != "Dropout" }, input: [1, 28, 28], backend: cpu, seed: 5)
            let batches = try Batches(data.train, for: model, batchSize: 16)
            for index in 0..<batches.count {
                let x = try batches.input(index)
                try model.backward(model.loss(model.forward(x, training: true), target: x).gradient)
                try optimizer.step(model.parameters)
            }
            weights.append(try cpu.download(model.parameters.values))
        }
        #expect(weights[0] == weights[1])
        let sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        #expect(sgd.learningRate == 0.1)
    }

    @Test func misuseIsNamed() throws {
        let model = try Sequential(Self.layers, input: [1, 28, 28], backend: cpu)
        #expect { try model.backward(cpu.tensor([2, 1, 28, 28])) } throws: { "\($0)".contains("follows a forward") }
        let y = try model.forward(cpu.tensor([2, 1, 28, 28], filledWith: 0.5), training: true)
        #expect { try model.loss(y, target: cpu.tensor([2, 784])) } throws: { "\($0)".contains("must be [2, 1, 28, 28]") }
        #expect { try Batches(fashionSubset(train: 4, test: 0).train, for: model, batchSize: 0) } throws: {
            "\($0)".contains("batch size must be 1 or more")
        }
    }
}
