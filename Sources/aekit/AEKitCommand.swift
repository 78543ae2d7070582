import ArgumentParser

@main
struct AEKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aekit",
        abstract: "Train the autoencoders of five MNIST/Fashion-MNIST reports on a GPU through OpenCL, or on the CPU.",
        subcommands: [TrainCommand.self, StudyCommand.self, ReproduceCommand.self, EvaluateCommand.self, EncodeCommand.self, ScoreCommand.self, ExportCommand.self, SampleCommand.self, InterpolateCommand.self, SummaryCommand.self, DataCommand.self, DevicesCommand.self,
                      ParityCommand.self, BenchCommand.self, TuneCommand.self, KernelsCommand.self])
}
