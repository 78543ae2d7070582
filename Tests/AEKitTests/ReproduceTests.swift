@testable import AEKit
@testable import Reports
import Compute
import Foundation
import Testing

/// `aekit reproduce` as a user runs it: MNIST fetched into a data store of the test's own,
/// S3's grid at quick scale.
@Suite(.serialized) struct ReproduceTests {
    /// A data store holding MNIST (from the copy beside the sources).
    private func mnistStore() throws -> [String: String] {
        let store = try temporaryFolder()
        let get = try aekit(["data", "get", "mnist", "--mirror", sharedMNIST], environment: ["AEKIT_DATA": store])
        try #require(get.status == 0, "\(get.output)")
        return ["AEKIT_DATA": store]
    }

    /// Starts `aekit arguments` without waiting for it.
    private func start(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try aekitBinary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func twoTasksAtOnceThenACollectGiveTheSerialReport() throws {
        let environment = try mnistStore(), root = try temporaryFolder()
        let quick = ["reproduce", "s3", "--scale", "quick", "--device", "cpu", "--threads", "1"]
        let serial = try aekit(quick + ["--out", "\(root)/serial"], environment: environment)
        try #require(serial.status == 0, "\(serial.output)")

        let tasks = try (0..<2).map { try start(quick + ["--out", "\(root)/split", "--task", "\($0)", "--tasks", "2"], environment: environment) }
        tasks.forEach { $0.waitUntilExit() }
        #expect(tasks.allSatisfy { $0.terminationStatus == 0 })
        // Each task trained its own run: both folders hold a finished run, and no report yet.
        #expect(FileManager.default.fileExists(atPath: "\(root)/split/s3-batch64/final.json"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/split/s3-batch32/final.json"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/split/report.md"))
        let collect = try aekit(quick + ["--out", "\(root)/split"], environment: environment)
        #expect(collect.status == 0, "\(collect.output)")

        for file in ["results.json", "report.md"] {
            let a = try String(contentsOfFile: "\(root)/serial/\(file)", encoding: .utf8)
            let b = try String(contentsOfFile: "\(root)/split/\(file)", encoding: .utf8)
            #expect(a == b, "\(file) differs between the serial and the split grid")
        }
        let rows = try JSONDecoder().decode([ResultRow].self, from: Data(contentsOf: URL(fileURLWithPath: "\(root)/serial/results.json")))
        #expect(rows.count == 9 && rows.allSatisfy { $0.report == "s3" && $0.measured.isFinite && $0.published != nil })
    }

    @Test func s4sGridTrainsItsClassifierStudyAfterTheEncoder() throws {
        let root = try temporaryFolder()
        let run = try aekit(["reproduce", "s4", "--scale", "quick", "--study-runs", "2", "--device", "cpu", "--out", "\(root)/s4"])
        try #require(run.status == 0, "\(run.output)")
        let rows = try JSONDecoder().decode([ResultRow].self, from: Data(contentsOf: URL(fileURLWithPath: "\(root)/s4/results.json")))
        // Nine autoencoders, each also evaluated with its dropout left on, then a mean and a
        // standard deviation of the classifier's accuracy
        let mse = rows.filter { $0.quantity.hasPrefix("test MSE, ") }
        #expect(mse.filter { !$0.quantity.contains("dropout left on") }.count == 9)
        #expect(mse.filter { $0.quantity.contains("dropout left on") && $0.recipe == "reading" }.count == 9)
        // per encoder, with the stated head and with linear logits (the best recipe).
        for encoder in ["pre-trained", "fresh"] {
            for recipe in ["stated", "best"] {
                let mean = try #require(rows.first {
                    $0.quantity == "classifier test accuracy, \(encoder) encoder, mean of 2 runs" && $0.recipe == recipe
                })
                #expect(mean.measured > 0.1 && mean.measured <= 1)
                #expect(rows.contains { $0.quantity == "classifier test accuracy, \(encoder) encoder, std over 2 runs" && $0.recipe == recipe })
                // The other reading, each run's best epoch: the test set is the validation set,
                // and the last epoch's evaluation is the final one, so it is never below.
                let atBest = try #require(rows.first {
                    $0.quantity == "classifier test accuracy at each run's best epoch, \(encoder) encoder, mean of 2 runs"
                        && $0.recipe == (recipe == "best" ? "best" : "reading")
                })
                #expect(atBest.measured >= mean.measured && atBest.measured <= 1)
            }
        }
        // The pre-trained classifiers started from the base model's encoder; the best recipe's
        // have linear logits.
        func record(_ run: String) throws -> TrainingConfig {
            try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: "\(root)/s4/\(run)/config.json"))).config
        }
        let stated = try record("s4-classifier-pre-trained-seed1"), best = try record("s4-classifier-pre-trained-linear-logits-seed1")
        #expect(stated.encoderCheckpoint?.contains("s4-base") == true && stated.model.layers.last == .relu)
        #expect(best.encoderCheckpoint?.contains("s4-base") == true && best.model.layers.last == .linear(64, 10))
        #expect(ModelPreset(recognizing: best.model)?.logits == .linear)
        let report = try String(contentsOfFile: "\(root)/s4/report.md", encoding: .utf8)
        let figures = ["classifier-accuracy.png", "validation-loss.png"]
            + ClassifierArm.all.map { "confusion-\($0.slug).png" }
        for figure in figures {
            #expect(report.contains("(\(figure))"))
            let png = try Data(contentsOf: URL(fileURLWithPath: "\(root)/s4/\(figure)"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(figure) is not a PNG")
        }
    }

    @Test func thePlanIsOneTrainCommandPerRun() throws {
        let plan = try aekit(["reproduce", "s2", "--scale", "full", "--plan", "--out", "grid"])
        #expect(plan.status == 0)
        let lines = plan.output.split(separator: "\n")
        #expect(lines.count == 8 && lines.allSatisfy { $0.hasPrefix("aekit train --recipe s2") })
        #expect(lines[0].contains("--hidden 64") && lines[0].contains("--epochs 30") && lines[0].contains("--out grid/s2-N64"))
    }

    /// What another task of the array leaves in the folder while it claims it (its marker's
    /// temporary file; then its marker and its run folder) is not taken for a foreign folder,
    /// as the first rule did once: a Slurm task then failed with "not a grid's folder".
    @Test func aTaskClaimsTheFolderWhileAnotherIsClaimingIt() throws {
        let root = try temporaryFolder(), files = FileManager.default
        let grid = { (name: String) in try Reproduction(report: .s3, scale: .quick, folder: "\(root)/\(name)") }

        try files.createDirectory(atPath: "\(root)/a", withIntermediateDirectories: false)
        try Data(#"{"report": "s"#.utf8).write(to: URL(fileURLWithPath: "\(root)/a/.reproduction.json\(temporaryMarker)99999"))
        try grid("a").claimFolder()
        #expect(try files.contentsOfDirectory(atPath: "\(root)/a").sorted() == [".reproduction.json\(temporaryMarker)99999", "reproduction.json"])

        try grid("b").claimFolder()
        try files.createDirectory(atPath: "\(root)/b/s3-batch64", withIntermediateDirectories: false)
        try grid("b").claimFolder()

        // A folder of someone else's is still refused, temporary files or not.
        try files.createDirectory(atPath: "\(root)/c", withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: "\(root)/c/notes.txt"))
        #expect { try grid("c").claimFolder() } throws: { "\($0)".contains("holds files but no reproduction.json") }
        #expect(try files.contentsOfDirectory(atPath: "\(root)/c") == ["notes.txt"])
    }

    @Test func badInputIsRefusedAndLeavesNothing() throws {
        let root = try temporaryFolder()
        let unknown = try aekit(["reproduce", "s9", "--out", "\(root)/a"])
        #expect(unknown.status != 0 && unknown.output.contains("unknown report 's9'; use one of: s0, s1, s2, s3, s4, all"))
        let task = try aekit(["reproduce", "s3", "--task", "2", "--tasks", "2", "--out", "\(root)/b"])
        #expect(task.status != 0 && task.output.contains("--task 2 is not one of the 2 tasks (0...1)"))
        // A folder that holds another grid.
        try FileManager.default.createDirectory(atPath: "\(root)/c", withIntermediateDirectories: true)
        try Data(#"{"report": "s0", "scale": "full"}"#.utf8).write(to: URL(fileURLWithPath: "\(root)/c/reproduction.json"))
        let other = try aekit(["reproduce", "s3", "--scale", "quick", "--device", "cpu", "--out", "\(root)/c"])
        #expect(other.status != 0 && other.output.contains("holds the full-scale grid of s0, not quick-scale s3"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/c") == ["reproduction.json"])
        #expect(!FileManager.default.fileExists(atPath: "\(root)/a") && !FileManager.default.fileExists(atPath: "\(root)/b"))
    }
}
