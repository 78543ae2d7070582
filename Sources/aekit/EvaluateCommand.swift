import AEKit
import ArgumentParser
import Compute
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Test-set metrics of a saved model (the architecture is read from the checkpoint).")

    @Option(help: "A model.safetensors written by `aekit train`.")
    var checkpoint: String

    @Option(help: "The dataset: fashion-mnist or mnist (needs --data).")
    var dataset = "fashion-mnist"

    @Option(help: "A folder holding the four IDX files.")
    var data: String?

    @Option(help: "Where to compute: auto, cpu, opencl or opencl:N.")
    var device = "auto"

    @OptionGroup var threadOptions: ThreadOptions

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func run() throws {
        let choice = try DeviceSelection.select(device, threads: threadOptions.budget())
        printError("device: \(choice.reason)")
        let model = try Checkpoint.load(checkpoint, backend: choice.backend)
        let test = try DataSource.resolve(dataset: dataset, directory: data).load().test
        let metrics = try model.evaluate(test)
        if json { print(try jsonString(metrics)); return }
        print("\(model.spec.name) on \(test.count) test images of \(dataset)")
        print(String(format: "loss %.6f (%@)", metrics.loss, model.spec.isAutoencoder ? "MSE" : "cross-entropy"))
        if let b = metrics.binaryAccuracy { print(String(format: "binary accuracy %.4f", b)) }
        if let a = metrics.accuracy { print(String(format: "accuracy %.4f", a)) }
        if let confusion = metrics.confusion {
            print("confusion matrix (rows: true class, columns: predicted):")
            print(table([[""] + (0..<confusion.count).map(String.init)]
                        + confusion.enumerated().map { ["\($0.offset)"] + $0.element.map(String.init) }))
        }
    }
}

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a model's layers, output shapes and parameter counts, as Keras' summary().")

    @Option(help: "A recipe whose model to show (default, s0 … s4, s4-classifier).")
    var recipe = "default"

    @Option(help: "The architecture: dense, conv-keras, conv-linear or classifier (overrides the recipe's).")
    var model: ModelSpec.Architecture?

    @Option(help: "Bottleneck width.")
    var hidden: Int?

    func run() throws {
        var spec = try Recipe.config(recipe, dataDirectory: "/").model
        if let model { spec.architecture = model }
        if let hidden { spec.hidden = hidden }
        print("\(spec.name) (recipe \(recipe))")
        print(try Sequential.build(spec, backend: CPUBackend(), seed: 0).summary())
    }
}
