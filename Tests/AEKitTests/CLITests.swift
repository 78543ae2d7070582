import Foundation
import Testing

/// The `aekit` binary built beside the tests (`swift build --build-tests` builds it).
func aekitBinary() throws -> URL {
    let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                        .deletingLastPathComponent().appending(path: ".build/debug")]
    for folder in candidates {
        let url = folder.appending(path: "aekit")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "aekit binary not found beside the tests; run `swift build` first"])
}

/// Runs aekit with `arguments`; returns its exit status and everything it printed.
/// `environment` adds to (or replaces) the test process's variables.
func aekit(_ arguments: [String], in directory: String? = nil,
           environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = try aekitBinary()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite struct CLITests {
    @Test(arguments: [
        (["train", "--batch", "0"], "--batch must be at least 1"),
        (["train", "--lr=-1"], "--lr must be a positive number"),
        (["train", "--lr", "0"], "--lr must be a positive number"),
        (["train", "--epochs", "ten"], "--epochs"),
        (["train", "--recipe", "s9"], "unknown recipe 's9'"),
        (["train", "--dropout", "1.5"], "--dropout must be in [0, 1)"),
        (["train", "--validation", "abc"], "--validation must be"),
        (["train", "--device", "tpu:3"], "unknown device 'tpu:3'"),
        (["train", "--recipe", "s0"], "MNIST is not packaged"),
        (["train", "--frobnicate"], "Unknown option '--frobnicate'"),
        (["train", "--threads", "0"], "--threads must be a thread count in 1...1024, not 0"),
        (["bench", "train", "--threads", "5000"], "--threads must be a thread count"),
        (["parity", "--device", "nonsense"], "unknown device 'nonsense'"),
        (["parity", "--only", "maxpool"], "no op's name contains 'maxpool'"),
        (["parity", "--kernel-policy", "tpu"], "--kernel-policy"),
        (["bench", "kernels", "--only", "xent"], "no op's name contains 'xent'"),
        (["evaluate", "--checkpoint", "/nonexistent.safetensors"], "/nonexistent.safetensors"),
    ])
    func badInputExitsNonZeroWithAMessage(_ arguments: [String], _ message: String) throws {
        let folder = try temporaryFolder()
        let (status, output) = try aekit(arguments, in: folder)
        #expect(status != 0, "\(arguments) exited 0")
        #expect(output.contains(message), "\(arguments) printed: \(output)")
        // Nothing half-written: a rejected run leaves no run folder behind.
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/runs"))
    }

    @Test func threadCountAndItsSource() throws {
        let option = try aekit(["devices", "--threads", "3"])
        #expect(option.status == 0 && option.output.contains("3 threads (--threads)"), "\(option.output)")
        let variable = try aekit(["devices"], environment: ["AEKIT_THREADS": "1"])
        #expect(variable.status == 0 && variable.output.contains("1 thread (AEKIT_THREADS)"), "\(variable.output)")
        if ProcessInfo.processInfo.environment["AEKIT_THREADS"] == nil {
            let detected = try aekit(["devices"])
            #expect(detected.output.contains("(CPU affinity)") || detected.output.contains("(cgroup CPU quota)"), "\(detected.output)")
        }

        // A bad variable stops a run before anything is written.
        let folder = try temporaryFolder()
        let bad = try aekit(["train", "--device", "cpu"], in: folder, environment: ["AEKIT_THREADS": "lots"])
        #expect(bad.status != 0 && bad.output.contains("AEKIT_THREADS='lots' is not a whole number"), "\(bad.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/runs"))
    }

    @Test func corruptDataFileIsNamed() throws {
        let data = try temporaryFolder()
        try writeSyntheticIDX(to: data)
        let path = "\(data)/t10k-images-idx3-ubyte.gz"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(40).write(to: URL(fileURLWithPath: path))
        let (status, output) = try aekit(["train", "--data", data, "--epochs", "1", "--device", "cpu"], in: try temporaryFolder())
        #expect(status != 0)
        #expect(output.contains(path), "\(output)")
    }

    @Test func trainEvaluateAndSummaryWork() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let (status, output) = try aekit(["train", "--recipe", "s2", "--data", data, "--validation", "10", "--epochs", "2",
                                          "--batch", "20", "--device", "cpu", "--out", "run"], in: work)
        #expect(status == 0, "\(output)")
        for file in ["config.json", "metrics.csv", "model.safetensors", "final.json", "loss.svg", "reconstructions.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(work)/run/\(file)"), "missing \(file)")
        }
        let csv = try String(contentsOfFile: "\(work)/run/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "epoch,train_loss,val_loss,train_binary_accuracy,val_binary_accuracy,seconds")
        #expect(csv.count == 3)
        let evaluation = try aekit(["evaluate", "--checkpoint", "\(work)/run/model.safetensors", "--data", data, "--dataset", "custom",
                                    "--device", "cpu"], in: work)
        #expect(evaluation.status == 0 && evaluation.output.contains("dense-64"), "\(evaluation.output)")
        let summary = try aekit(["summary", "--recipe", "s4"])
        #expect(summary.status == 0 && summary.output.contains("ConvTranspose2d"))
    }

    @Test func benchTrainProfilesEveryOp() throws {
        let data = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let (status, output) = try aekit(["bench", "train", "--recipe", "s0", "--data", data, "--batch", "20", "--hidden", "32",
                                          "--device", "cpu", "--profile"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("dense-32") && output.contains("profile of cpu"), "\(output)")
        // Three steps of 20 images: forward 784→32→784, backward without the input gradient.
        #expect(output.contains("gemm 20x32x784 NT") && output.contains("gemm 32x784x20 TN"), "\(output)")
        // Both weight matrices have 32·784 = 25 088 entries: two SGD steps of that size per batch.
        let sgd = output.split(separator: "\n").first { $0.hasPrefix("sgd_step 25088 ") }
        #expect(sgd?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first == "6", "\(output)")
    }

    @Test func studyReportsMeanAndSpreadOfItsRuns() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let encoder = try aekit(["train", "--recipe", "s4", "--data", data, "--epochs", "1", "--batch", "20",
                                 "--device", "cpu", "--out", "encoder"], in: work)
        #expect(encoder.status == 0, "\(encoder.output)")
        let arguments = ["study", "--encoder", "encoder/model.safetensors", "--fresh", "--runs", "2", "--epochs", "2",
                         "--data", data, "--device", "cpu", "--out", "study"]
        let first = try aekit(arguments, in: work)
        #expect(first.status == 0, "\(first.output)")

        // study.json's figures are those of the run folders' own final.json files.
        let study = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(work)/study/study.json")))
        let variants = try #require(study as? [[String: Any]])
        #expect(variants.map { $0["name"] as? String } == ["pre-trained", "fresh"])
        for variant in variants {
            let name = variant["name"] as! String, test = variant["test_accuracy"] as! [String: Any]
            let accuracies = try [1, 2].map { seed -> Double in
                let final = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(work)/study/\(name)/seed-\(seed)/final.json")))
                return ((final as! [String: Any])["test"] as! [String: Any])["accuracy"] as! Double
            }
            #expect(test["values"] as? [Double] == accuracies)
            #expect(abs((test["mean"] as! Double) - (accuracies[0] + accuracies[1]) / 2) < 1e-12)
            #expect(abs((test["std"] as! Double) - abs(accuracies[0] - accuracies[1]) / 2.0.squareRoot()) < 1e-12)
            #expect((variant["validation_accuracy"] as? [Any])?.count == 2)
        }
        #expect(FileManager.default.fileExists(atPath: "\(work)/study/accuracy.svg"))

        // The same command again reads the finished runs back: same table, no training.
        let again = try aekit(arguments, in: work)
        #expect(again.status == 0 && !again.output.contains("epoch 1/2"), "\(again.output)")
        func table(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.contains("%") } }
        #expect(table(again.output) == table(first.output) && table(first.output).count == 2, "\(first.output)")
    }
}
