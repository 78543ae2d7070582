import AEKit
import ArgumentParser
import Compute
import ExampleOptions
import Foundation

/// Loads a saved autoencoder — the model is rebuilt from the checkpoint alone — reconstructs
/// test images with it, prints their MSE and writes originals above reconstructions as a PNG.
@main
struct Reconstruct: ParsableCommand {
    @Argument(help: "A checkpoint saved by TrainCustomAutoencoder (or `aekit train`).")
    var checkpoint = "custom-autoencoder.safetensors"

    @OptionGroup var common: ExampleOptions

    @Option(help: "Test images to reconstruct.")
    var count = 10

    @Option(help: "The PNG to write.")
    var out = "reconstructions.png"

    func run() throws {
        let model = try Sequential.load(checkpoint, backend: common.backend())
        guard model.spec.isAutoencoder else { throw ValidationError("\(checkpoint) holds a classifier, which reconstructs nothing") }
        let test = try common.load().test.prefix(count)

        let outputs = try model.predict(test)
        let error = zip(outputs, test.pixels).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(outputs.count)
        print("\(model.spec.name), \(model.parameterCount) parameters: MSE \(error) over \(test.count) test images")

        try Figures.reconstructions(model, test, count: test.count).png().write(to: URL(fileURLWithPath: out))
        print("wrote \(out): originals above, reconstructions below")
    }
}
