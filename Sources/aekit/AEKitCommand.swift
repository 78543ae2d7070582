import AEKit
import ArgumentParser

@main
struct AEKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aekit",
        abstract: "Train autoencoders (dense, convolutional, variational) on a GPU through OpenCL, or on the CPU, "
            + "and use them: codes, anomaly scores, ONNX export.",
        version: aekitVersion,
        subcommands: [TrainCommand.self, StudyCommand.self, ReproduceCommand.self, EvaluateCommand.self, EncodeCommand.self, ScoreCommand.self, ExportCommand.self, SampleCommand.self, InterpolateCommand.self, SummaryCommand.self, DataCommand.self, DevicesCommand.self,
                      ParityCommand.self, BenchCommand.self, TuneCommand.self, KernelsCommand.self])
}
