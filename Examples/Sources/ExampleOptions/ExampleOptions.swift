import AEKit
import ArgumentParser
import Compute

/// What every example asks for: where its images come from and which device runs the model.
public struct ExampleOptions: ParsableArguments {
    @Option(help: "A folder of the four IDX files (default: Fashion-MNIST from Debian's dataset-fashion-mnist).")
    public var data: String?

    @Option(help: "cpu, opencl, or opencl:NAME (see `aekit devices`).")
    public var device = "cpu"

    public init() {}

    /// The backend `--device` names.
    public func backend() throws -> any Backend { try DeviceSelection.select(device).backend }

    /// The training and test sets of `--data`, or of Fashion-MNIST where it is not given.
    public func load() throws -> (train: Dataset, test: Dataset) {
        try DataSource.resolve(dataset: data == nil ? "fashion-mnist" : "custom", directory: data).load()
    }
}

/// What the programs that train ask for besides: how much of the training set, how long.
public struct TrainingOptions: ParsableArguments {
    @Option(help: "Training images to use.")
    public var limit = 60000

    @Option(help: "Passes over them.")
    public var epochs = 2

    public init() {}
}
