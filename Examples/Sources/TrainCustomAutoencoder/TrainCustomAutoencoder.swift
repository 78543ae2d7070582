import AEKit
import ArgumentParser
import Compute
import ExampleOptions

/// Defines a convolutional autoencoder as a list of layers — three conv blocks down to a
/// 32-number code, two transposed convolutions back — trains it on images given as arrays,
/// and saves it as safetensors that PyTorch and `aekit evaluate` can load.
@main
struct TrainCustomAutoencoder: ParsableCommand {
    @OptionGroup var common: ExampleOptions

    @OptionGroup var training: TrainingOptions

    @Option(help: "Where to save the model.")
    var out = "custom-autoencoder.safetensors"

    func run() throws {
        let backend = try common.backend(), files = try common.load()

        // Any images will do, as row-major floats in [0, 1]; here, the first `limit` of the files'.
        let train = try Dataset(images: files.train.images(0..<min(training.limit, files.train.count)), height: 28, width: 28)
        let test = try Dataset(images: files.test.images(0..<min(1000, files.test.count)), height: 28, width: 28)

        let model = try Sequential([
            // Encoder: 28×28 → 14×14 → 7×7, then a Linear bottleneck of 32 numbers.
            .conv2d(1, 16, kernel: 3, padding: .same), .relu, .maxPool2d(kernel: 2),
            .conv2d(16, 32, kernel: 3, padding: .same), .relu, .maxPool2d(kernel: 2),
            .conv2d(32, 32, kernel: 3, padding: .same), .relu,
            .flatten, .linear(32 * 7 * 7, 32), .relu,
            // Decoder: back to 32×7×7, then two stride-2 transposed convolutions to 28×28.
            .linear(32, 32 * 7 * 7), .relu, .unflatten([32, 7, 7]),
            .convTranspose2d(32, 16, kernel: 2, stride: 2), .relu,
            .convTranspose2d(16, 1, kernel: 2, stride: 2), .sigmoid,
        ], input: [1, 28, 28], name: "custom-conv-32", backend: backend, seed: 1)
        print(try model.summary())

        let history = try model.fit(train, epochs: training.epochs, batchSize: 64,
                                    optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), validation: test)
        for record in history {
            print("epoch \(record.epoch)/\(training.epochs): train MSE \(record.train.loss), test MSE \(record.validation.loss)")
        }
        try model.save(to: out)
        print("saved \(model.parameterCount) parameters to \(out)")
    }
}
