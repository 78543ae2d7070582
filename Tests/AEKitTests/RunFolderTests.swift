@testable import AEKit
import Compute
import Foundation
import Testing

/// The run folder's guarantees (issue 7): a resume trusts only what `state.json` committed and
/// its digests confirm, one process owns a folder, and `--out` never silently replaces a run.
/// Kills at every instant of a commit are `scripts/kill-test`'s (it needs a process to kill).
@Suite(.serialized) struct RunFolderTests {
    let cpu = CPUBackend()

    /// A finished two-epoch run of a small S2 model in a new folder, and its configuration.
    func twoEpochRun() throws -> (RunFolder, TrainingConfig) {
        var config = try smallConfig("s2", epochs: 2, batch: 50)
        config.trainLimit = 200
        let folder = RunFolder(path: try temporaryFolder())
        try TrainingRun(config: config, backend: cpu, folder: folder, data: try fashionSubset(train: 200, test: 50)).run()
        return (folder, config)
    }

    func editState(_ folder: RunFolder, _ edit: (inout [String: Any]) -> Void) throws {
        let url = URL(fileURLWithPath: folder.state)
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&state)
        try JSONSerialization.data(withJSONObject: state).write(to: url)
    }

    @Test func aCommittedEpochIsAFolderWithDigests() throws {
        let (folder, _) = try twoEpochRun()
        let state = try folder.readJSON(RunState.self, from: folder.state)
        #expect(state.epochsDone == 2 && state.problem == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.checkpoints) == ["epoch-0002"])
        for (file, digest) in state.files {
            #expect(sha256Hex(try Data(contentsOf: URL(fileURLWithPath: folder.file(file)))) == digest)
        }
        // The published model is the committed one.
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.model))
                == Data(contentsOf: URL(fileURLWithPath: folder.file(RunState.files(epoch: 2).model))))
    }

    @Test func aStateWhoseHistoryOrStepsDisagreeIsRefused() throws {
        let (folder, _) = try twoEpochRun()
        let original = try Data(contentsOf: URL(fileURLWithPath: folder.state))
        try editState(folder) { $0["history"] = ($0["history"] as! [Any]) + ($0["history"] as! [Any]) }
        #expect { try TrainingRun(resuming: folder, backend: cpu, epochs: 3) } throws: { "\($0)".contains("a history of 4") }

        try original.write(to: URL(fileURLWithPath: folder.state))
        try editState(folder) { $0["optimizerSteps"] = Int.max }
        #expect { try TrainingRun(resuming: folder, backend: cpu, epochs: 3) } throws: { "\($0)".contains("optimizer steps") }

        try original.write(to: URL(fileURLWithPath: folder.state))
        try Data("{\"epochsDone\": \"two\"}".utf8).write(to: URL(fileURLWithPath: folder.state))
        #expect { try TrainingRun(resuming: folder, backend: cpu, epochs: 3) } throws: { error in
            let text = "\(error)"
            return text.contains(folder.state) && text.contains("epochsDone") && !text.contains("dataCorrupted")
                && !text.contains("DecodingError")
        }
    }

    @Test func aCheckpointFileThatDoesNotMatchItsDigestIsRefused() throws {
        let (folder, _) = try twoEpochRun()
        let optimizer = folder.file(RunState.files(epoch: 2).optimizer)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: optimizer))
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: URL(fileURLWithPath: optimizer))
        #expect { try TrainingRun(resuming: folder, backend: cpu, epochs: 3) } throws: { error in
            "\(error)".contains(optimizer) && "\(error)".contains("SHA-256")
        }
        try FileManager.default.removeItem(atPath: optimizer)
        #expect { try TrainingRun(resuming: folder, backend: cpu, epochs: 3) } throws: { "\($0)".contains("is missing") }
    }

    @Test func resumeCleansWhatAKillLeft() throws {
        let (folder, _) = try twoEpochRun()
        // What a kill during epoch 3's commit leaves: a temporary file, a staging folder and a
        // whole but uncommitted epoch-0003 with garbage in it.
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder.file(".metrics.csv.tmp-99999")))
        for name in ["epoch-0003", ".epoch-3.tmp-99999"] {
            try FileManager.default.createDirectory(atPath: "\(folder.checkpoints)/\(name)", withIntermediateDirectories: true)
            try Data("junk".utf8).write(to: URL(fileURLWithPath: "\(folder.checkpoints)/\(name)/model.safetensors"))
        }
        let resumed = try TrainingRun(resuming: folder, backend: cpu, epochs: 3)
        #expect(resumed.history.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.checkpoints) == ["epoch-0002"])
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: folder.path)).contains { $0.contains(".tmp-") })
        #expect(!FileManager.default.fileExists(atPath: folder.final), "an extended run is not finished")
        try resumed.run()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.checkpoints) == ["epoch-0003"])
    }

    @Test func aRunThatCommittedNoEpochStartsAgainAndSaysSo() throws {
        var config = try smallConfig("s2", epochs: 1, batch: 50)
        config.trainLimit = 200
        let reference = try TrainingRun(config: config, backend: cpu, folder: RunFolder(path: try temporaryFolder()),
                                        data: try fashionSubset(train: 200, test: 50))
        try reference.run()
        // A folder killed during its first epoch holds its config.json and nothing committed.
        let folder = RunFolder(path: try temporaryFolder())
        try folder.writeJSON(RunRecord(config: config, device: "cpu", deviceDescription: "", started: "", aekitVersion: aekitVersion),
                             to: folder.config)
        let resumed = try TrainingRun(resuming: folder, backend: cpu)
        #expect(resumed.notice?.contains("no committed epoch") == true)
        try resumed.run()
        #expect(resumed.history.map(\.train.loss) == reference.history.map(\.train.loss))
    }

    @Test func aFolderHasOneOwner() throws {
        let (folder, _) = try twoEpochRun()
        let held = try folder.lockExisting()
        #expect { try TrainingRun(resuming: folder, backend: cpu, epochs: 3) } throws: { error in
            "\(error)".contains("in use by process \(getpid())")
        }
        held.release()
        _ = try TrainingRun(resuming: folder, backend: cpu, epochs: 3)
    }

    @Test func anExistingRunIsNotOverwrittenUnlessAsked() throws {
        let (folder, config) = try twoEpochRun()
        let data = try fashionSubset(train: 200, test: 50)
        #expect { try TrainingRun(config: config, backend: cpu, folder: folder, data: data) } throws: {
            "\($0)".contains("already holds a run") && "\($0)".contains("--overwrite")
        }
        try TrainingRun(config: config, backend: cpu, folder: folder, claim: .overwrite, data: data).run()
        #expect(try folder.readJSON(RunState.self, from: folder.state).epochsDone == 2)
        // A folder of someone else's files is never a run to overwrite.
        let other = try temporaryFolder()
        try Data("notes".utf8).write(to: URL(fileURLWithPath: "\(other)/notes.txt"))
        #expect { try TrainingRun(config: config, backend: cpu, folder: RunFolder(path: other), claim: .overwrite, data: data) }
            throws: { "\($0)".contains("not an AEKit run") }
        #expect(FileManager.default.fileExists(atPath: "\(other)/notes.txt"))
        // Nor is a run beside someone's files: refused before anything is removed.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder.file("notes.txt")))
        #expect { try TrainingRun(config: config, backend: cpu, folder: folder, claim: .overwrite, data: data) }
            throws: { "\($0)".contains("notes.txt") }
        #expect(FileManager.default.fileExists(atPath: folder.state) && FileManager.default.fileExists(atPath: folder.file("notes.txt")))
    }

    @Test func defaultFolderNamesAreClaimedOnce() throws {
        let base = try temporaryFolder()
        let names = try (0..<3).map { _ in try RunFolder.fresh(base: base, name: "s2").path }
        #expect(names.map { ($0 as NSString).lastPathComponent } == ["s2", "s2-2", "s2-3"])
    }

    @Test func anInfiniteValidationLossIsDivergence() throws {
        var config = try smallConfig("s2", epochs: 2, batch: 50)
        config.trainLimit = 200
        let data = try fashionSubset(train: 200, test: 50)
        var pixels = data.test.pixels
        pixels[0] = .infinity
        let test = Dataset(pixels: pixels, labels: data.test.labels, height: 28, width: 28)
        #expect {
            try TrainingRun(config: config, backend: cpu, folder: RunFolder(path: try temporaryFolder()),
                            data: (data.train, test)).run()
        } throws: { "\($0)".contains("diverged") && "\($0)".contains("epoch 1") }
    }

    @Test func aValidationSplitThatRoundsToNothingIsAnError() throws {
        var config = try smallConfig("s2", epochs: 1, batch: 50)
        config.validation = .fraction(0.0001)
        #expect { try DataSplits(try fashionSubset(train: 200, test: 50), config: config) } throws: {
            "\($0)".contains("rounds to no examples")
        }
    }

    @Test func aRunTooLargeForTheDeviceIsRefusedBeforeAllocating() throws {
        var config = try smallConfig("s2", epochs: 1, batch: 1000)
        try config.changePreset(flags: "--hidden") { $0.hidden = 10_000_000 }
        #expect { try TrainingRun.checkMemory(config, backend: cpu) } throws: { error in
            "\(error)".contains("needs 340.4 GiB") && "\(error)".contains("cpu has")
        }
        let estimate = try MemoryEstimate(ModelPreset(architecture: .dense, hidden: 64).spec)
        #expect(estimate.parameters == 784 * 64 + 64 + 64 * 784 + 784)
        let convLinear = try MemoryEstimate(ModelPreset(architecture: .convLinear, hidden: 37).spec)
        #expect(convLinear.parameters == (try Sequential(ModelPreset(architecture: .convLinear, hidden: 37).spec, backend: cpu,
                                                               seed: 0).parameterCount))
    }

    @Test(arguments: [
        ("dropout", Float.nan), ("momentum", Float.nan), ("weightDecay", Float.nan), ("weightDecay", Float.infinity),
        ("lr", Float.infinity), ("dropout", -0.5),
    ])
    func nonFiniteFlagsAreRejected(_ setting: String, _ value: Float) throws {
        var config = try smallConfig("s2", epochs: 1, batch: 50)
        switch setting {
        case "dropout": config.model.layers = config.model.layers.map { $0.kind == "Dropout" ? .dropout(p: value) : $0 }
        case "momentum": config.optimizer.momentum = value
        case "weightDecay": config.optimizer.weightDecay = value
        default: config.optimizer.learningRate = value
        }
        #expect(config.problem != nil)
    }
}
