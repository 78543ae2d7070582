import Compute
import Foundation

/// Where a dataset is and how to read it: a named dataset's usual folder, or what `--data`
/// names: a folder of the four IDX files (plain or `.gz`), a folder of PNG/JPEG images
/// (`ImageFolder`), CIFAR-10's binary batches, or a NumPy `.npy`/`.npz` file. The one place
/// that decides: a recipe names its dataset, `--dataset` and `--data` (DataOptions) may change
/// it, `kind()` tells what is there and `load` reads it.
public struct DataSource: Codable, Sendable, Equatable {
    /// `fashion-mnist`, `mnist`, `cifar10` or `custom`.
    public var name: String
    /// The folder or file the user named; nil for the dataset's usual folder.
    public var directory: String?
    /// How an image folder's files become examples (size, channels, bad files); nil: the defaults.
    public var images: ImageFolder.Options?
    /// A 4-dimensional NumPy array's layout, where its shape cannot tell.
    public var layout: ArrayLayout?

    /// The forms of data AEKit reads.
    public enum Kind: String, Sendable, Equatable {
        case idx = "IDX files"
        case imageFolder = "image folder"
        case cifar10 = "CIFAR-10 binary batches"
        case numpy = "NumPy arrays"
    }

    /// How progress lines and figures name the data: the dataset, or the folder or file named.
    public var title: String {
        guard let directory else { return name }
        return Paths.name(directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
    }

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
        case "cifar10", "cifar-10": return DataSource(name: "cifar10", directory: directory)
        case "custom":
            guard let directory else {
                throw DatasetError.notFound("--dataset custom needs --data FOLDER", hint: "")
            }
            return DataSource(name: "custom", directory: directory)
        default:
            throw DatasetError.notFound("unknown dataset '\(dataset)'",
                                        hint: "Use fashion-mnist (the default), mnist, cifar10, or --data FOLDER|FILE.")
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
        if known.isPresent(in: store) { return store }
        if let packaged = known.packagedFolder { return packaged }
        throw DatasetError.notFound("\(name) is not in the data store (\(store)).",
                                    hint: "Fetch it with `aekit data get \(name)` (or `--mirror DIR` from a folder holding "
                                        + "its four IDX files), or pass --data FOLDER.")
    }

    /// The path of one of the four files, whichever spelling is present.
    func path(_ stem: String, in folder: String? = nil) throws -> String {
        let directory = try folder ?? self.folder()
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

    /// What is at the source's folder or file: `.npy`/`.npz` files are NumPy; a folder holding
    /// CIFAR-10's `data_batch_1.bin` (or `cifar-10-batches-bin/`) is CIFAR-10; one holding an
    /// IDX file is IDX; one holding `.png`/`.jpg`/`.jpeg` files at any depth is an image folder.
    public func kind(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (kind: Kind, path: String) {
        let path = try folder(environment: environment)
        let lowered = path.lowercased()
        if lowered.hasSuffix(".npy") || lowered.hasSuffix(".npz") {
            guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.notFound("\(path): no such file", hint: "") }
            return (.numpy, path)
        }
        guard isDirectory(path) else {
            let what = FileManager.default.fileExists(atPath: path) ? "is a file, not a folder" : "does not exist"
            throw DatasetError.notFound("--data \(path) \(what)",
                                        hint: "--data takes a folder (IDX files, CIFAR-10's batches or PNG/JPEG images) or a .npy/.npz file.")
        }
        if let cifar = CIFAR10.folder(in: path) { return (.cifar10, cifar) }
        if name == "cifar10" {
            throw DatasetError.notFound("\(path) holds no CIFAR-10 batches (data_batch_1.bin … test_batch.bin)",
                                        hint: "Fetch them with `aekit data get cifar10`.")
        }
        let idxStems = ["train-images-idx3-ubyte", "train-images.idx3-ubyte"]
        if idxStems.contains(where: { stem in [stem, stem + ".gz"].contains { FileManager.default.fileExists(atPath: Paths.join(path, $0)) } }) {
            return (.idx, path)
        }
        if ImageFolder.holdsImages(path) { return (.imageFolder, path) }
        // Neither: the IDX reader's message, which says what it looked for.
        return (.idx, path)
    }

    /// The training and test sets. `note` hears where they came from (an image folder: decoded
    /// or cached, files skipped); `decoded(done, total)` follows an image folder's decoding.
    public func load(environment: [String: String] = ProcessInfo.processInfo.environment, note: (String) -> Void = { _ in },
                     decoded: (@Sendable (Int, Int) -> Void)? = nil) throws -> (train: Dataset, test: Dataset) {
        let (kind, path) = try kind(environment: environment)
        if images != nil && kind != .imageFolder || layout != nil && kind != .numpy {
            let flags = (images != nil ? ["--size, --channels and --skip-bad read image folders"] : [])
                + (layout != nil ? ["--layout reads NumPy arrays"] : [])
            throw DatasetError.badFile(path, "is \(kind.rawValue); \(flags.joined(separator: ", and "))")
        }
        switch kind {
        case .idx:
            func file(_ stem: String) throws -> String { try self.path(stem, in: path) }
            let train = try Dataset(images: file("train-images-idx3-ubyte"), labels: file("train-labels-idx1-ubyte"))
            let test = try Dataset(images: file("t10k-images-idx3-ubyte"), labels: file("t10k-labels-idx1-ubyte"))
            guard train.shape == test.shape else {
                throw DatasetError.badFile(path, "holds \(train.shape) training images but \(test.shape) test images")
            }
            return (train, test)
        case .cifar10:
            return try CIFAR10.load(path)
        case .numpy:
            return try NumPyData.load(path, layout: layout)
        case .imageFolder:
            let folder = ImageFolder(path, options: images ?? ImageFolder.Options())
            let (train, test, report) = try folder.load(cache: ImageFolderCache.defaultFolder(environment: environment),
                                                        progress: decoded)
            let shape = train.shape.map(String.init).joined(separator: "×")
            note("\(report.cached ? "read from the cache" : "decoded") \(train.count) training and \(test.count) test images of "
                 + "\(shape) from \(path)\(train.classNames.map { " (\($0.count) classes)" } ?? "")")
            if !report.skipped.isEmpty {
                note("skipped \(report.skipped.count) files that cannot be read (--skip-bad): "
                     + report.skipped.prefix(3).joined(separator: "; ") + (report.skipped.count > 3 ? "; …" : ""))
            }
            if !report.ignored.isEmpty {
                note("left out \(report.ignored.count) files that are not .png, .jpg or .jpeg, such as \(report.ignored[0])")
            }
            return (train, test)
        }
    }
}
