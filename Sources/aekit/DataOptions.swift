import AEKit
import ArgumentParser

/// The data flags `aekit train` and `aekit study` share, and how they change a recipe.
struct DataOptions: ParsableArguments {
    @Option(help: "The dataset: fashion-mnist (installed by scripts/setup) or mnist (needs --data).")
    var dataset: String?

    @Option(help: "A folder holding the four IDX files (train/t10k images/labels, .gz or not).")
    var data: String?

    @Option(help: "Train on only the first N training images (a quick check).")
    var limit: Int?

    /// Whether a dataset or folder was named.
    var namesData: Bool { dataset != nil || data != nil }

    /// Recipe `name`'s configuration, on the data these flags name.
    func config(recipe name: String) throws -> TrainingConfig {
        var config = try Recipe.config(name, dataDirectory: dataset == nil || dataset == "mnist" ? data : nil)
        if let dataset { config.data = try DataSource.resolve(dataset: dataset, directory: data) }
        else if let data { config.data.directory = data }
        config.trainLimit = limit
        return config
    }
}
