import Compute
import Foundation

/// CIFAR-10's binary version (Krizhevsky, 2009): `data_batch_1.bin` … `data_batch_5.bin` (50 000
/// training images) and `test_batch.bin` (10 000), each record a label byte and a 32×32 colour
/// image as three planes of 1 024 bytes (red, green, blue: NCHW already).
enum CIFAR10 {
    static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    static let testFile = "test_batch.bin"
    static let side = 32
    static let recordSize = 1 + 3 * side * side
    /// The publisher's archive of the binary version.
    static let archiveName = "cifar-10-binary.tar.gz"
    /// The folder the publisher's archive unpacks to.
    static let archiveFolder = "cifar-10-batches-bin"

    /// The folder of the batches: `path` itself, or its `cifar-10-batches-bin/`; nil when neither
    /// holds `data_batch_1.bin`.
    static func folder(in path: String) -> String? {
        [path, Paths.join(path, archiveFolder)].first { FileManager.default.fileExists(atPath: Paths.join($0, trainFiles[0])) }
    }

    static func load(_ folder: String) throws -> (train: Dataset, test: Dataset) {
        (try read(trainFiles.map { Paths.join(folder, $0) }), try read([Paths.join(folder, testFile)]))
    }

    /// The records of `paths`, one file after another; each file must be whole records.
    static func read(_ paths: [String]) throws -> Dataset {
        var pixels = [UInt8](), labels = [UInt8]()
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                throw DatasetError.notFound("CIFAR-10: \(path) is missing",
                                            hint: "The folder must hold data_batch_1.bin … data_batch_5.bin and test_batch.bin.")
            }
            let data = try readRegularFile(path, limit: KnownFile.fileLimit)
            guard data.count > 0, data.count % recordSize == 0 else {
                throw DatasetError.badFile(path, "holds \(data.count) bytes, not a whole number of CIFAR-10 records of "
                                           + "\(recordSize) bytes (a label and a 3×32×32 image); it is truncated or not a batch")
            }
            let count = data.count / recordSize
            pixels.reserveCapacity(pixels.count + count * (recordSize - 1))
            for record in 0..<count {
                let start = data.startIndex + record * recordSize
                let label = data[start]
                guard Int(label) < classNames.count else {
                    throw DatasetError.badFile(path, "gives record \(record) the label \(label); CIFAR-10's are 0…9")
                }
                labels.append(label)
                pixels.append(contentsOf: data[(start + 1)..<(start + recordSize)])
            }
        }
        return Dataset(values: .bytes(pixels), labels: labels, channels: 3, height: side, width: side, classNames: classNames)
    }
}
