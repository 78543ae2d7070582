import AEKit
import ArgumentParser
import Compute
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Test-set metrics of a saved model (an AEKit checkpoint, or a model file and a PyTorch state dict).")

    @OptionGroup var savedModel: SavedModelOptions

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var deviceOptions: DeviceOptions

    @Flag(help: ArgumentHelp(
        "Leave dropout on, as PyTorch does for a model evaluated without model.eval().",
        discussion: "For comparing with a figure that may have been measured that way (S4's, say)."))
    var keepDropout = false

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func run() throws {
        let model = try savedModel.load(deviceOptions)
        let source = try dataOptions.source(fallback: DataSource(name: "fashion-mnist"))
        let test = try source.load().test
        let metrics = try model.evaluate(test, keepingDropout: keepDropout)
        if json { print(try jsonString(metrics)); return }
        print("\(model.spec.name) on \(test.count) test images of \(source.title)")
        print(String(format: "loss %.6f (%@)", metrics.loss, model.spec.loss.title))
        if let b = metrics.binaryAccuracy { print(String(format: "binary accuracy %.4f", b)) }
        if let a = metrics.accuracy { print(String(format: "accuracy %.4f", a)) }
        if let confusion = metrics.confusion {
            print("confusion matrix (rows: true class, columns: predicted):")
            print(table([[""] + (0..<confusion.count).map(String.init)]
                        + confusion.enumerated().map { ["\($0.offset)"] + $0.element.map(String.init) }))
        }
    }
}
