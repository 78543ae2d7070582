import AEKit
import ArgumentParser
import Compute
import Foundation

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score each image by how badly an autoencoder reconstructs it (anomaly detection); with --normal-class, the AUROC.",
        discussion: """
            Writes --out (CSV, worst first: rank, index, label, score) and, beside it, worst.png: the \
            worst images above their reconstructions. With --normal-class K (a label number or class \
            name) the images of class K are the normal ones and the rest anomalies: the AUROC of the \
            score is printed and the ROC curve written beside --out as roc.svg and roc.png.
            """)

    @OptionGroup var options: ModelDataOptions

    @Option(help: "The CSV file to write.")
    var out: String

    @Option(help: "The score: mse (each image's mean squared error) or loss (the model's own loss per image, KL left out).")
    var score: ReconstructionError = .mse

    @Option(help: "The class of normal images: a label number or a class name; the rest are anomalies.")
    var normalClass: String?

    @Option(parsing: .unconditional, help: "Images in worst.png.")
    var worst = 10

    func validate() throws {
        guard out.lowercased().hasSuffix(".csv") else { throw ValidationError("--out must name a .csv file (got '\(out)')") }
        if !(1...100).contains(worst) { throw ValidationError("--worst must be in 1...100 (got \(worst))") }
    }

    func run() throws {
        _ = try createFolders(Paths.parent(out))
        let (model, data, source) = try options.load(for: "score")
        let normal = try normalClass.map { try classLabel($0, of: data) }
        let scores = try model.reconstructionErrors(data, measure: score)
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var text = "rank,index,label,score\n"
        for (rank, image) in order.enumerated() { text += "\(rank + 1),\(image),\(data.labels[image]),\(scores[image])\n" }
        try writeAtomically(Data(text.utf8), to: out)
        let folder = Paths.parent(out)
        try writeAtomically(Figures.worst(model, data, scores: scores, count: min(worst, data.count)).png(),
                            to: Paths.join(folder, "worst.png"))
        let sorted = scores.sorted()
        print("\(data.count) \(options.set) images of \(source.title) scored by \(score.rawValue) under \(model.spec.name): "
              + String(format: "median %.6f, worst %.6f", sorted[sorted.count / 2], sorted.last!))
        print("wrote \(out) (worst first) and \(Paths.join(folder, "worst.png"))")
        guard let normal else { return }
        let roc = try asFlagError { try ROC(scores: scores, positive: data.labels.map { $0 != normal }) }
        let name = data.classNames.map { $0[Int(normal)] } ?? "class \(normal)"
        try Figures.roc(roc, title: "\(model.spec.name) on \(source.title): \(name) normal, the rest anomalies").write(to: folder, name: "roc")
        print(String(format: "AUROC %.4f: %@ (%d images) normal, the other %d anomalies; ROC in %@",
                     roc.auroc, name, data.labels.filter { $0 == normal }.count, data.labels.filter { $0 != normal }.count,
                     Paths.join(folder, "roc.png")))
    }
}

extension ReconstructionError: ExpressibleByArgument {}
