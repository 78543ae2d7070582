import AEKit
@testable import Reports
import Compute
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
    let result = try runToEnd(process)
    return (result.status, result.output)
}

/// Runs `process` with its standard output and error in one pipe until it ends; `crashed`
/// says whether a signal ended it.
func runToEnd(_ process: Process) throws -> (status: Int32, crashed: Bool, output: String) {
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, process.terminationReason == .uncaughtSignal, String(decoding: data, as: UTF8.self))
}

@Suite struct CLITests {
    @Test(arguments: [
        (["train", "--batch", "0"], "--batch must be in 1...1048576"),
        (["train", "--batch", "9223372036854775807"], "--batch must be in 1...1048576 (got 9223372036854775807)"),
        (["train", "--hidden", "1000000000"], "the bottleneck width (--hidden) must be in 1...16777216"),
        (["train", "--hidden", "10000000", "--device", "cpu"], "needs "),
        (["train", "--lr=-1"], "--lr must be a positive, finite number"),
        (["train", "--lr", "-1"], "--lr must be a positive, finite number (got -1.0)"),
        (["train", "--lr", "0"], "--lr must be a positive, finite number"),
        (["train", "--lr", "inf"], "--lr must be a positive, finite number"),
        (["train", "--dropout", "nan"], "--dropout) must be in [0, 1) (got nan)"),
        (["train", "--momentum", "nan"], "--momentum must be in [0, 1) (got nan)"),
        (["train", "--weight-decay", "nan"], "--weight-decay must be a finite number"),
        (["train", "--weight-decay", "-1"], "--weight-decay must be a finite number, 0 or more (got -1.0)"),
        (["train", "--epochs", "-3"], "--epochs must be in 1...100000 (got -3)"),
        (["train", "--validation", "0.0001", "--limit", "1000", "--device", "cpu"], "rounds to no examples"),
        (["train", "--overwrite"], "name the folder with --out"),
        (["train", "--resume", "runs/s4", "--hidden", "128", "--lr", "0.1"], "only --device and --epochs may change (got --hidden, --lr)"),
        (["train", "--resume", "runs/s4", "--logits", "linear"], "only --device and --epochs may change (got --logits)"),
        (["train", "--epochs", "ten"], "--epochs"),
        (["train", "--recipe", "s9"], "unknown recipe 's9'"),
        (["train", "--dropout", "1.5"], "--dropout) must be in [0, 1)"),
        (["train", "--validation", "abc"], "--validation must be"),
        (["train", "--device", "tpu:3"], "unknown device 'tpu:3'"),
        (["train", "--recipe", "s0"], "Fetch it with `aekit data get mnist`"),
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
        // An empty data store, whatever this machine's holds.
        let (status, output) = try aekit(arguments, in: folder, environment: ["AEKIT_DATA": folder + "/store"])
        #expect(status != 0, "\(arguments) exited 0")
        #expect(output.contains(message), "\(arguments) printed: \(output)")
        // Nothing half-written: a rejected run leaves no run folder behind.
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/runs"))
    }

    @Test func versionIsTheOneRunFoldersRecord() throws {
        let (status, output) = try aekit(["--version"])
        #expect(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines) == aekitVersion, "\(output)")
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

    @Test func noOpenCLPlatformIsSaidInWords() throws {
        // The OpenCL loader reads its drivers' ICD files from this folder: empty, no platform.
        let empty = try temporaryFolder(), work = try temporaryFolder()
        let (status, output) = try aekit(["train", "--device", "opencl"], in: work, environment: ["OCL_ICD_VENDORS": empty])
        #expect(status != 0 && output.contains("no OpenCL platform") && output.contains("--device cpu"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/runs"))
    }

    /// A second process on a folder a run holds is refused, naming the first; two runs that
    /// pick the same default name at once get two folders.
    @Test func twoProcessesNeverShareARunFolder() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 2000, test: 100)
        let arguments = ["train", "--recipe", "s2", "--data", data, "--validation", "100", "--batch", "10", "--device", "cpu"]
        let first = Process()
        first.executableURL = try aekitBinary()
        first.arguments = arguments + ["--epochs", "3", "--out", "run"]
        first.currentDirectoryURL = URL(fileURLWithPath: work)
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        while !FileManager.default.fileExists(atPath: "\(work)/run/config.json") && first.isRunning { usleep(10_000) }
        let second = try aekit(arguments + ["--epochs", "1", "--out", "run"], in: work)
        let resume = try aekit(["train", "--resume", "run"], in: work)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        for other in [second, resume] {
            #expect(other.status != 0 && other.output.contains("in use by process \(first.processIdentifier)"), "\(other.output)")
        }
        // Finished, the folder is a run that a new --out may not replace without --overwrite.
        let again = try aekit(arguments + ["--epochs", "1", "--out", "run"], in: work)
        #expect(again.status != 0 && again.output.contains("already holds a run"), "\(again.output)")
        let replaced = try aekit(arguments + ["--epochs", "1", "--out", "run", "--overwrite"], in: work)
        #expect(replaced.status == 0, "\(replaced.output)")

        // Two default names chosen at the same instant.
        let group = DispatchGroup(), results = Locked<[Int32]>([])
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let result = try? aekit(arguments + ["--epochs", "1"], in: work)
                results.mutate { $0.append(result?.status ?? -1) }
            }
        }
        group.wait()
        #expect(results.value == [0, 0])
        let folders = try FileManager.default.contentsOfDirectory(atPath: "\(work)/runs").sorted()
        #expect(folders == ["s2", "s2-2"])
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
        for file in ["config.json", "metrics.csv", "model.safetensors", "final.json", "loss.svg", "loss.png", "reconstructions.png", "codes.png"] {
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

    /// config.json's `model` entry, given back as `--model-file` with the recipe's training
    /// flags, trains to the same losses digit for digit; a model no preset has (a third conv
    /// block, a 2-wide code) trains; a list that does not fit is refused before anything is
    /// written, naming the layer and the shape.
    @Test func aModelFileTrainsAsItsRecipeDoes() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let common = ["--data", data, "--epochs", "2", "--batch", "20", "--device", "cpu"]
        let recipe = try aekit(["train", "--recipe", "s4", "--hidden", "8", "--out", "recipe"] + common, in: work)
        #expect(recipe.status == 0, "\(recipe.output)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(work)/recipe/config.json")))
        let model = try #require(((record as? [String: Any])?["config"] as? [String: Any])?["model"])
        try JSONSerialization.data(withJSONObject: model).write(to: URL(fileURLWithPath: "\(work)/model.json"))
        let file = try aekit(["train", "--recipe", "s4", "--model-file", "model.json", "--out", "file"] + common, in: work)
        #expect(file.status == 0, "\(file.output)")
        func losses(_ run: String) throws -> [Substring] {
            try String(contentsOfFile: "\(work)/\(run)/metrics.csv", encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",").dropLast().joined(separator: ",")[...] }
        }
        #expect(try losses("file") == losses("recipe") && losses("recipe").count == 3)

        let custom = #"{"input": [1, 28, 28], "loss": "mse", "layers": ["Conv2d(1, 8, 3, padding='same')", "ReLU()", "MaxPool2d(2)", "#
            + #""Conv2d(8, 8, 3, padding='same')", "ReLU()", "MaxPool2d(2)", "Conv2d(8, 2, 3, padding=1)", "ReLU()", "#
            + #""Upsample(scale_factor=2)", "Conv2d(2, 8, 3, padding=1)", "ReLU()", "Upsample(scale_factor=2)", "#
            + #""Conv2d(8, 1, 3, padding=1)", "Sigmoid()"]}"#
        try custom.write(toFile: "\(work)/custom.json", atomically: true, encoding: .utf8)
        let summary = try aekit(["summary", "--model-file", "custom.json"], in: work)
        #expect(summary.status == 0 && summary.output.contains("[1, 2, 7, 7]") && summary.output.contains("sequential"), "\(summary.output)")
        let trained = try aekit(["train", "--model-file", "custom.json", "--out", "custom"] + common, in: work)
        #expect(trained.status == 0 && trained.output.contains("epoch 2/2"), "\(trained.output)")
        let evaluated = try aekit(["evaluate", "--checkpoint", "custom/model.safetensors", "--data", data, "--dataset", "custom",
                                   "--device", "cpu"], in: work)
        #expect(evaluated.status == 0 && evaluated.output.contains("sequential"), "\(evaluated.output)")

        let wrongEncoder = try aekit(["train", "--recipe", "s4-classifier", "--encoder", "custom/model.safetensors", "--out", "cls"]
                                     + common, in: work)
        #expect(wrongEncoder.status != 0 && wrongEncoder.output.contains("whose first layers are not those of classifier-64"),
                "\(wrongEncoder.output)")

        let bad = custom.replacingOccurrences(of: "Conv2d(8, 2, 3, padding=1)", with: "Conv2d(4, 2, 3, padding=1)")
        try bad.write(toFile: "\(work)/bad.json", atomically: true, encoding: .utf8)
        let refused = try aekit(["train", "--model-file", "bad.json", "--out", "bad"] + common, in: work)
        #expect(refused.status != 0 && refused.output.contains("layer 6 Conv2d(4, 2, kernel_size=(3, 3), stride=(1, 1), "
                                                               + "padding=(1, 1)) expects 4 channels; it gets 8"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/bad"))
        let flagged = try aekit(["train", "--model-file", "custom.json", "--hidden", "4", "--out", "flagged"] + common, in: work)
        #expect(flagged.status != 0 && flagged.output.contains("change its file instead"), "\(flagged.output)")
    }

    /// A model file of `print(model)` lines with the activations and bias-free layers people
    /// write summarises and trains; a file with several layers AEKit cannot build names them all
    /// at once, with no advice on the file's form (which is right), and exits 65, not 64 with
    /// the usage text.
    @Test func aModelFileIsCheckedWhole() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let common = ["--data", data, "--epochs", "1", "--batch", "20", "--device", "cpu"]
        let layers = ["Conv2d(1, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)", "LeakyReLU(negative_slope=0.2, inplace=True)",
                      "Conv2d(8, 8, 3, stride=2, padding=1)", "ELU(alpha=1.0)", "Flatten(start_dim=1, end_dim=-1)",
                      "Linear(in_features=392, out_features=16, bias=False)", "GELU(approximate='tanh')", "Linear(16, 392)", "SiLU()",
                      "Unflatten(1, (8, 7, 7))", "ConvTranspose2d(8, 8, 2, stride=2, bias=False)", "Tanh()",
                      "ConvTranspose2d(8, 1, 2, stride=2)", "Softplus(beta=1.0, threshold=20.0)", "Hardtanh(min_val=0.0, max_val=1.0)",
                      "Identity()", "LeakyReLU(negative_slope=-0.1)", "ELU(alpha=-0.5)"]
        func write(_ name: String, _ layers: [String]) throws {
            let json = try JSONSerialization.data(withJSONObject: ["input": [1, 28, 28], "loss": "mse", "layers": layers])
            try json.write(to: URL(fileURLWithPath: "\(work)/\(name)"))
        }
        try write("new.json", layers)
        let summary = try aekit(["summary", "--model-file", "new.json"], in: work)
        #expect(summary.status == 0 && summary.output.contains("LeakyReLU(negative_slope=0.2)")
                && summary.output.contains("bias=False") && summary.output.contains("GELU(approximate='tanh')"), "\(summary.output)")
        let trained = try aekit(["train", "--model-file", "new.json", "--out", "new"] + common, in: work)
        #expect(trained.status == 0 && trained.output.contains("epoch 1/1"), "\(trained.output)")

        var bad = layers
        bad[1] = "PReLU(num_parameters=1)"; bad[3] = "Softplus(beta=-1.0, threshold=20.0)"; bad[7] = "Linear(16, 392, bias=maybe)"
        try write("bad.json", bad)
        let refused = try aekit(["train", "--model-file", "bad.json", "--out", "bad"] + common, in: work)
        #expect(refused.status == 65, "\(refused.output)")
        #expect(refused.output.contains("layers 1, 3, 7 cannot be built") && refused.output.contains("AEKit has no layer 'PReLU'")
                && refused.output.contains("its beta must be > 0") && refused.output.contains("bias must be True or False")
                && refused.output.contains("AEKit's layers are"), "\(refused.output)")
        #expect(!refused.output.contains("summary --json") && !refused.output.contains("USAGE"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/bad"))

        // A BatchNorm would see one value per channel: refused before anything is written, for
        // the batch size and for an epoch's last, partial batch (60 images in batches of 59).
        try write("batchnorm.json", ["Flatten()", "Linear(784, 8, bias=False)", "BatchNorm1d(8)", "ReLU()", "Linear(8, 784)",
                                     "Sigmoid()", "Unflatten(1, (1, 28, 28))"])
        for (batch, message) in [("1", "in a batch of 1"), ("59", "the last batch of each epoch holds 1 of the 60")] {
            let one = try aekit(["train", "--model-file", "batchnorm.json", "--out", "one", "--data", data, "--epochs", "1",
                                 "--batch", batch, "--device", "cpu"], in: work)
            #expect(one.status != 0 && one.output.contains(message) && one.output.contains("one value per channel"), "\(one.output)")
            #expect(!FileManager.default.fileExists(atPath: "\(work)/one"))
        }
        // Without running statistics a BatchNorm uses the batch's in evaluation too: a test set
        // of 501 images, evaluated in batches of 500, would leave it one.
        let odd = try temporaryFolder()
        try writeSyntheticIDX(to: odd, train: 60, test: 501)
        try write("untracked.json", ["Flatten()", "Linear(784, 8, bias=False)", "BatchNorm1d(8, track_running_stats=False)", "ReLU()",
                                     "Linear(8, 784)", "Sigmoid()", "Unflatten(1, (1, 28, 28))"])
        let untracked = try aekit(["train", "--model-file", "untracked.json", "--out", "untracked", "--data", odd, "--epochs", "1",
                                   "--batch", "20", "--device", "cpu"], in: work)
        #expect(untracked.status != 0 && untracked.output.contains("set's 501 images are evaluated in batches of 500, the last of 1")
                && untracked.output.contains("one value per channel"), "\(untracked.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/untracked"))
    }

    @Test func benchTrainProfilesEveryOp() throws {
        let data = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let (status, output) = try aekit(["bench", "train", "--recipe", "s0", "--data", data, "--batch", "20", "--hidden", "32",
                                          "--device", "cpu", "--profile"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("dense-32") && output.contains("profile of cpu"), "\(output)")
        // Three steps of 20 images: forward 784→32→784 (each Linear fused with its activation),
        // backward without the input gradient.
        #expect(output.contains("gemm_bias_activation 20x32x784 NT relu") && output.contains("gemm 32x784x20 TN"), "\(output)")
        func calls(_ text: String, _ prefix: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
                .map { String($0.split(separator: " ", omittingEmptySubsequences: true)[2]) }
        }
        // Every parameter in one flat buffer: one SGD step per batch, of all 32·784·2 + 32 + 784
        // = 50 992 floats (the CPU's slots start on 16 floats, which these sizes already are).
        #expect(calls(output, "sgd_step ") == ["3"] && output.contains("sgd_step 50992 "), "\(output)")
        // Unfused, each of the four parameters is a step of its own, and so is each layer.
        let unfused = try aekit(["bench", "train", "--recipe", "s0", "--data", data, "--batch", "20", "--hidden", "32",
                                 "--device", "cpu", "--profile", "--no-fuse"])
        #expect(unfused.status == 0 && calls(unfused.output, "sgd_step 25088 ") == ["6"], "\(unfused.output)")
        #expect(unfused.output.contains("activation_forward") && !unfused.output.contains("bias_activation"), "\(unfused.output)")
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

/// A value shared between threads, behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout Value) -> Void) { lock.lock(); defer { lock.unlock() }; body(&stored) }
}

/// A GPU driver on disk that no ICD file names, as NVIDIA's container runtime leaves
/// `libnvidia-opencl.so.1`: played by PoCL's ICD library under NVIDIA's file name, in a folder
/// on LD_LIBRARY_PATH, with an empty vendors folder.
@Suite struct UnregisteredDriverTests {
    static let pocl: String? = {
        let icd = (try? String(contentsOfFile: "/etc/OpenCL/vendors/pocl.icd", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return icd.map { $0.hasPrefix("/") ? $0 : "/usr/lib/x86_64-linux-gnu/\($0)" }
    }()

    @Test func devicesNamesTheLibraryAndTheCommand() throws {
        let pocl = try #require(UnregisteredDriverTests.pocl, "PoCL's ICD file (pocl-opencl-icd, from scripts/setup)")
        // PoCL finds its device drivers (pocl/ beside its library) and the headers its compiler
        // needs (../../share/pocl from it) where it was loaded from: the copy keeps both there.
        let root = try temporaryFolder(), driver = "\(root)/lib/x86_64-linux-gnu", vendors = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: driver, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/share", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pocl, toPath: "\(driver)/libnvidia-opencl.so.1")
        try FileManager.default.createSymbolicLink(atPath: "\(driver)/pocl", withDestinationPath: Paths.parent(pocl) + "/pocl")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/share/pocl",
                                                   withDestinationPath: Paths.parent(Paths.parent(Paths.parent(pocl))) + "/share/pocl")
        let environment = ["OCL_ICD_VENDORS": vendors, "LD_LIBRARY_PATH": driver]
        let listed = try aekit(["devices"], environment: environment)
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.contains("NVIDIA: \(driver)/libnvidia-opencl.so.1"), "\(listed.output)")
        #expect(listed.output.contains("export OCL_ICD_VENDORS="), "\(listed.output)")
        let asked = try aekit(["parity", "--device", "opencl", "--only", "pixel_loss"], environment: environment)
        #expect(asked.status != 0 && asked.output.contains("libnvidia-opencl.so.1 is here with no ICD file naming it"), "\(asked.output)")

        // The command it prints makes the driver visible: the same device, found through it.
        let registered = try temporaryFolder()
        try Data("\(driver)/libnvidia-opencl.so.1\n".utf8).write(to: URL(fileURLWithPath: "\(registered)/nvidia.icd"))
        let found = try aekit(["parity", "--device", "opencl", "--only", "pixel_loss", "--cases", "2"],
                              environment: ["OCL_ICD_VENDORS": registered, "LD_LIBRARY_PATH": driver])
        #expect(found.status == 0 && found.output.contains("all 1 ops agree"), "\(found.output)")
        let drivers = try aekit(["devices", "--drivers"], environment: ["OCL_ICD_VENDORS": registered, "LD_LIBRARY_PATH": driver])
        #expect(drivers.output.contains("NVIDIA\t\(driver)/libnvidia-opencl.so.1\tregistered"), "\(drivers.output)")
    }
}
