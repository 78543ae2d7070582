import AEKit
import Reports
import ArgumentParser
import Compute
import Foundation

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a model's layers, output shapes and parameter counts, as Keras' summary().")

    @Option(help: "A recipe whose model to show (default, s0 … s4, s4-classifier).")
    var recipe = "default"

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Print the model's layer list as JSON (what --model-file reads) instead of the table.")
    var json = false

    func run() throws {
        var config = try Recipe.config(recipe)
        try modelOptions.apply(to: &config)
        let spec = config.model
        if let problem = spec.problem { throw ValidationError(problem) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(spec), as: UTF8.self))
            return
        }
        print("\(spec.name) (" + (modelOptions.modelFile.map { "from \($0)" } ?? "recipe \(recipe)") + ")")
        print(try Sequential(spec, backend: CPUBackend(), seed: 0).summary())
    }
}
