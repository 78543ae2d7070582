import AEKit
import ArgumentParser
import Compute
import Foundation

/// `aekit data show`: what AEKit will train on, as it reads it.
struct DataShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Describe a dataset as AEKit reads it (count, shape, classes) and draw a grid of its images.",
        discussion: """
            Reads the data as `aekit train --data` would (the same flags: --size, --channels, --skip-bad, \
            --layout), so the grid shows the images a run trains on, in colour where they are.
            """)

    @Argument(help: ArgumentHelp("The data (as --data): a folder or a .npy/.npz file.", valueName: "folder-or-file"))
    var path: String?

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Write a grid of images here (PNG).")
    var out: String?

    @Option(parsing: .unconditional, help: "Images in the grid: the first of each class in turn where there are labels.")
    var count = 64

    @Option(help: "The set drawn: train or test.")
    var set = "train"

    func validate() throws {
        if path != nil && dataOptions.data != nil { throw ValidationError("give the data once: as the argument or as --data") }
        if !(1...1024).contains(count) { throw ValidationError("--count must be in 1...1024 (got \(count))") }
        if !["train", "test"].contains(set) { throw ValidationError("--set must be train or test (got \(set))") }
    }

    /// Reads `source` (its notes and decoding reported as a run's are) and prints what it is and
    /// what each set holds.
    static func describe(_ source: DataSource) throws -> (train: Dataset, test: Dataset) {
        let data = try consoleProgress().load(source)
        let (kind, location) = try source.kind()
        print("\(location): \(kind.rawValue)")
        for (name, set) in [("train", data.train), ("test", data.test)] {
            print("  \(name): \(set.summary)")
        }
        return data
    }

    func run() throws {
        var options = dataOptions
        if let path { options.data = path }
        let data = try Self.describe(options.source(fallback: DataSource(name: "fashion-mnist")))
        guard let out else { return }
        let chosen = set == "train" ? data.train : data.test
        let images = chosen.showcase(count: count)
        let columns = min(16, images.count)
        let rows = stride(from: 0, to: images.count, by: columns).map { start in
            images[start..<min(start + columns, images.count)].map { chosen.image($0)[...] }
        }
        try writeAtomically(Figures.grid(rows, chosen.shape, scale: max(1, 64 / max(chosen.height, chosen.width))).png(), to: out)
        print("wrote \(images.count) \(set) images to \(out)")
    }
}
