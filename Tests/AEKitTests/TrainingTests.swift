@testable import AEKit
@testable import Reports
import Compute
import Foundation
import Testing

/// A recipe shrunk to a subset: the same model and optimizer, fewer images.
func smallConfig(_ recipe: String, epochs: Int, batch: Int) throws -> TrainingConfig {
    var config = try Recipe.config(recipe)
    config.data = DataSource(name: "fashion-mnist")
    config.epochs = epochs
    config.batchSize = batch
    config.validation = .testSet
    return config
}

@Suite(.serialized) struct TrainingTests {
    static let recipes = ["s0", "s1", "s2", "s3", "s4", "s4-classifier", "vae"]

    /// 200 optimizer steps on 640 images lower the training loss, on the CPU and on OpenCL.
    @Test(arguments: recipes, ["cpu", "opencl"])
    func aFewHundredStepsLowerTheLoss(_ recipe: String, _ device: String) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        var config = try smallConfig(recipe, epochs: 10, batch: 32)
        // S0's recipe (SGD at 1e-3) moves too slowly to show in 200 steps, and S1's (SGD at 1.0,
        // Nesterov 0.5) sits on its first plateau for longer than that at batch 32: their
        // models are what is tested here; the update rules have their own parity checks.
        if recipe == "s0" { config.optimizer.learningRate = 0.5 }
        if recipe == "s1" { config.optimizer = OptimizerSpec(kind: .adam, learningRate: 3e-3) }
        let run = try TrainingRun(config: config, backend: backend, folder: RunFolder(path: try temporaryFolder()),
                                  data: try fashionSubset(train: 640, test: 64))
        try run.run()
        let losses = run.history.map(\.train.loss)
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.last! < 0.9 * losses.first!, "\(recipe) on \(device): losses \(losses)")
    }

    /// Same recipe and seed on both backends: identical initial weights and dropout masks, so
    /// the first epochs' losses agree to float rounding.
    @Test(arguments: recipes)
    func cpuAndOpenCLAgree(_ recipe: String) throws {
        let config = try smallConfig(recipe, epochs: 2, batch: 32)
        var histories: [[EpochRecord]] = []
        for backend in [cpu, try openCL()] as [any Backend] {
            let run = try TrainingRun(config: config, backend: backend, folder: RunFolder(path: try temporaryFolder()),
                                      data: try fashionSubset(train: 256, test: 64))
            try run.run()
            histories.append(run.history)
        }
        for (a, b) in zip(histories[0], histories[1]) {
            for (x, y) in [(a.train.loss, b.train.loss), (a.validation.loss, b.validation.loss)] {
                #expect(abs(x - y) <= 1e-3 * abs(x) + 1e-6, "\(recipe) epoch \(a.epoch): cpu \(x), opencl \(y)")
            }
        }
    }

    /// On a device, a training step gathers its batch from the dataset uploaded once and keeps
    /// the classifier's confusion matrix there: the median step moves no bytes between host
    /// and device and never waits for the device (only the periodic loss read does).
    @Test(arguments: ["s2", "s4", "s4-classifier", "vae"])
    func aTrainingStepOnADeviceMovesNoDataAndNeverWaits(_ recipe: String) throws {
        let config = try smallConfig(recipe, epochs: 1, batch: 32)
        let record = try TrainBench.run(config, backend: try openCL(), data: try fashionSubset(train: 320, test: 32))
        let step = try #require(record.perStep)
        #expect(step.bytes == 0 && step.blockingWaits == 0, "\(recipe): \(step)")
        #expect(step.launches > 10)
        #expect(try TrainBench.run(config, backend: cpu, data: fashionSubset(train: 320, test: 32)).perStep == nil)
    }

    /// `--noise`: trained on noisy inputs against the clean images, S0's model reconstructs
    /// noisy test images closer to the clean ones than the same model trained plainly.
    @Test func aDenoisingRunCleansNoisyInputsBetterThanAPlainOne() throws {
        let data = try fashionSubset(train: 1000, test: 200)
        var errors: [Double] = []
        for recipe in ["s0", "s0-denoise"] {
            var config = try smallConfig(recipe, epochs: 8, batch: 50)
            config.optimizer = OptimizerSpec(kind: .adam, learningRate: 3e-3)
            let run = try TrainingRun(config: config, backend: cpu, folder: RunFolder(path: try temporaryFolder()), data: data)
            try run.run()
            // The test images with 30 % salt-and-pepper noise, against the clean ones.
            let clean = try cpu.tensor([data.test.count] + config.model.input, values: data.test.pixels)
            let noisy = try cpu.tensor(clean.shape)
            try cpu.saltAndPepper(clean.buffer, output: noisy.buffer, amount: 0.3, seed: 77, step: 0)
            let y = try run.trainer.model.forward(noisy, ForwardContext(backend: cpu, training: false))
            let total = try cpu.tensor([1], filledWith: 0)
            try cpu.squaredDifferenceSum(y.buffer, clean.buffer, scale: 1 / Float(clean.buffer.count), into: total.buffer)
            errors.append(Double(try cpu.scalar(total.buffer)))
        }
        // Same seed, same model: without the noise the two runs would be identical.
        #expect(errors[1] < 0.9 * errors[0], "MSE on noisy inputs: plain \(errors[0]), denoising \(errors[1])")
    }

    /// The GPU path on PoCL: with `--kernel-policy gpu` the OpenCL backend runs the tiled and
    /// direct GEMM kernels a GPU would, which `auto` never runs on a CPU device. Two epochs of
    /// S4 and S1 on 2 000 images, the recipes' own batch sizes; the first epoch's loss must be
    /// the CPU backend's within 1e-3 relative.
    @Test(arguments: ["s4", "s1"])
    func gpuKernelPolicyTrainsLikeTheCPU(_ recipe: String) throws {
        let config = try smallConfig(recipe, epochs: 2, batch: try Recipe.config(recipe).batchSize)
        let gpuPath = try OpenCLBackend(device: try openCL().device, policy: .gpu)
        #expect(gpuPath.choosesForGPU)
        var firstLosses: [Double] = []
        for backend in [cpu, gpuPath] as [any Backend] {
            let run = try TrainingRun(config: config, backend: backend, folder: RunFolder(path: try temporaryFolder()),
                                      data: try fashionSubset(train: 2000, test: 200))
            try run.run()
            firstLosses.append(run.history[0].train.loss)
        }
        let ran = gpuPath.takeLaunchedKernels()
        #expect(ran.contains { $0.hasPrefix("gemm_tiled_") || $0.hasPrefix("gemm_direct_") }, "\(ran)")
        #expect(!ran.contains { $0.hasPrefix("gemm_vector_") }, "\(ran)")
        #expect(abs(firstLosses[0] - firstLosses[1]) <= 1e-3 * abs(firstLosses[0]),
                "\(recipe): first epoch's loss cpu \(firstLosses[0]), opencl (gpu policy) \(firstLosses[1])")
    }

    @Test func checkpointRoundTripGivesIdenticalOutputs() throws {
        let folder = try temporaryFolder()
        let model = try Sequential(ModelPreset(architecture: .convLinear, hidden: 32, dropout: 0.2).spec, backend: cpu, seed: 9)
        try Checkpoint.save(model, to: "\(folder)/m.safetensors")
        let loaded = try Checkpoint.load("\(folder)/m.safetensors", backend: cpu)
        #expect(loaded.spec == model.spec)
        let x = try cpu.tensor([4, 1, 28, 28], values: SeededRandom(seed: 1).uniformsCopy(4 * 784))
        let context = ForwardContext(backend: cpu, training: false)
        #expect(try cpu.download(model.forward(x, context).buffer) == cpu.download(loaded.forward(x, context).buffer))
    }

    /// The file is valid by the safetensors specification, read here byte by byte.
    @Test func safetensorsFileFollowsTheFormat() throws {
        let folder = try temporaryFolder()
        let model = try Sequential(ModelPreset(architecture: .dense, hidden: 16, dropout: 0.1).spec, backend: cpu, seed: 2)
        try Checkpoint.save(model, to: "\(folder)/m.safetensors")
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/m.safetensors")))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + n) % 8 == 0, "data must start 8-byte aligned")
        let header = try #require(try JSONSerialization.jsonObject(with: Data(data[8..<(8 + n)])) as? [String: Any])
        var ranges: [(Int, Int)] = []
        for (name, value) in header where name != "__metadata__" {
            let entry = try #require(value as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            let shape = try #require(entry["shape"] as? [Int]), offsets = try #require(entry["data_offsets"] as? [Int])
            #expect(offsets[1] - offsets[0] == 4 * shape.reduce(1, *))
            ranges.append((offsets[0], offsets[1]))
        }
        ranges.sort { $0.0 < $1.0 }
        #expect(ranges.first?.0 == 0 && ranges.last?.1 == data.count - 8 - n, "tensors must cover the data exactly")
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.1 == b.0, "no gaps or overlaps") }
        #expect(Set(header.keys) == ["__metadata__", "0.weight", "0.bias", "3.weight", "3.bias"])
        // Values are the model's, little-endian float32: check the first weight.
        let first = try #require(header["0.weight"] as? [String: Any])["data_offsets"] as! [Int]
        let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[8 + n + first[0] + $1]) << (8 * UInt32($1)) }
        let firstWeight = try cpu.download(model.namedParameters[0].parameter.value.buffer)[0]
        #expect(Float(bitPattern: bits) == firstWeight)
    }

    /// Two epochs, stop, resume for a third: the third epoch is the one a straight run of three
    /// epochs trains (same weights, optimizer state, shuffle and dropout masks).
    @Test func resumeContinuesFromTheLastEpoch() throws {
        let data = try fashionSubset(train: 200, test: 50)
        var config = try smallConfig("s2", epochs: 3, batch: 50)
        config.trainLimit = 200  // what a resumed run, which reloads the dataset, trains on
        let straight = try TrainingRun(config: config, backend: cpu, folder: RunFolder(path: try temporaryFolder()), data: data)
        try straight.run()

        let path = try temporaryFolder()
        config.epochs = 2
        try TrainingRun(config: config, backend: cpu, folder: RunFolder(path: path), data: data).run()
        let resumed = try TrainingRun(resuming: RunFolder(path: path), backend: cpu, epochs: 3)
        #expect(resumed.history.count == 2)
        try resumed.run()
        #expect(resumed.history.count == 3)
        let (a, b) = (straight.history[2].train.loss, resumed.history[2].train.loss)
        #expect(abs(a - b) <= 1e-6 * abs(a), "epoch 3: straight \(a), resumed \(b)")
        #expect(throws: TrainingError.self) { try TrainingRun(resuming: RunFolder(path: try temporaryFolder()), backend: cpu) }
    }

    @Test func divergenceStopsAndKeepsTheLastGoodCheckpoint() throws {
        let folder = RunFolder(path: try temporaryFolder())
        var config = try smallConfig("s2", epochs: 1, batch: 50)
        try config.changePreset(flags: "--output") { $0.output = .none }
        config.trainLimit = 200
        try TrainingRun(config: config, backend: cpu, folder: folder, data: try fashionSubset(train: 200, test: 50)).run()
        let good = try Data(contentsOf: URL(fileURLWithPath: folder.model))

        // Epoch 2 with an absurd learning rate: the loss overflows.
        var record = try folder.readJSON(RunRecord.self, from: folder.config)
        record.config.optimizer.learningRate = 1e9
        try folder.writeJSON(record, to: folder.config)
        #expect {
            try TrainingRun(resuming: folder, backend: cpu, epochs: 2).run()
        } throws: { error in
            let text = "\(error)"
            return text.contains("epoch 2") && text.contains("--lr") && text.contains(folder.model)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.model)) == good)
    }

    @Test func invalidConfigurationsAreRejected() throws {
        var config = try smallConfig("s2", epochs: 1, batch: 0)
        #expect(config.problem?.contains("--batch") == true)
        config.batchSize = 10
        config.optimizer.learningRate = -1
        #expect(config.problem?.contains("--lr") == true)
        #expect { try Recipe.config("s9") } throws: { "\($0)".contains("unknown recipe") }
    }
}

extension SeededRandom {
    /// `uniforms` on a copy, for one-off values in expressions.
    func uniformsCopy(_ count: Int) -> [Float] {
        var copy = self
        return copy.uniforms(count, 0, 1)
    }
}
