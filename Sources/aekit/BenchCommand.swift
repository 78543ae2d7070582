import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time kernels, training epochs or an image folder's way to batches, each figure beside a reference's.",
        subcommands: [BenchKernelsCommand.self, BenchTrainCommand.self, BenchSGEMMCommand.self, BenchDataCommand.self])
}
