import AEKit
import Foundation

/// The reports' recipes (docs/reports.md), exactly as stated, plus AEKit's default.
public enum Recipe {
    public static let names = ["default", "s0", "s0-denoise", "s1", "s2", "s2-best", "s3", "s4", "s4-classifier", "vae"]

    public static let summaries: [String: String] = [
        "default": "conv AE with a linear bottleneck (S4's, n=128, p=0.01) on Fashion-MNIST, Adam, 4 epochs",
        "s0": "MNIST dense AE 784-64-784, dropout 0.1, sigmoid; SGD lr 1e-3, wd 1e-5, batch 1000, 50 epochs",
        "s0-denoise": "S0's model with Adam 1e-3 (S0's best recipe) as a denoising AE: 30% salt-and-pepper input, clean target",
        "s1": "MNIST Keras conv AE (4x4x8 code); SGD lr 1.0, Nesterov momentum 0.5, batch 1000, 50 epochs",
        "s2": "Fashion-MNIST dense AE 784-64-784, dropout 0.1, ReLU; SGD lr 0.5, batch 1000, 30 epochs, 50k/10k split",
        "s2-best": "S2's model and split without dropout, sigmoid output; Adam 1e-3, batch 100, 30 epochs",
        "s3": "MNIST dense AE 784-64-784, ReLU; Adam 1e-3, batch 64, 20 epochs, 90/10 split",
        "s4": "Fashion-MNIST conv AE, linear bottleneck n=64, dropout 0.2; Adam 1e-3, batch 100, 20 epochs",
        "s4-classifier": "S4's classifier on a trained encoder (--encoder); Adam 1e-3, batch 100, 30 epochs",
        "vae": "pytorch/examples' VAE on MNIST: 784-400-(20, 20)-400-784, BCE summed per image + KL; Adam 1e-3, batch 128, 10 epochs",
    ]

    /// pytorch/examples' VAE (vae/main.py): 784 → 400 ReLU → μ and log σ² of 20 (its fc21 and
    /// fc22, here one Linear of 40) → z → 400 ReLU → 784 sigmoid; BCE summed per image plus KL.
    public static let exampleVAE = ModelSpec(input: [1, 28, 28], loss: .bceSum, layers: [
        .flatten, .linear(784, 400), .relu, .linear(400, 40), .reparameterize(20), .linear(20, 400), .relu, .linear(400, 784),
        .sigmoid, .unflatten([1, 28, 28]),
    ], label: "vae-20")

    /// Recipe `name`'s configuration; its data is the dataset it names, in the usual folder
    /// (`DataOptions` applies --dataset and --data).
    public static func config(_ name: String) throws -> TrainingConfig {
        let mnist = DataSource(name: "mnist"), fashionMNIST = DataSource(name: "fashion-mnist")
        switch name {
        case "default":
            return TrainingConfig(recipe: name, data: fashionMNIST,
                                  model: ModelPreset(architecture: .convLinear, hidden: 128, dropout: 0.01).spec,
                                  optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), batchSize: 100, epochs: 4,
                                  seed: 1, validation: .testSet)
        case "s0":
            return TrainingConfig(recipe: name, data: mnist,
                                  model: ModelPreset(architecture: .dense, hidden: 64, dropout: 0.1, output: .sigmoid).spec,
                                  optimizer: OptimizerSpec(kind: .sgd, learningRate: 1e-3, weightDecay: 1e-5),
                                  batchSize: 1000, epochs: 50, seed: 1, validation: .testSet)
        case "s0-denoise":
            // Beyond the reports: S0's model with Adam (S0's stated SGD at 1e-3 hardly moves in
            // 50 epochs: test MSE 0.233), and each training input with 30 % of its pixels set to
            // 0 or 1, the clean image the target. Its salt-and-pepper figure (noise 0 … 0.5)
            // sits beside that of the same model trained plainly.
            var config = try self.config("s0")
            config.recipe = name
            config.optimizer = OptimizerSpec(kind: .adam, learningRate: 1e-3)
            config.noise = 0.3
            return config
        case "s1":
            return TrainingConfig(recipe: name, data: mnist,
                                  model: ModelPreset(architecture: .convKeras, output: .sigmoid, initialization: .keras).spec,
                                  optimizer: OptimizerSpec(kind: .sgd, learningRate: 1.0, momentum: 0.5, nesterov: true),
                                  batchSize: 1000, epochs: 50, seed: 1, validation: .testSet)
        case "s2":
            return TrainingConfig(recipe: name, data: fashionMNIST,
                                  model: ModelPreset(architecture: .dense, hidden: 64, dropout: 0.1, output: .relu).spec,
                                  optimizer: OptimizerSpec(kind: .sgd, learningRate: 0.5), batchSize: 1000, epochs: 30,
                                  seed: 1, validation: .count(10_000))
        case "s2-best":
            // S2's stated recipe does not reach its published errors (PyTorch: 0.049 against
            // 0.0241 at N = 64); this one, same model size, data, split and epochs, does.
            return TrainingConfig(recipe: name, data: fashionMNIST,
                                  model: ModelPreset(architecture: .dense, hidden: 64, dropout: 0, output: .sigmoid).spec,
                                  optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), batchSize: 100, epochs: 30,
                                  seed: 1, validation: .count(10_000))
        case "s3":
            return TrainingConfig(recipe: name, data: mnist,
                                  model: ModelPreset(architecture: .dense, hidden: 64, dropout: 0, output: .relu).spec,
                                  optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), batchSize: 64, epochs: 20,
                                  seed: 1, validation: .fraction(0.1))
        case "s4":
            return TrainingConfig(recipe: name, data: fashionMNIST,
                                  model: ModelPreset(architecture: .convLinear, hidden: 64, dropout: 0.2, output: .sigmoid).spec,
                                  optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), batchSize: 100, epochs: 20,
                                  seed: 1, validation: .testSet)
        case "s4-classifier":
            return TrainingConfig(recipe: name, data: fashionMNIST,
                                  model: ModelPreset(architecture: .classifier, hidden: 64, dropout: 0.2, output: .none).spec,
                                  optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), batchSize: 100, epochs: 30,
                                  seed: 1, validation: .testSet)
        case "vae":
            return TrainingConfig(recipe: name, data: mnist, model: exampleVAE,
                                  optimizer: OptimizerSpec(kind: .adam, learningRate: 1e-3), batchSize: 128, epochs: 10,
                                  seed: 1, validation: .testSet)
        default:
            throw ModelError.unknownModel("unknown recipe '\(name)'; use one of: \(names.joined(separator: ", "))")
        }
    }
}
