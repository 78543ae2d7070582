/// The three sets a run uses: the examples it trains on, those it validates on each epoch
/// (split off the training set, or the test set itself), and the test set.
public struct DataSplits {
    public let train: Dataset, validation: Dataset, test: Dataset

    /// `config`'s `--limit` and validation split applied to a dataset's training and test sets.
    public init(_ data: (train: Dataset, test: Dataset), config: TrainingConfig) throws {
        var all = data.train
        if let limit = config.trainLimit { all = all.prefix(limit) }
        let validationCount = config.validation.count(of: all.count)
        if config.validation != .testSet && validationCount == 0 {
            throw TrainingError.configuration("--validation \(config.validation.argument) of \(all.count) training examples "
                                              + "rounds to no examples; give a larger fraction, a count, or 'test' "
                                              + "to validate on the test set")
        }
        guard validationCount < all.count else {
            throw TrainingError.configuration("a validation split of \(validationCount) leaves no training examples "
                                              + "out of \(all.count)")
        }
        if validationCount > 0 {
            (train, validation) = all.split(validationCount: validationCount, seed: config.seed)
        } else {
            (train, validation) = (all, data.test)
        }
        test = data.test
    }
}
