import AEKit
import Reports
import Compute
import Foundation

/// The readers of untrusted files, as fuzz targets: each takes any bytes and must either
/// accept them or throw, never trap, abort or read out of bounds. Shared by the seeded
/// mutation fuzzer (`aekit-fuzz`, and the 10 000-input test) and the libFuzzer build
/// (`scripts/fuzz`), so both exercise exactly the same code.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `IDXFile(decoding:)`: the header, its size arithmetic, the elements.
    case idx
    /// A checkpoint as `aekit evaluate` reads it: the safetensors container, the ModelSpec in
    /// its metadata, and, where those pass, the model built and its tensors loaded.
    case safetensors
    /// A run folder's and a grid folder's JSON records (`config.json`, `state.json`,
    /// `reproduction.json`) as `--resume` and `aekit reproduce` read them back, with the paths
    /// they name resolved; the seeds name the awkward paths users type.
    case runRecords = "run-records"
    /// A NumPy file as `--data` reads it: a `.npy`'s header and elements, or a `.npz`'s zip
    /// (libarchive) and its members, each then made a dataset as the layout allows.
    case numpy
    /// One file of an image folder as the reader takes it: the header check (sizes, bombs),
    /// decoding to grey and to RGB (libpng, libjpeg-turbo), and resampling (pixman).
    case image

    /// Runs one input. Errors are the expected outcome for bad input; only a crash is a bug.
    public func run(_ data: Data) {
        switch self {
        case .idx:
            _ = try? IDXFile(decoding: data)
        case .safetensors:
            guard let contents = try? Checkpoint.Contents(data, path: "fuzz input") else { return }
            // Where the file is sound enough to build its model, load it, as `evaluate` does.
            if let model = try? Sequential(contents.spec, backend: FuzzTarget.backend, seed: 0) {
                try? Checkpoint.loadParameters(contents.entries, path: "fuzz input", into: model)
            }
        case .runRecords:
            for name in RunFolder.recordNames { try? FuzzTarget.runFolder.readRecord(data, named: name) }
            try? Reproduction.readMarker(data, file: "reproduction.json")
        case .numpy:
            let arrays = data.starts(with: [0x93]) ? (try? NumPyArray(decoding: data, name: "fuzz.npy")).map { ["x": $0] }
                : try? NumPyArchive.arrays(in: data, name: "fuzz.npz")
            for (_, array) in arrays ?? [:] {
                for layout in [nil] + ArrayLayout.allCases.map(Optional.some) {
                    _ = try? Dataset(numPy: array, labels: arrays?["y"], layout: layout, name: "fuzz")
                }
            }
        case .image:
            // Small images only: a large valid one would spend the run decoding, not fuzzing.
            guard let header = try? ImageFile.header(data), header.width * header.height <= 1 << 16 else { return }
            for channels in [1, 3] {
                if let image = try? ImageFile.decode(data, channels: channels) {
                    _ = try? ImageFile.resize(image, height: 7, width: 5)
                }
            }
        }
    }

    private static let backend = CPUBackend(threads: ThreadBudget(count: 1, source: .option))
    /// Where the records' relative paths point: a folder that need not exist (paths are opened
    /// to be checked, never written).
    private static let runFolder = RunFolder(path: "fuzz-run")

    /// Valid inputs the mutations start from: real files of each kind, small so that most
    /// mutations land in headers, where the arithmetic is.
    public func seeds() throws -> [Data] {
        switch self {
        case .idx:
            var random = SeededRandom(seed: 1)
            let labels = IDXFile(dimensions: [12], bytes: (0..<12).map { _ in UInt8(random.next() % 10) })
            let images = IDXFile(dimensions: [3, 4, 5], bytes: (0..<60).map { _ in UInt8(random.next() & 0xff) })
            return [labels.encoded(), images.encoded()]
        case .safetensors:
            return try [ModelPreset(architecture: .dense, hidden: 2, dropout: 0.1).spec,
                        ModelPreset(architecture: .convLinear, hidden: 1, dropout: 0.2).spec].map { spec in
                try Checkpoint.encode(Sequential(spec, backend: FuzzTarget.backend, seed: 3))
            }
        case .runRecords:
            return try FuzzTarget.runRecordSeeds()
        case .numpy:
            var random = SeededRandom(seed: 3)
            let bytes = (0..<(2 * 4 * 3 * 3)).map { _ in UInt8(random.next() & 0xff) }
            let grey = NumPyArray.encoded(Array(bytes[0..<32]), shape: [2, 4, 4])
            let colour = NumPyArray.encoded(bytes.map { Float($0) / 255 }, shape: [2, 4, 3, 3])
            let labels = NumPyArray.encoded(labels: [1, 0], shape: [2])
            return [grey, colour, try DataFixtures.npz([("x_train", grey), ("y_train", labels), ("x_test", grey), ("y_test", labels)]),
                    try DataFixtures.npz([("x", colour)])]
        case .image:
            var random = SeededRandom(seed: 4)
            let grey = DecodedImage(width: 6, height: 5, channels: 1, bytes: (0..<30).map { _ in UInt8(random.next() & 0xff) })
            let colour = DecodedImage(width: 4, height: 3, channels: 3, bytes: (0..<36).map { _ in UInt8(random.next() & 0xff) })
            return [try DataFixtures.png(grey), try DataFixtures.png(colour), try DataFixtures.jpeg(grey), try DataFixtures.jpeg(colour)]
        }
    }
}

extension FuzzTarget {
    /// The records of a real one-epoch run (a tiny dense model on random images), its
    /// `config.json` again with each awkward path as its data folder and its encoder, its
    /// `state.json` with each as a checkpoint file, and a grid's `reproduction.json`.
    static func runRecordSeeds() throws -> [Data] {
        let folder = RunFolder(path: Paths.join(FileManager.default.temporaryDirectory.path, "aekit-fuzz-seed-\(getpid())"))
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        var random = SeededRandom(seed: 2)
        let images = { (count: Int) in
            Dataset(pixels: (0..<(count * 784)).map { _ in Float(random.next() % 256) / 255 },
                    labels: (0..<count).map { _ in UInt8(random.next() % 10) }, height: 28, width: 28)
        }
        var config = try Recipe.config("s3")
        config.model = ModelPreset(architecture: .dense, hidden: 2).spec
        config.epochs = 1
        config.validation = .testSet
        _ = try TrainingRun(config: config, backend: backend, folder: folder, data: (images(20), images(10))).run()
        // The clock's fields and the digests set to fixed values, so the same fuzzer seed gives
        // the same inputs.
        let record = try edited(readRegularFile(folder.config, limit: 1 << 20)) { json in
            json["started"] = "2026-01-01T00:00:00Z"
            json["deviceDescription"] = "cpu"
        }
        let state = try edited(readRegularFile(folder.state, limit: 1 << 20)) { json in
            json["history"] = (json["history"] as? [[String: Any]] ?? []).map { $0.merging(["seconds": 1]) { $1 } }
            json["files"] = (json["files"] as? [String: String] ?? [:]).mapValues { _ in String(repeating: "0", count: 64) }
        }
        var seeds = [record, state, Data(#"{"report": "s3", "scale": "quick"}"#.utf8)]
        for path in AwkwardPath.allCases.map(\.text) {
            seeds.append(try edited(record) { json in
                var config = json["config"] as? [String: Any] ?? [:]
                config["data"] = ["name": "custom", "directory": path]
                config["encoderCheckpoint"] = path
                json["config"] = config
            })
            seeds.append(try edited(state) { json in
                // The optimizer's checkpoint file named by the awkward path instead.
                var files = json["files"] as? [String: String] ?? [:]
                if let model = files.keys.sorted().last { files[path] = files.removeValue(forKey: model) }
                json["files"] = files
            })
        }
        return seeds
    }

    /// A JSON object's bytes after `change`.
    private static func edited(_ data: Data, _ change: (inout [String: Any]) -> Void) throws -> Data {
        var json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        change(&json)
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }
}
