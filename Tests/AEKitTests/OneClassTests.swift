@testable import AEKit
@testable import Reports
import Compute
import Foundation
import Testing

/// The one-class benchmark's parts: the authors' model, their preprocessing, PyTorch's
/// MultiStepLR, and a small run that scores a test set.
@Suite struct OneClassTests {
    /// `MNIST_LeNet_Autoencoder` has 8 472 weights (conv1 200, conv2 800, fc1 6 272, deconv1 200,
    /// deconv2 800, deconv3 200) and gives back its input's shape through a 32-value code.
    @Test func theModelIsTheAuthors() throws {
        #expect(try MemoryEstimate(OneClass.model).parameters == 8_472)
        let shapes = try OneClass.model.shapes(batch: 2)
        #expect(shapes.last == [2, 1, 28, 28] && shapes.contains([2, 32]))
        #expect(OneClass.model.problem == nil)
    }

    @Test func contrastNormalisationAndMinMaxScaling() throws {
        let (train, test) = try fashionSubset(train: 600, test: 200)
        let normalized = OneClass.contrastNormalized(test.prefix(5))
        for image in 0..<5 {
            let values = normalized[(image * 784)..<((image + 1) * 784)]
            let mean = values.reduce(0, +) / 784, meanAbsolute = values.reduce(0) { $0 + abs($1) } / 784
            #expect(abs(mean) < 1e-5 && abs(meanAbsolute - 1) < 1e-4, "image \(image): mean \(mean), mean |x| \(meanAbsolute)")
        }
        let (normal, all) = OneClass.sets(train: train, test: test, normalClass: 3)
        #expect(normal.labels.allSatisfy { $0 == 3 } && normal.count == train.labels.filter { $0 == 3 }.count)
        #expect(all.count == test.count && all.labels == test.labels)
        let values = normal.pixels
        #expect(values.min() == 0 && values.max() == 1)
    }

    /// PyTorch's MultiStepLR(milestones=[2, 4], gamma=0.5): epochs 1–2 at the rate, 3–4 at half,
    /// 5 on at a quarter; a bad list is refused by name.
    @Test func milestonesScaleTheLearningRate() throws {
        let spec = OptimizerSpec(kind: .adam, learningRate: 1, milestones: [2, 4], gamma: 0.5)
        #expect((1...6).map { spec.learningRate(epoch: $0) } == [1, 1, 0.5, 0.5, 0.25, 0.25])
        #expect(OneClass.optimizer.learningRate(epoch: 51) == OneClass.optimizer.learningRate / 10)
        var config = TrainingConfig(model: OneClass.model, optimizer: spec, batchSize: 10, epochs: 1, seed: 1)
        #expect(config.problem == nil)
        config.optimizer.milestones = [4, 2]
        #expect(config.problem?.contains("--milestones") == true)
    }

    /// A short run on 300 images of one class scores the whole test subset: an AUROC, from
    /// scores that differ.
    @Test func aRunScoresTheTestSet() throws {
        let (train, test) = try fashionSubset(train: 3000, test: 300)
        let result = try OneClass.run(train: train, test: test, dataset: "fashion-mnist", normalClass: 1, seed: 1, epochs: 2,
                                      backend: cpu)
        #expect(result.normalClass == 1 && result.epochs == 2 && (0...1).contains(result.auroc) && result.trainLoss.isFinite)
        let report = OneClass.report([result])
        #expect(report.contains("| 1 | ") && report.contains("fashion-mnist"))
        // Another length trained gets a column of its own, after the recipe's.
        let recipe = OneClass.Result(dataset: "fashion-mnist", normalClass: 1, seed: 1, epochs: OneClass.epochs, auroc: 0.9,
                                     trainLoss: 0, seconds: 0)
        let both = OneClass.report([result, recipe])
        #expect(both.contains("| normal class | AEKit, the recipe (150 epochs) | AEKit, 2 epochs | PyTorch reference |"), "\(both)")
        #expect(both.contains("| 1 | 90.0 (1 seed) | \(String(format: "%.1f", 100 * result.auroc)) (1 seed) | – | – |"), "\(both)")
    }
}
