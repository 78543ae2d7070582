import Compute
import Foundation

/// Where the four IDX files of a dataset are: a named dataset's usual folder, or any folder
/// holding the standard file names (plain or `.gz`). The one place that decides: a recipe names
/// its dataset, `--dataset` and `--data` (DataOptions) may change it, `folder()` finds it.
public struct DataSource: Codable, Sendable, Equatable {
    /// `fashion-mnist`, `mnist` or `custom`.
    public var name: String
    /// The folder the user named; nil for the dataset's usual folder.
    public var directory: String?

    /// Debian's dataset-fashion-mnist package installs here.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    public init(name: String, directory: String? = nil) {
        self.name = name; self.directory = directory
    }

    /// `dataset` is `fashion-mnist`, `mnist` or `custom`; `directory` overrides where its
    /// files are. Throws for an unknown name, or `custom` without a folder.
    public static func resolve(dataset: String, directory: String?) throws -> DataSource {
        switch dataset.lowercased() {
        case "fashion-mnist", "fashion_mnist", "fashion": return DataSource(name: "fashion-mnist", directory: directory)
        case "mnist": return DataSource(name: "mnist", directory: directory)
        case "custom":
            guard let directory else {
                throw DatasetError.notFound("--dataset custom needs --data FOLDER", hint: "")
            }
            return DataSource(name: "custom", directory: directory)
        default:
            throw DatasetError.notFound("unknown dataset '\(dataset)'",
                                        hint: "Use fashion-mnist (the default), mnist --data FOLDER, or --data FOLDER.")
        }
    }

    /// The folder of the four files: the one named; else the data store's (`aekit data get`),
    /// where it holds them; else Debian's package's folder for Fashion-MNIST.
    public func folder(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let directory { return directory }
        guard let known = try? KnownDataset.named(name) else {
            throw DatasetError.notFound("the \(name) dataset has no usual folder", hint: "Pass --data FOLDER.")
        }
        let store = known.storeFolder(environment: environment)
        if known.files.allSatisfy({ FileManager.default.fileExists(atPath: Paths.join(store, $0.name)) }) { return store }
        if let packaged = known.packagedFolder { return packaged }
        throw DatasetError.notFound("\(name) is not in the data store (\(store)).",
                                    hint: "Fetch it with `aekit data get \(name)` (or `--mirror DIR` from a folder holding "
                                        + "its four IDX files), or pass --data FOLDER.")
    }

    /// The path of one of the four files, whichever spelling is present.
    func path(_ stem: String) throws -> String {
        let directory = try folder()
        let candidates = [stem, stem + ".gz", stem.replacingOccurrences(of: "-idx", with: ".idx"),
                          stem.replacingOccurrences(of: "-idx", with: ".idx") + ".gz"]
        for candidate in candidates {
            let path = Paths.join(directory, candidate)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        let hint = name == "fashion-mnist" && self.directory == nil
            ? "Install it with `sudo apt-get install dataset-fashion-mnist` (scripts/setup does), or pass --data FOLDER."
            : "The folder must hold \(stem) (or \(stem).gz) and the other three standard IDX files."
        throw DatasetError.notFound("\(name): \(stem)[.gz] not found in \(directory)", hint: hint)
    }

    /// The 60 000 training and 10 000 test examples (for MNIST and Fashion-MNIST).
    public func load() throws -> (train: Dataset, test: Dataset) {
        let train = try Dataset(images: path("train-images-idx3-ubyte"), labels: path("train-labels-idx1-ubyte"))
        let test = try Dataset(images: path("t10k-images-idx3-ubyte"), labels: path("t10k-labels-idx1-ubyte"))
        guard train.height == test.height, train.width == test.width else {
            throw DatasetError.badFile(try folder(), "holds \(train.height)x\(train.width) training images but "
                                       + "\(test.height)x\(test.width) test images")
        }
        return (train, test)
    }
}
