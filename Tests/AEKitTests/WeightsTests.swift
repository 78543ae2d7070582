@testable import AEKit
import Compute
import Foundation
import Testing

/// `--weights`: a plain PyTorch state dict for a model file's layers, as PyTorch users bring
/// one. The state dict is the torch fixture's initial weights (made by PyTorch, and matched to
/// PyTorch's outputs by `TorchFixtureTests`), written without AEKit's metadata.
@Suite struct WeightsTests {
    /// The fixture's initial weights as a plain state dict in `work`, and its model file.
    func stateDict(_ name: String, in work: String) throws -> [SafeTensors.Entry] {
        let folder = Paths.join(fixtures, "torch")
        let entries = try torchFixtureStateDict(name)
        try SafeTensors.encode(entries).write(to: URL(fileURLWithPath: "\(work)/\(name).safetensors"))
        try FileManager.default.copyItem(atPath: Paths.join(folder, "\(name).json"), toPath: "\(work)/\(name).json")
        return entries
    }

    func jsonLoss(_ output: String) throws -> Double? {
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8.drop { $0 != UInt8(ascii: "{") }))
        return (object as? [String: Any])?["loss"] as? Double
    }

    @Test func aPyTorchStateDictIsEvaluatedFineTunedAndCheckedByName() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 60, test: 30)
        let test = try DataSource(name: "custom", directory: data).load().test
        let common = ["--data", data, "--dataset", "custom", "--device", "cpu"]

        // The command's evaluation is the library's, of the model with the fixture's weights.
        for name in ["conv-batchnorm-bce", "dense-logits"] {
            let entries = try stateDict(name, in: work)
            let model = try Sequential(ModelSpec(file: "\(work)/\(name).json"), backend: cpu, seed: 0)
            try Checkpoint.loadParameters(entries, path: name, into: model)
            let expected = try model.evaluate(test).loss
            let evaluated = try aekit(["evaluate", "--model-file", "\(name).json", "--weights", "\(name).safetensors", "--json"] + common,
                                      in: work)
            #expect(evaluated.status == 0, "\(evaluated.output)")
            let loss = try jsonLoss(evaluated.output)
            #expect(loss == expected, "\(name): aekit evaluate --weights gives \(String(describing: loss)), the library \(expected)")
        }

        // Training starts from the weights: with a learning rate too small to move them, the
        // run's test loss is the evaluation's; from the seed's weights it is not.
        let tune = ["train", "--model-file", "dense-logits.json", "--epochs", "1", "--batch", "20", "--lr", "1e-30"] + common
        let start = try jsonLoss(aekit(["evaluate", "--model-file", "dense-logits.json", "--weights", "dense-logits.safetensors",
                                        "--json"] + common, in: work).output)
        for (out, weights) in [("tuned", ["--weights", "dense-logits.safetensors"]), ("seeded", [])] {
            let run = try aekit(tune + weights + ["--out", out], in: work)
            #expect(run.status == 0, "\(run.output)")
        }
        let tuned = try finalTestLoss("\(work)/tuned"), seeded = try finalTestLoss("\(work)/seeded")
        #expect(tuned == start && seeded != start, "test loss from the weights \(String(describing: start)); trained from them \(tuned), from the seed \(seeded)")
        #expect(try String(contentsOfFile: "\(work)/tuned/config.json", encoding: .utf8).contains("dense-logits.safetensors"),
                "config.json records the weights the run started from")

        // Every mismatch at once: names of a module with submodules, a missing tensor, a shape.
        var wrong = try stateDict("conv-batchnorm-bce", in: try temporaryFolder()).filter { $0.name != "1.running_var" }.map {
            SafeTensors.Entry(name: $0.name == "0.weight" ? "encoder.0.weight" : $0.name, shape: $0.shape, values: $0.values, dtype: $0.dtype)
        }
        let last = wrong.removeLast()
        wrong.append(SafeTensors.Entry(name: last.name, shape: [last.values.count, 1], values: last.values, dtype: last.dtype))
        try SafeTensors.encode(wrong).write(to: URL(fileURLWithPath: "\(work)/wrong.safetensors"))
        let refused = try aekit(["evaluate", "--model-file", "conv-batchnorm-bce.json", "--weights", "wrong.safetensors"] + common, in: work)
        #expect(refused.status == 65, "\(refused.output)")
        for part in ["4 mismatches", "no tensor 0.weight", "no tensor 1.running_var", "encoder.0.weight", "the model needs", "nn.Sequential"] {
            #expect(refused.output.contains(part), "missing '\(part)' in: \(refused.output)")
        }
        let alone = try aekit(["evaluate", "--weights", "wrong.safetensors"] + common, in: work)
        #expect(alone.status == 64 && alone.output.contains("--weights needs --model-file"), "\(alone.output)")
    }

    func finalTestLoss(_ run: String) throws -> Double? {
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/final.json")))
        return ((record as? [String: Any])?["test"] as? [String: Any])?["loss"] as? Double
    }

    /// A state dict in half, bfloat16 or double precision (a model saved after .half()) is read
    /// as float32.
    @Test func otherFloatTypesAreRead() throws {
        let values: [Float] = [1.5, -2.25, 0.0078125, 3e-3]
        func file(_ dtype: String, _ width: Int, _ encode: (Float) -> [UInt8]) throws -> [Float] {
            let header = #"{"t":{"dtype":"\#(dtype)","shape":[4],"data_offsets":[0,\#(4 * width)]}}"#
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
            bytes += values.flatMap(encode)
            return try SafeTensors.decode(Data(bytes)).entries[0].values
        }
        func little<T: FixedWidthInteger>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x.littleEndian, Array.init) }
        #expect(try file("F64", 8) { little(Double($0).bitPattern) } == values)
        #expect(try file("F16", 2) { little(Float16($0).bitPattern) } == values.map { Float(Float16($0)) })
        #expect(try file("BF16", 2) { little(UInt16($0.bitPattern >> 16)) } == values.map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) })
        #expect { _ = try file("I8", 1) { [UInt8(truncatingIfNeeded: Int($0))] } } throws: { "\($0)".contains("tensor.float()") }
    }

    /// The format does not align tensors, and AEKit's own checkpoints before this one put a
    /// BatchNorm's I64 count wherever the floats before it ended: such a file is read. Written
    /// now, 8-byte tensors come first, so every tensor starts at a multiple of its size.
    @Test func tensorsNeedNotBeAlignedAndAreWrittenAligned() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"n":{"dtype":"I64","shape":[],"data_offsets":[4,12]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
        bytes += withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian, Array.init) + withUnsafeBytes(of: Int64(7).littleEndian, Array.init)
        let entries = try SafeTensors.decode(Data(bytes)).entries
        #expect(entries.map(\.values) == [[2.5], [7]])

        let model = try Sequential([.conv2d(1, 3, kernel: 3, padding: 1), .batchNorm(3, dimensions: 2),
                                    .conv2d(3, 1, kernel: 3, padding: 1), .batchNorm(1, dimensions: 2)],
                                   input: [1, 28, 28], backend: cpu)
        let file = [UInt8](try Checkpoint.encode(model))
        let headerSize = Int(littleEndianUInt64(file[0..<8]))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(file[8..<(8 + headerSize)])) as? [String: Any])
        for case let (name, info as [String: Any]) in json where name != "__metadata__" {
            let start = try #require((info["data_offsets"] as? [Int])?.first), size = info["dtype"] as? String == "I64" ? 8 : 4
            #expect(start % size == 0, "\(name) starts at \(start)")
        }
    }
}
