import Compute
import Foundation

/// A run that a grid of runs (a study, a report's reproduction) keeps in a folder of its own:
/// read back when it finished, resumed when it was cut off, started otherwise. Running the
/// grid's command again therefore continues it, and several processes can share a grid's runs.
package struct OwnedRun {
    package let config: TrainingConfig
    package let folder: RunFolder
    /// Who owns the folder, for the message when it holds another run ("this study", …).
    package let owner: String

    package init(config: TrainingConfig, folder: RunFolder, owner: String) {
        self.config = config; self.folder = folder; self.owner = owner
    }

    /// The folder must hold this run (or nothing): reading back or resuming a run trained with
    /// another model, data or recipe would mix two grids.
    package func checkSameRun() throws {
        guard FileManager.default.fileExists(atPath: folder.config) else { return }
        let earlier = try folder.readJSON(RunRecord.self, from: folder.config).config
        guard earlier.encoderCheckpoint == config.encoderCheckpoint, earlier.initialWeights == config.initialWeights,
              earlier.model == config.model,
              earlier.seed == config.seed, earlier.trainLimit == config.trainLimit,
              earlier.data.name == config.data.name, earlier.optimizer == config.optimizer,
              earlier.batchSize == config.batchSize, earlier.noise == config.noise,
              earlier.validation == config.validation else {
            throw TrainingError.configuration("\(folder.path) holds a run with other settings than \(owner)'s; "
                                              + "give it another --out, or remove that folder")
        }
    }

    /// The history (its first `config.epochs` epochs) and test metrics, if the run finished.
    package func finished() throws -> (history: [EpochRecord], test: Evaluation)? {
        guard FileManager.default.fileExists(atPath: folder.final) else { return nil }
        let state = try folder.readJSON(RunState.self, from: folder.state)
        let final = try folder.readJSON(FinalRecord.self, from: folder.final)
        guard state.epochsDone >= config.epochs else { return nil }
        return (Array(state.history.prefix(config.epochs)), final.test)
    }

    /// Reads the run back, or trains it (resuming what an earlier process committed).
    package func result(backend: any Backend, data: (train: Dataset, test: Dataset)?,
                progress: any TrainingProgress) throws -> (history: [EpochRecord], test: Evaluation) {
        try checkSameRun()
        if let done = try finished() { return done }
        let run: TrainingRun
        if FileManager.default.fileExists(atPath: folder.config) {
            run = try TrainingRun(resuming: folder, backend: backend, progress: progress, epochs: config.epochs)
        } else {
            run = try TrainingRun(config: config, backend: backend, folder: folder, progress: progress, data: data)
        }
        let test = try run.run()
        return (run.history, test)
    }
}
