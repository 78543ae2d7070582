import AEKit
import ArgumentParser
import Compute
import ExampleOptions

/// Trains a small convolutional autoencoder with a loop written out, as a PyTorch user writes
/// one, instead of `fit`: batches, forward, loss, backward, optimizer step. The loop between the
/// markers is the one the article "Your own training loop" shows (scripts/examples checks that
/// the two agree).
@main
struct OwnTrainingLoop: ParsableCommand {
    @OptionGroup var common: ExampleOptions

    @OptionGroup var training: TrainingOptions

    func run() throws {
        let backend = try common.backend(), files = try common.load()
        let (train, test) = (files.train.prefix(training.limit), files.test.prefix(1000))
        let model = try Sequential([
            .conv2d(1, 16, kernel: 3, padding: 1), .relu, .maxPool2d(kernel: 2), .dropout(p: 0.1),
            .conv2d(16, 8, kernel: 3, padding: 1), .relu, .maxPool2d(kernel: 2),
            .convTranspose2d(8, 16, kernel: 2, stride: 2), .relu,
            .convTranspose2d(16, 1, kernel: 2, stride: 2), .sigmoid,
        ], input: [1, 28, 28], backend: backend, seed: 1)

        let before = try model.evaluate(test).loss
        try trainLoop(model, on: train, epochs: training.epochs)
        let after = try model.evaluate(test).loss
        print("test MSE \(before) before training, \(after) after")
        guard after < before else { throw ValidationError("the loop did not lower the test loss") }
    }
}

// The loop: begin
/// Trains `model` on `data` for `epochs` passes in shuffled batches of 64 with Adam, and
/// prints each epoch's mean training loss.
func trainLoop(_ model: Sequential, on data: Dataset, epochs: Int) throws {
    let optimizer = Adam(learningRate: 1e-3)                  // torch.optim.Adam(model.parameters(), lr=1e-3)
    let loader = try Batches(data, for: model, batchSize: 64)  // uploads the images once
    for epoch in 1...epochs {
        let batches = try loader.reshuffled(seed: UInt64(epoch))
        var total: Float = 0
        for index in 0..<batches.count {
            let x = try batches.input(index)                    // [64, 1, 28, 28] on the model's device
            let y = try model.forward(x, training: true)        // a fresh dropout mask each step
            let (loss, gradient) = try model.loss(y, target: x) // the batch's mean MSE and dL/dy
            try model.backward(gradient)                        // writes every parameter's gradient
            try optimizer.step(model.parameters)
            total += loss
        }
        print("epoch \(epoch): mean training loss \(total / Float(batches.count))")
    }
}
// The loop: end
