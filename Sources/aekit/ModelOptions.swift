import AEKit
import ArgumentParser

/// The model of a run: a layer list from a file, or the recipe's preset changed by the preset
/// flags. Shared by `train`, `summary` and `bench train`.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A model as its layer list: a JSON file of the form config.json's 'model' entry holds (or a config.json itself).",
                               valueName: "file"))
    var modelFile: String?

    @Option(help: "The architecture: dense, conv-keras, conv-linear or classifier.")
    var model: ModelPreset.Architecture?

    @Option(parsing: .unconditional, help: "Bottleneck width (L, N or n in the reports).")
    var hidden: Int?

    @Option(parsing: .unconditional, help: "Dropout probability.")
    var dropout: Float?

    @Option(parsing: .unconditional, help: "conv-keras: the third encoder convolution's filters, the code's channels (default 8; S1's text reads 16).")
    var codeChannels: Int?

    @Option(help: "The autoencoder's output activation: sigmoid, relu or none.")
    var output: ModelPreset.OutputActivation?

    @Option(help: "The classifier's logits: relu (S4's head, the default) or linear.")
    var logits: ModelPreset.Logits?

    @Option(help: "Weight initialisation: pytorch or keras.")
    var initialization: Initialization?

    @Option(parsing: .unconditional, help: "A VAE's weight of the KL term (beta-VAE), for every Reparameterize layer (default: the layer's, 1).")
    var beta: Float?

    /// The preset flags given, by name.
    var presetFlags: [String] {
        [("--model", model != nil), ("--hidden", hidden != nil), ("--dropout", dropout != nil),
         ("--code-channels", codeChannels != nil), ("--output", output != nil), ("--logits", logits != nil)]
            .filter(\.1).map(\.0)
    }

    /// Every model flag given, by name (what `--resume` refuses).
    var givenFlags: [String] {
        (modelFile != nil ? ["--model-file"] : []) + presetFlags + (initialization != nil ? ["--initialization"] : [])
            + (beta != nil ? ["--beta"] : [])
    }

    /// `config` with its model replaced by the file's, or its preset changed by the flags.
    func apply(to config: inout TrainingConfig) throws {
        if let modelFile {
            do { config.model = try ModelSpec(file: modelFile) } catch { throw contentError("--model-file: \(error)") }
        }
        if !presetFlags.isEmpty {
            try asFlagError {
                try config.changePreset(flags: presetFlags.joined(separator: ", ")) { preset in
                    if let model {
                        preset.architecture = model
                        if model == .convKeras && initialization == nil { preset.initialization = .keras }
                    }
                    if let hidden { preset.hidden = hidden }
                    if let dropout { preset.dropout = dropout }
                    if let codeChannels { preset.codeChannels = codeChannels }
                    if let output { preset.output = output }
                    if let logits { preset.logits = logits }
                }
            }
        }
        if let initialization { config.model.initialization = initialization }
        if let beta {
            guard config.model.hasLossTerms else {
                throw ValidationError("--beta weighs a VAE's KL term, and \(config.model.name) has no Reparameterize layer")
            }
            guard beta >= 0 && beta.isFinite else { throw ValidationError("--beta must be a number ≥ 0 (got \(beta))") }
            config.model = config.model.withBeta(beta)
        }
    }
}
