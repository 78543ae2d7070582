import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time kernels or training epochs, each figure beside the CPU backend's on the same shape.",
        subcommands: [BenchKernelsCommand.self, BenchTrainCommand.self, BenchSGEMMCommand.self])
}
