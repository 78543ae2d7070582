import AEKit
import ArgumentParser
import Compute
import Foundation

struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Decode the line between two test images' codes with a variational autoencoder, as a PNG strip.",
        discussion: """
            The strip is image --from, the decodes of --steps codes evenly spaced from its code (μ) \
            to that of image --to, then image --to. Images are numbered from 0 in the test set.
            """)

    @Option(name: .customLong("from"), help: "The test image the line starts at.")
    var start: Int

    @Option(name: .customLong("to"), help: "The test image the line ends at.")
    var end: Int

    @Option(help: "Decoded codes along the line, both ends included.")
    var steps = 10

    @OptionGroup var figure: VAEFigureOptions

    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard (2...64).contains(steps) else { throw ValidationError("--steps must be between 2 and 64 (got \(steps))") }
        guard start >= 0, end >= 0 else { throw ValidationError("--from and --to number test images from 0") }
    }

    func run() throws {
        let model = try figure.model(for: "interpolate")
        let source = try dataOptions.source(fallback: DataSource(name: "mnist"))
        let test = try source.load().test
        for index in [start, end] where index >= test.count {
            throw ValidationError("the test set of \(source.title) has \(test.count) images; \(index) is past its end")
        }
        let image = { (i: Int) in test.image(i)[...] }
        try writeAtomically(Figures.interpolation(model, from: image(start), to: image(end), steps: steps).png(), to: figure.out)
        print("wrote the line from test image \(start) to \(end) of \(source.title) in \(steps) steps to \(figure.out)")
    }
}
