import AEKit
import ArgumentParser
import Foundation

extension OptimizerSpec.Kind: ExpressibleByArgument {}

/// `train`'s optimizer flags, each overriding one setting of the recipe's `OptimizerSpec`.
struct OptimizerOptions: ParsableArguments {
    @Option(help: "sgd or adam.")
    var optimizer: OptimizerSpec.Kind?

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr: Float?

    @Option(parsing: .unconditional, help: "SGD momentum.")
    var momentum: Float?

    @Flag(inversion: .prefixedNo, help: "Nesterov momentum (SGD).")
    var nesterov: Bool?

    @Option(parsing: .unconditional, help: "L2 weight decay, added to the gradient as PyTorch does.")
    var weightDecay: Float?

    @Option(help: ArgumentHelp("Epochs after which the learning rate is multiplied by --gamma, as PyTorch's MultiStepLR (e.g. 50,100).",
                               valueName: "epochs"))
    var milestones: String?

    @Option(parsing: .unconditional, help: "The factor the learning rate takes at each milestone (default 0.1).")
    var gamma: Float?

    /// The flags given, by name (what `--resume` refuses).
    var givenFlags: [String] {
        [("--optimizer", optimizer != nil), ("--lr", lr != nil), ("--momentum", momentum != nil),
         ("--nesterov", nesterov != nil), ("--weight-decay", weightDecay != nil),
         ("--milestones", milestones != nil), ("--gamma", gamma != nil)]
            .filter(\.1).map(\.0)
    }

    /// `spec` with every flag given applied; the values' ranges are `TrainingConfig.problem`'s to check.
    func apply(to spec: inout OptimizerSpec) throws {
        if let optimizer { spec.kind = optimizer }
        if let lr { spec.learningRate = lr }
        if let momentum { spec.momentum = momentum }
        if let nesterov { spec.nesterov = nesterov }
        if let weightDecay { spec.weightDecay = weightDecay }
        if let milestones {
            let epochs = milestones.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !epochs.isEmpty, epochs.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--milestones must be epochs separated by commas, such as 50,100 (got '\(milestones)')")
            }
            spec.milestones = epochs.map { $0! }
        }
        if let gamma { spec.gamma = gamma }
    }
}
