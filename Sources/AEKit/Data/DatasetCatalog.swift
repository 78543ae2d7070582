import Compute
import Foundation

/// The datasets AEKit can fetch: their files (four IDX files, or one archive), each file's
/// checksums, and the mirrors that serve them (tried in order, as torchvision does).
public struct KnownDataset: Sendable {
    public let name: String
    public var files: [KnownFile]
    public let mirrors: [URL]
    /// For a dataset fetched as one `.tar.gz`: the folder it unpacks to, beside the archive.
    public var unpacksTo: String?

    public static let all = [mnist, fashionMNIST, cifar10]

    public static func named(_ name: String) throws -> KnownDataset {
        guard let found = all.first(where: { $0.name == name }) else {
            throw DatasetError.notFound("unknown dataset '\(name)'",
                                        hint: "AEKit fetches: \(all.map(\.name).joined(separator: ", ")).")
        }
        return found
    }

    /// LeCun, Cortes and Burges' files; MD5s as torchvision lists them (gz) and of the content.
    public static let mnist = KnownDataset(name: "mnist", files: [
        KnownFile(name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                  contentMD5: "6bbc9ace898e44ae57da46a324031adb"),
        KnownFile(name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432",
                  contentMD5: "a25bea736e30d166cdddb491f175f624"),
        KnownFile(name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3",
                  contentMD5: "2646ac647ad5339dbf082846283269ea"),
        KnownFile(name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c",
                  contentMD5: "27ae3e4e09519cfbb04c329615203637"),
    ], mirrors: [URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
                 URL(string: "http://yann.lecun.com/exdb/mnist/")!])

    /// Zalando's files; gz MD5s as torchvision lists them, content MD5s of Debian's package.
    public static let fashionMNIST = KnownDataset(name: "fashion-mnist", files: [
        KnownFile(name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                  contentMD5: "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
        KnownFile(name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe",
                  contentMD5: "9018921c3c673c538a1fc5bad174d6f9"),
        KnownFile(name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79",
                  contentMD5: "8181f5470baa50b63fa0f6fddb340f0a"),
        KnownFile(name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310",
                  contentMD5: "15d484375f8d13e6eb1aabb0c3f46965"),
    ], mirrors: [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!])

    /// Krizhevsky's CIFAR-10, binary version: one archive, MD5 as its page (cs.toronto.edu/~kriz/cifar.html) lists it.
    public static let cifar10 = KnownDataset(name: "cifar10", files: [
        KnownFile(name: CIFAR10.archiveName, md5: "c32a1d4ab5d03f1284b67883e8d87530", contentMD5: nil),
    ], mirrors: [URL(string: "https://www.cs.toronto.edu/~kriz/")!], unpacksTo: CIFAR10.archiveFolder)

    init(name: String, files: [KnownFile], mirrors: [URL], unpacksTo: String? = nil) {
        self.name = name; self.files = files; self.mirrors = mirrors; self.unpacksTo = unpacksTo
    }

    /// The folder `aekit data get` fills: `$AEKIT_DATA/<name>`, else
    /// `$XDG_DATA_HOME/aekit/datasets/<name>`, else `~/.local/share/aekit/datasets/<name>`.
    public func storeFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Paths.join(DataStore.root(environment: environment), name)
    }

    /// Whether `folder` holds the dataset: its four files, or its archive's folder, unpacked.
    public func isPresent(in folder: String) -> Bool {
        if let unpacksTo { return FileManager.default.fileExists(atPath: Paths.join(folder, unpacksTo)) }
        return files.allSatisfy { FileManager.default.fileExists(atPath: Paths.join(folder, $0.name)) }
    }

    /// Debian's package's folder, for the datasets Debian packages.
    public var packagedFolder: String? { name == "fashion-mnist" ? DataSource.fashionMNISTDirectory : nil }
}

/// One compressed file and what it must hash to.
public struct KnownFile: Sendable {
    public let name: String
    /// The MD5 of the `.gz` file as its publisher distributes it.
    public var md5: String
    /// The MD5 of its decompressed content: a copy compressed again (a Debian package's, the
    /// MNIST beside these sources) has another `.gz` MD5 but the same content. Nil where only
    /// the file's own MD5 is known (an archive).
    public let contentMD5: String?
}

/// Where fetched datasets live.
public enum DataStore {
    public static func root(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let own = environment["AEKIT_DATA"], !own.isEmpty { return own }
        // The XDG spec: a relative XDG_DATA_HOME is invalid, and is ignored.
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return Paths.join(xdg, "aekit/datasets") }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return Paths.join(home, ".local/share/aekit/datasets")
    }
}
