import AEKit
import ArgumentParser
import Compute

/// What `aekit encode` and `aekit score` share: a trained autoencoder, the data it is
/// run on (one of its sets) and the device.
struct ModelDataOptions: ParsableArguments {
    @OptionGroup var savedModel: SavedModelOptions

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "The set to run on: test or train.")
    var set = "test"

    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        if !["test", "train"].contains(set) { throw ValidationError("--set must be test or train (got \(set))") }
    }

    /// The checkpoint's model on the chosen device (refused as content, exit 65, unless it is an
    /// autoencoder) and the set named.
    func load(for command: String) throws -> (model: Sequential, data: Dataset, source: DataSource) {
        let model = try savedModel.load(deviceOptions)
        guard model.spec.isAutoencoder else {
            throw contentError("\(savedModel.name) holds \(model.spec.name), a classifier: `aekit \(command)` needs an autoencoder")
        }
        let source = try dataOptions.source(fallback: DataSource(name: "fashion-mnist"))
        let sets = try consoleProgress().load(source)
        let data = set == "test" ? sets.test : sets.train
        if let problem = model.spec.inputProblem(data.shape) { throw contentError(problem) }
        return (model, data, source)
    }
}

/// A class given by number or by name (an image folder's subfolder, CIFAR-10's class).
func classLabel(_ text: String, of data: Dataset) throws -> UInt8 {
    if let number = UInt8(text) { return number }
    if let index = data.classNames?.firstIndex(of: text) { return UInt8(index) }
    throw ValidationError("no class '\(text)': give a label number"
                          + (data.classNames.map { " or one of \($0.joined(separator: ", "))" } ?? ""))
}
