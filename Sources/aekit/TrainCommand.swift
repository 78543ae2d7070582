import AEKit
import Reports
import ArgumentParser
import Compute
import Foundation

extension ModelPreset.Architecture: ExpressibleByArgument {}
extension ModelPreset.OutputActivation: ExpressibleByArgument {}
extension ModelPreset.Logits: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an autoencoder (or S4's classifier) and write its run folder.",
        discussion: """
            --recipe sets a report's model and hyperparameters exactly (see `aekit train --list`); \
            every other flag overrides one setting. With no flags, trains AEKit's default: a \
            convolutional autoencoder on Fashion-MNIST on the auto device.
            The run folder holds config.json, metrics.csv, model.safetensors (PyTorch names and \
            layouts), final.json (test metrics) and figures.
            """)

    @Option(help: "The report whose recipe to follow: default, s0, s0-denoise, s1, s2, s2-best, s3, s4, s4-classifier.")
    var recipe = "default"

    @Flag(help: "List the recipes and exit.")
    var list = false

    @OptionGroup var dataOptions: TrainingDataOptions

    @OptionGroup var modelOptions: ModelOptions

    @Option(parsing: .unconditional, help: "Train a denoising autoencoder: this fraction of each input's pixels becomes salt-and-pepper noise; the clean image is the target.")
    var noise: Float?

    @OptionGroup var optimizerOptions: OptimizerOptions

    @Option(parsing: .unconditional, help: "Images per batch.")
    var batch: Int?

    @Option(parsing: .unconditional, help: "Passes over the training set.")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Seed of the weights, the shuffling, the validation split and the dropout masks.")
    var seed: UInt64?

    @Option(help: "Validation set: 'test' (evaluate on the test set each epoch), a count split off the training set, or a fraction.")
    var validation: String?

    @Option(help: "A trained checkpoint whose first layers, those this model shares with it, the model starts from (S4's classifier: a conv-linear autoencoder's encoder).")
    var encoder: String?

    @Option(help: ArgumentHelp(
        "Weights the whole model starts from: a PyTorch state dict (safetensors.torch.save_file) or an AEKit checkpoint for the same layers.",
        discussion: "Fine-tunes a model trained elsewhere; name its layers with --model-file."))
    var weights: String?

    @OptionGroup var deviceOptions: DeviceOptions

    @OptionGroup var fusion: FusionOption

    @Option(help: "The run folder (default: runs/<recipe>, or runs/<recipe>-2, … if taken).")
    var out: String?

    @Flag(help: "Replace the run that --out names, if it holds one (without this, such an --out is refused).")
    var overwrite = false

    @Option(help: "Continue the interrupted run in this folder from its last finished epoch.")
    var resume: String?

    /// Flag syntax only: the ranges of the values are `TrainingConfig.problem`'s to check, once,
    /// in `makeConfig`.
    func validate() throws {
        if let validation, TrainingConfig.ValidationSplit(argument: validation) == nil {
            throw ValidationError("--validation must be 'test', a positive count or a fraction in (0, 1) (got \(validation))")
        }
        if !Recipe.names.contains(recipe) {
            throw ValidationError("unknown recipe '\(recipe)'; use one of: \(Recipe.names.joined(separator: ", "))")
        }
        if resume != nil {
            // Every setting the run folder's config.json already fixes; said by name rather than
            // silently ignored.
            let settings: [(flag: String, given: Bool)] = [
                ("--recipe", recipe != "default"), ("--out", out != nil), ("--overwrite", overwrite),
                ("--dataset/--data", dataOptions.namesData), ("--limit", dataOptions.limit != nil), ("--noise", noise != nil),
                ("--batch", batch != nil), ("--seed", seed != nil), ("--validation", validation != nil), ("--encoder", encoder != nil),
                ("--weights", weights != nil),
            ]
            let given = modelOptions.givenFlags + dataOptions.source.reading.givenFlags + optimizerOptions.givenFlags
                + settings.filter(\.given).map(\.flag)
            if !given.isEmpty {
                throw ValidationError("--resume continues a run as it was configured; only --device and --epochs may change "
                                      + "(got \(given.joined(separator: ", ")))")
            }
        }
        if weights != nil && encoder != nil {
            throw ValidationError("--weights gives every layer its starting weights, --encoder the first ones: give one")
        }
        if overwrite && out == nil { throw ValidationError("--overwrite replaces the run in --out; name the folder with --out") }
    }

    /// The recipe with every flag applied.
    func makeConfig() throws -> TrainingConfig {
        var config = try dataOptions.config(recipe: recipe)
        try modelOptions.apply(to: &config)
        if let noise { config.noise = noise }
        try optimizerOptions.apply(to: &config.optimizer)
        if let batch { config.batchSize = batch }
        if let epochs { config.epochs = epochs }
        if let seed { config.seed = seed }
        if let validation { config.validation = TrainingConfig.ValidationSplit(argument: validation)! }
        if let encoder {
            try asFlagError { try config.startFromEncoder(at: encoder) }
        }
        if let weights {
            // Checked now, against the model the flags made, so a mismatch is said before a run folder exists.
            do {
                try Checkpoint.loadWeights(from: weights, into: Sequential(config.model, backend: CPUBackend(), seed: 0))
            } catch let error as ModelError {
                throw contentError("--weights: \(error)")
            }
            config.initialWeights = weights
        }
        if ModelPreset(recognizing: config.model)?.architecture == .classifier && config.encoderCheckpoint == nil
            && config.initialWeights == nil {
            printError("note: no --encoder given; the classifier's encoder starts from random weights")
        }
        if let problem = config.problem { throw ValidationError(problem) }
        return config
    }

    func run() throws {
        if list {
            for name in Recipe.names { print("\(name.padding(toLength: 14, withPad: " ", startingAt: 0))\(Recipe.summaries[name] ?? "")") }
            return
        }
        // The configuration first: a bad flag should not wait for a device to open.
        let config = resume == nil ? try makeConfig() : nil
        let choice = try deviceOptions.select()
        printError("device: \(choice.reason)")
        let progress = consoleProgress()
        let run: TrainingRun
        if let config {
            let folder = try out.map(RunFolder.init(path:)) ?? RunFolder.fresh(name: recipe)
            run = try TrainingRun(config: config, backend: choice.backend, folder: folder,
                                  claim: overwrite ? .overwrite : .new, progress: progress, fused: fusion.fused)
        } else {
            run = try TrainingRun(resuming: RunFolder(path: resume!), backend: choice.backend, progress: progress, epochs: epochs,
                                  fused: fusion.fused)
        }
        if let notice = run.notice { printError("note: \(notice)") }
        try run.run()
    }
}
