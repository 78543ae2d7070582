import AEKit
import ArgumentParser
import Compute

/// The trained model a command runs: a checkpoint `aekit train` wrote (the model in its
/// metadata), or a model file with the weights of a PyTorch state dict for its layers.
struct SavedModelOptions: ParsableArguments {
    @Option(help: "A model.safetensors written by `aekit train`.")
    var checkpoint: String?

    @Option(help: ArgumentHelp("The layers, for --weights: a model file as `aekit train --model-file` reads it.", valueName: "file"))
    var modelFile: String?

    @Option(help: ArgumentHelp(
        "A PyTorch state dict for --model-file's layers, saved by safetensors.torch.save_file(model.state_dict(), FILE).",
        discussion: "Its tensors are named as one nn.Sequential names them (0.weight, 0.bias, …); every tensor missing, "
            + "extra or of another shape is listed."))
    var weights: String?

    func validate() throws {
        switch (checkpoint, modelFile, weights) {
        case (_?, nil, nil), (nil, _?, _?): return
        case (_?, _, _): throw ValidationError("give --checkpoint, or --model-file with --weights, not both")
        case (nil, _?, nil): throw ValidationError("--model-file needs --weights: the state dict holding its layers' weights")
        case (nil, nil, _?): throw ValidationError("--weights needs --model-file: the layers its tensors belong to")
        case (nil, nil, nil): throw ValidationError("give the model: --checkpoint FILE, or --model-file FILE --weights FILE")
        }
    }

    /// The file the weights come from, for messages.
    var name: String { checkpoint ?? weights ?? "" }

    /// The model on the device `deviceOptions` name (said on standard error).
    func load(_ deviceOptions: DeviceOptions) throws -> Sequential {
        let choice = try deviceOptions.select()
        printError("device: \(choice.reason)")
        if let checkpoint { return try Checkpoint.load(checkpoint, backend: choice.backend) }
        let spec: ModelSpec
        do { spec = try ModelSpec(file: modelFile!) } catch { throw contentError("--model-file: \(error)") }
        let model = try Sequential(spec, backend: choice.backend, seed: 0)
        do { try Checkpoint.loadWeights(from: weights!, into: model) } catch let error as ModelError { throw contentError("--weights: \(error)") }
        return model
    }
}
