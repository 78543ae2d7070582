import AEKit
import ArgumentParser
import Compute
import Foundation

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Write the codes an autoencoder gives a set of images (a VAE's means μ), with their labels.",
        discussion: """
            The encoder is the model's layers up to its smallest output and the activations after it \
            (as the codes map draws it), or a VAE's layers up to its Reparameterize. \
            --out codes.npy writes a float32 array [images, code] (and codes-labels.npy, int64, where \
            the data has labels); --out codes.csv writes one row per image: index, label, the code.
            """)

    @OptionGroup var options: ModelDataOptions

    @Option(help: "The file to write: .npy or .csv.")
    var out: String

    func validate() throws {
        guard out.lowercased().hasSuffix(".npy") || out.lowercased().hasSuffix(".csv") else {
            throw ValidationError("--out must name a .npy or .csv file (got '\(out)')")
        }
    }

    func run() throws {
        _ = try createFolders(Paths.parent(out))
        let (model, data, _) = try options.load(for: "encode")
        let (codes, width) = try model.codes(data)
        let labelled = data.classNames != nil || Set(data.labels).count > 1
        if out.lowercased().hasSuffix(".npy") {
            try writeAtomically(NumPyArray.encoded(codes, shape: [data.count, width]), to: out)
            if labelled {
                let labels = String(out.dropLast(4)) + "-labels.npy"
                try writeAtomically(NumPyArray.encoded(labels: data.labels.map(Int.init), shape: [data.count]), to: labels)
                print("wrote the labels to \(labels)")
            }
        } else {
            var text = "index,label," + (0..<width).map { "code_\($0)" }.joined(separator: ",") + "\n"
            for image in 0..<data.count {
                text += "\(image),\(labelled ? String(data.labels[image]) : ""),"
                text += codes[(image * width)..<((image + 1) * width)].map { "\($0)" }.joined(separator: ",") + "\n"
            }
            try writeAtomically(Data(text.utf8), to: out)
        }
        print("wrote the codes of \(data.count) \(options.set) images (\(width) numbers each, \(model.spec.name)) to \(out)")
    }
}
