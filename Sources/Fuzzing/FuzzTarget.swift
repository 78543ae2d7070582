import AEKit
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

    /// Runs one input. Errors are the expected outcome for bad input; only a crash is a bug.
    public func run(_ data: Data) {
        switch self {
        case .idx:
            _ = try? IDXFile(decoding: data)
        case .safetensors:
            guard let contents = try? Checkpoint.Contents(data, path: "fuzz input") else { return }
            // Where the file is sound enough to build its model, load it, as `evaluate` does.
            if let model = try? Sequential.build(contents.spec, backend: FuzzTarget.backend, seed: 0) {
                try? Checkpoint.loadParameters(contents.entries, path: "fuzz input", into: model)
            }
        }
    }

    private static let backend = CPUBackend(threads: ThreadBudget(count: 1, source: .option))

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
            return try [ModelSpec(architecture: .dense, hidden: 2, dropout: 0.1),
                        ModelSpec(architecture: .convLinear, hidden: 1, dropout: 0.2)].map { spec in
                try Checkpoint.encode(Sequential.build(spec, backend: FuzzTarget.backend, seed: 3))
            }
        }
    }
}
