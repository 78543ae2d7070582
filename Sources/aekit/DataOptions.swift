import AEKit
import Reports
import ArgumentParser

/// `--dataset` and `--data`: which dataset, where its files are, and how images are read.
struct DataOptions: ParsableArguments {
    @Option(help: "The dataset: fashion-mnist (installed by scripts/setup), mnist or cifar10 (`aekit data get NAME`), or custom (needs --data).")
    var dataset: String?

    @Option(help: ArgumentHelp("The data: a folder of the four IDX files (.gz or not), of PNG/JPEG images (one subfolder per class, or flat; train/ and test/ where split), of CIFAR-10's binary batches, or a NumPy .npy/.npz file.",
                               valueName: "folder-or-file"))
    var data: String?

    @OptionGroup var reading: ReadingOptions

    /// Whether a dataset or folder was named.
    var namesData: Bool { dataset != nil || data != nil }

    /// The data these flags name, where `fallback` is the dataset when --dataset is not given.
    func source(fallback: DataSource) throws -> DataSource {
        var source = try DataSource.resolve(dataset: dataset ?? fallback.name,
                                            directory: data ?? (dataset == nil ? fallback.directory : nil))
        reading.apply(to: &source)
        return source
    }
}

/// How files become examples: an image folder's size, channels and bad files, a NumPy
/// array's layout. Part of `DataOptions`; alone in `bench data`, whose folder is its argument.
struct ReadingOptions: ParsableArguments {
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Image folders: resample every image to H×W (antialiased bilinear, by pixman).",
                                                         valueName: "H W"))
    var size: [Int] = []

    @Option(help: "Image folders: 1 (grey) or 3 (RGB) channels (default: 3 if any image is in colour).")
    var channels: Int?

    @Flag(help: "Image folders: leave out (and list) files that cannot be decoded, instead of stopping at the first.")
    var skipBad = false

    @Option(help: "NumPy: a 4-dimensional array's layout where its shape cannot tell: nhwc or nchw.")
    var layout: ArrayLayout?

    /// The flags given, by name.
    var givenFlags: [String] {
        [("--size", !size.isEmpty), ("--channels", channels != nil), ("--skip-bad", skipBad), ("--layout", layout != nil)]
            .filter(\.1).map(\.0)
    }

    /// An image folder's options as the flags give them.
    var imageOptions: ImageFolder.Options {
        ImageFolder.Options(size: size.isEmpty ? nil : size, channels: channels, skipBad: skipBad)
    }

    func validate() throws {
        if !size.isEmpty && (size.count != 2 || !size.allSatisfy({ (1...ModelSpec.maximumImageSide).contains($0) })) {
            throw ValidationError("--size takes a height and a width, each in 1...\(ModelSpec.maximumImageSide) (got \(size))")
        }
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3 (got \(channels))") }
    }

    func apply(to source: inout DataSource) {
        if !imageOptions.isDefault { source.images = imageOptions }
        source.layout = layout
    }
}

extension ArrayLayout: ExpressibleByArgument {}

/// The data flags of the commands that train (`train`, `study`, `bench train`): which data,
/// and how much of its training set.
struct TrainingDataOptions: ParsableArguments {
    @OptionGroup var source: DataOptions

    @Option(parsing: .unconditional, help: "Train on only the first N training images (a quick check).")
    var limit: Int?

    var namesData: Bool { source.namesData }

    /// Recipe `name`'s configuration on the data these flags name.
    func config(recipe name: String) throws -> TrainingConfig {
        var config = try Recipe.config(name)
        config.data = try source.source(fallback: config.data)
        config.trainLimit = limit
        return config
    }
}
