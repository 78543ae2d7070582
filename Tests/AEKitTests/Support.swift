@testable import AEKit
import Compute
import Foundation

let cpu = CPUBackend()

/// The first OpenCL device (PoCL where there is no GPU), shared across tests.
let sharedOpenCL: Result<OpenCLBackend, any Error> = Result {
    // `--device opencl`: the first OpenCL device, or an error naming the devices there are.
    try DeviceSelection.select("opencl").backend as! OpenCLBackend
}

func openCL() throws -> OpenCLBackend { try sharedOpenCL.get() }

/// A fresh empty folder under the temporary directory.
func temporaryFolder(_ name: String = "aekit-test") throws -> String {
    let path = FileManager.default.temporaryDirectory.appending(path: "\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Real Fashion-MNIST (scripts/setup installs it): the first `train` training and `test`
/// test images. Loaded once: the files take a second to inflate.
let fashionMNIST: Result<(train: Dataset, test: Dataset), any Error> = Result {
    try DataSource.resolve(dataset: "fashion-mnist", directory: nil).load()
}

func fashionSubset(train: Int, test: Int) throws -> (train: Dataset, test: Dataset) {
    let all = try fashionMNIST.get()
    return (all.train.prefix(train), all.test.prefix(test))
}

/// Writes the four standard IDX files of a small random dataset into `folder`.
func writeSyntheticIDX(to folder: String, train: Int = 40, test: Int = 20, gzip: Bool = true) throws {
    var random = SeededRandom(seed: 5)
    for (prefix, count) in [("train", train), ("t10k", test)] {
        let images = IDXFile(dimensions: [count, 28, 28], bytes: (0..<(count * 784)).map { _ in UInt8(random.next() % 256) })
        let labels = IDXFile(dimensions: [count], bytes: (0..<count).map { _ in UInt8(random.next() % 10) })
        let suffix = gzip ? ".gz" : ""
        try images.write(to: "\(folder)/\(prefix)-images-idx3-ubyte\(suffix)")
        try labels.write(to: "\(folder)/\(prefix)-labels-idx1-ubyte\(suffix)")
    }
}

/// A torch fixture's initial weights (`scripts/torch-fixtures`: made by PyTorch) as a plain
/// state dict: its `initial.` tensors under their state_dict names.
func torchFixtureStateDict(_ name: String) throws -> [SafeTensors.Entry] {
    try SafeTensors.read(Paths.join(Paths.join(fixtures, "torch"), "\(name).safetensors")).entries
        .filter { $0.name.hasPrefix("initial.") }
        .map { SafeTensors.Entry(name: String($0.name.dropFirst("initial.".count)), shape: $0.shape, values: $0.values, dtype: $0.dtype) }
}
