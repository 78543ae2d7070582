import AEKit
import ArgumentParser
import Compute
import Foundation

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw images from a variational autoencoder: codes from the prior N(0, I), decoded, as a PNG grid.",
        discussion: """
            The checkpoint must hold a model with a Reparameterize layer (`aekit train --recipe vae` \
            writes one). The draws depend only on --seed, so the CPU and every OpenCL device draw \
            the same codes.
            """)

    @Option(help: "How many images to draw (a grid of up to 8 a row).")
    var count = 64

    @Option(help: "The seed of the codes' draws.")
    var seed: UInt32 = 1

    @OptionGroup var figure: VAEFigureOptions

    func validate() throws {
        guard (1...4096).contains(count) else { throw ValidationError("--count must be between 1 and 4096 (got \(count))") }
    }

    func run() throws {
        let model = try figure.model(for: "sample")
        let columns = min(count, 8), rows = (count + columns - 1) / columns
        let grid = try Figures.samples(model, rows: rows, columns: columns, seed: seed, count: count)
        try writeAtomically(grid.png(), to: figure.out)
        print("wrote \(count) samples of \(model.spec.name) (seed \(seed)) to \(figure.out)")
    }
}
