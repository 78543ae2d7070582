import AEKit
import ArgumentParser

/// `--dataset` and `--data`: which dataset, and where its files are.
struct DataOptions: ParsableArguments {
    @Option(help: "The dataset: fashion-mnist (installed by scripts/setup), mnist (`aekit data get mnist`) or custom (needs --data).")
    var dataset: String?

    @Option(help: "A folder holding the four IDX files (train/t10k images/labels, .gz or not).")
    var data: String?

    /// Whether a dataset or folder was named.
    var namesData: Bool { dataset != nil || data != nil }

    /// The data these flags name, where `fallback` is the dataset when --dataset is not given.
    func source(fallback: DataSource) throws -> DataSource {
        try DataSource.resolve(dataset: dataset ?? fallback.name, directory: data ?? (dataset == nil ? fallback.directory : nil))
    }
}

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
