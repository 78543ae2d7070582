import AEKit
import ArgumentParser
import Compute

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a model's layers, output shapes and parameter counts, as Keras' summary().")

    @Option(help: "A recipe whose model to show (default, s0 … s4, s4-classifier).")
    var recipe = "default"

    @Option(help: "The architecture: dense, conv-keras, conv-linear or classifier (overrides the recipe's).")
    var model: ModelSpec.Architecture?

    @Option(parsing: .unconditional, help: "Bottleneck width.")
    var hidden: Int?

    func run() throws {
        var spec = try Recipe.config(recipe).model
        if let model { spec.architecture = model }
        if let hidden { spec.hidden = hidden }
        print("\(spec.name) (recipe \(recipe))")
        print(try Sequential.build(spec, backend: CPUBackend(), seed: 0).summary())
    }
}
