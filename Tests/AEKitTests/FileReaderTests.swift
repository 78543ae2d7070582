@testable import AEKit
import Compute
import Foundation
import Fuzzing
import Testing

/// Every reader of a file a user hands AEKit, against the damaged files that once crashed it
/// or were silently accepted (issue 7): each must throw a message naming the file, and
/// allocate nothing a header merely claims.
@Suite struct FileReaderTests {
    /// An IDX header with `dimensions` (big-endian words) and then `body`.
    func idx(rank: Int, dimensions: [UInt32], body: [UInt8] = []) -> Data {
        var bytes: [UInt8] = [0, 0, 8, UInt8(rank)]
        for d in dimensions { bytes += [UInt8(d >> 24), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        return Data(bytes + body)
    }

    @Test func idxDimensionsPastInt64AreRefused() throws {
        let data = idx(rank: 4, dimensions: [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff])
        #expect(throws: IDXFile.Fault.tooLarge("x", dimensions: [4294967295, 4294967295, 4294967295, 4294967295])) {
            try IDXFile(decoding: data, path: "x")
        }
        // Within Int but more than the file holds: refused before the elements are allocated.
        let claimed = idx(rank: 3, dimensions: [60000, 28, 28], body: [1, 2, 3])
        #expect(throws: IDXFile.Fault.cannotHold("y", expected: 16 + 60000 * 784)) { try IDXFile(decoding: claimed, path: "y") }
        // The same from a file, plain and gzip-compressed: a header of a few bytes that claims 2 GB.
        let plain = "\(try temporaryFolder())/big"
        try idx(rank: 1, dimensions: [0x7fff_ffff]).write(to: URL(fileURLWithPath: plain))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        for path in [plain, plain + ".gz"] {
            #expect(throws: IDXFile.Fault.cannotHold(path, expected: 8 + 0x7fff_ffff)) { try IDXFile(contentsOf: path) }
        }
    }

    @Test func labelsOutsideTheTenClassesAreRefused() throws {
        let folder = try temporaryFolder()
        try writeSyntheticIDX(to: folder, train: 10, test: 5, gzip: false)
        let labels = "\(folder)/t10k-labels-idx1-ubyte"
        try IDXFile(dimensions: [5], bytes: [0, 1, 10, 3, 4]).write(to: labels)
        #expect { try Dataset(images: "\(folder)/t10k-images-idx3-ubyte", labels: labels) } throws: { error in
            "\(error)".contains(labels) && "\(error)".contains("image 2 the label 10")
        }
        // A set built in code is checked where the classifier trains on it.
        let bad = Dataset(pixels: [Float](repeating: 0, count: 2 * 784), labels: [3, 12], height: 28, width: 28)
        #expect { try CPUBackend().withModel(.classifier) { try $0.evaluate(bad) } } throws: { "\($0)".contains("label 12") }
    }

    @Test func emptySetsAreErrorsNotZeroLosses() throws {
        let folder = try temporaryFolder()
        try writeSyntheticIDX(to: folder, train: 10, test: 5, gzip: false)
        try IDXFile(dimensions: [0, 28, 28], bytes: []).write(to: "\(folder)/t10k-images-idx3-ubyte")
        try IDXFile(dimensions: [0], bytes: []).write(to: "\(folder)/t10k-labels-idx1-ubyte")
        #expect { try DataSource(name: "custom", directory: folder).load() } throws: { "\($0)".contains("holds no images") }
        let empty = Dataset(pixels: [], labels: [], height: 28, width: 28)
        #expect { try CPUBackend().withModel(.dense) { try $0.evaluate(empty) } } throws: { "\($0)".contains("empty") }
    }

    @Test func onlyRegularFilesAreRead() throws {
        // /dev/zero would read until memory ran out; a FIFO would wait for a writer forever.
        #expect { try IDXFile(contentsOf: "/dev/zero") } throws: { "\($0)".contains("/dev/zero is a character device") }
        let fifo = "\(try temporaryFolder())/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect { try IDXFile(contentsOf: fifo) } throws: { "\($0)".contains("FIFO") }
        #expect { try SafeTensors.read(fifo) } throws: { "\($0)".contains("FIFO") }
        #expect { try SafeTensors.read("/dev/zero") } throws: { "\($0)".contains("character device") }
    }

    /// A safetensors file from a JSON header and `payload` bytes of data.
    func safetensors(_ header: String, payload: Int) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        return data + Data(header.utf8) + Data(count: payload)
    }

    @Test(arguments: [
        (#"{"w": {"dtype": "F32", "shape": [-2, -2], "data_offsets": [0, 16]}}"#, 16, "negative size"),
        (#"{"w": {"dtype": "F32", "shape": [1099511627776, 1099511627776], "data_offsets": [0, 16]}}"#, 16, "larger than the file"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [9223372036854775804, 5]}}"#, 16, "outside"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#, 16, "outside"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}"#, 16, "outside"),
        (#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
         12, "overlap"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [2, 10]}}"#, 12, "belong to no tensor"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, 12, "belong to no tensor"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, 12, "belong to no tensor"),
        (#"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, 8, "does not hold"),
        (#"{"w": {"dtype": "F32", "shape": [1e30], "data_offsets": [0, 8]}}"#, 8, "malformed"),
        (#"{"__metadata__": {"a": 5}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, 8, "map of strings"),
        (#"[1, 2]"#, 8, "not a JSON object"),
    ])
    func damagedSafetensorsAreRefused(_ header: String, _ payload: Int, _ message: String) throws {
        #expect { try SafeTensors.decode(safetensors(header, payload: payload), path: "bad.safetensors") } throws: { error in
            "\(error)".contains("bad.safetensors") && "\(error)".contains(message)
        }
        // A header length past the end of the file.
        var data = safetensors(header, payload: payload)
        data[0] = 0xff; data[5] = 0x01
        #expect(throws: ModelError.self) { try SafeTensors.decode(data) }
    }

    /// A real checkpoint (dense-2) whose recorded model is `spec`, edited as JSON: the model is
    /// never built. `old` starts from the form written before models were layer lists.
    func checkpoint(old: Bool, setting key: String, to value: String) throws -> Data {
        let model = try Sequential(ModelPreset(architecture: .dense, hidden: 2).spec, backend: CPUBackend(), seed: 1)
        let (entries, metadata) = try SafeTensors.decode(Checkpoint.encode(model))
        let recorded = old ? #"{"architecture":"dense","hidden":2,"dropout":0,"output":"sigmoid","initialization":"pytorch","imageHeight":28,"imageWidth":28}"#
                           : metadata[Checkpoint.specKey]!
        var spec = try JSONSerialization.jsonObject(with: Data(recorded.utf8)) as! [String: Any]
        spec[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        var edited = metadata
        edited[Checkpoint.specKey] = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        return try SafeTensors.encode(entries, metadata: edited)
    }

    @Test(arguments: [
        (true, "hidden", "1099511627776", "layer 0 Linear(in_features=784, out_features=1099511627776): its out_features must be in"),
        (true, "hidden", "3", "has 5491 parameters"),
        (true, "imageHeight", "-28", "the input shape must be"),
        (true, "dropout", "5.0", "layer 2 Dropout(p=5.0, inplace=False): its p must be in [0, 1)"),
        (true, "architecture", #""mlp""#, "bad value"),
        (false, "layers", #"["Linear(784, 1099511627776)", "Linear(1099511627776, 784)"]"#, "out_features must be in"),
        (false, "layers", #"["Linear(784, 3)", "ReLU()", "Linear(3, 784)"]"#, "has 5491 parameters"),
        (false, "input", "[-28]", "input shape"),
        (false, "layers", #"["Linear(784, 2)", "Dropout(p=5.0)", "Linear(2, 784)"]"#, "p must be in [0, 1)"),
        (false, "layers", #"["Mlp(784)"]"#, "no layer 'Mlp'"),
        (false, "layers", #"["Linear(784, 2)", "Linear(3, 784)"]"#, "layer 1 Linear(in_features=3, out_features=784) expects 3 features; it gets 2"),
    ])
    func damagedModelSpecsAreRefusedBeforeBuilding(_ old: Bool, _ key: String, _ value: String, _ message: String) throws {
        let data = try checkpoint(old: old, setting: key, to: value)
        #expect { try Checkpoint.Contents(data, path: "m.safetensors") } throws: { error in
            "\(error)".contains("m.safetensors") && "\(error)".contains(message)
        }
    }

    @Test func aCheckpointMustHoldExactlyTheModelsTensors() throws {
        let spec = ModelPreset(architecture: .dense, hidden: 2).spec
        let model = try Sequential(spec, backend: CPUBackend(), seed: 1)
        var (entries, _) = try SafeTensors.decode(Checkpoint.encode(model))
        entries.append(SafeTensors.Entry(name: "9.weight", shape: [1], values: [0]))
        #expect { try Checkpoint.loadParameters(entries, path: "x", into: model) } throws: { "\($0)".contains("9.weight") }
        #expect { try Checkpoint.loadParameters(Array(entries.dropFirst().dropLast()), path: "x", into: model) } throws: {
            "\($0)".contains("no tensor 0.weight")
        }
    }

    /// The seeded mutation fuzzer, 10 000 inputs per reader (scripts/fuzz runs libFuzzer for
    /// 10⁶): a crash ends the test process, so passing means no input crashed.
    @Test(arguments: FuzzTarget.allCases)
    func tenThousandMutatedFilesCrashNoReader(_ target: FuzzTarget) throws {
        _ = try Mutator.run(target, count: 10_000, seed: 7)
    }
}

extension CPUBackend {
    /// Runs `body` on a small model of `architecture` on this backend.
    func withModel<T>(_ architecture: ModelPreset.Architecture, _ body: (Sequential) throws -> T) throws -> T {
        try body(Sequential(ModelPreset(architecture: architecture, hidden: 4).spec, backend: self, seed: 1))
    }
}
