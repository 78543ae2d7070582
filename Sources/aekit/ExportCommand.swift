import AEKit
import ArgumentParser
import Compute
import Foundation

extension ModelPart: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained model (or its encoder or decoder) as an ONNX file.",
        discussion: """
            The graph is the model in evaluation mode (dropout off, BatchNorm by its running statistics, a VAE's \
            code its mean), ONNX opset \(Sequential.onnxOpset), with a dynamic batch axis: input `input`, output \
            `output`. Weights keep their state_dict names (0.weight …) and nodes their layer's number (3/Conv). \
            scripts/onnx-check runs the files in ONNX Runtime against AEKit.
            """)

    @OptionGroup var savedModel: SavedModelOptions

    @Option(help: "The .onnx file to write.")
    var onnx: String

    @Option(help: "The layers to export: all, encoder (image to code) or decoder (code to image).")
    var part: ModelPart = .all

    @Option(help: ArgumentHelp(
        "Also write this many test vectors: FILE.input.npy (test images, or for the decoder their codes) and FILE.output.npy (AEKit's outputs for them).",
        discussion: "Another runtime given the input must compute the output; scripts/onnx-check does so with ONNX Runtime."))
    var testVectors: Int?

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        guard onnx.lowercased().hasSuffix(".onnx") else { throw ValidationError("--onnx must name a .onnx file (got '\(onnx)')") }
        if let testVectors, !(1...10_000).contains(testVectors) {
            throw ValidationError("--test-vectors must be in 1...10000 (got \(testVectors))")
        }
    }

    func run() throws {
        let model = try savedModel.load(deviceOptions)
        let data: [UInt8]
        do { data = [UInt8](try model.onnx(part: part)) } catch let error as ModelError { throw contentError("\(error)") }
        try writeAtomically(Data(data), to: onnx)
        let range = try model.spec.layers(of: part)
        print("wrote \(onnx): \(model.spec.name)\(part == .all ? "" : " \(part.rawValue)"), layers \(range.lowerBound)…\(range.upperBound - 1), "
              + "\(data.count) bytes, ONNX opset \(Sequential.onnxOpset)")
        if let testVectors { try writeTestVectors(testVectors, of: model) }
    }

    /// The first `count` test images (the decoder: their codes) and what `part` makes of them.
    func writeTestVectors(_ count: Int, of model: Sequential) throws {
        let source = try dataOptions.source(fallback: DataSource(name: "fashion-mnist"))
        let test = try consoleProgress().load(source).test
        if let problem = model.spec.inputProblem(test.shape) { throw contentError(problem) }
        let b = model.backend, images = try b.tensor([min(count, test.count)] + model.spec.input, values: test.images(0..<min(count, test.count)))
        let input = part == .decoder ? try model.forward(.encoder, images) : images
        let output = try model.forward(part, input)
        let stem = String(onnx.dropLast(".onnx".count))
        for (name, tensor) in [("input", input), ("output", output)] {
            try writeAtomically(NumPyArray.encoded(try b.download(tensor.buffer), shape: tensor.shape), to: "\(stem).\(name).npy")
        }
        print("wrote \(stem).input.npy \(input.shape) and \(stem).output.npy \(output.shape): \(part.rawValue == "all" ? "the model" : "the \(part.rawValue)")'s "
              + "outputs for \(input.shape[0]) test images of \(source.title)")
    }
}
