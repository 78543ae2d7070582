@testable import AEKit
@testable import Reports
import Compute
import Foundation
import Testing

@Suite struct ScoringTests {
    @Test func aurocIsTheShareOfPairsInOrder() throws {
        // Against the definition: every (anomaly, normal) pair counted, ties a half.
        var random = SeededRandom(seed: 11)
        let scores = (0..<300).map { _ in Double(random.next() % 40) }  // many ties
        let positive = (0..<300).map { _ in random.next() % 3 == 0 }
        var inOrder = 0.0, pairs = 0.0
        for a in scores.indices where positive[a] {
            for b in scores.indices where !positive[b] {
                pairs += 1
                inOrder += scores[a] > scores[b] ? 1 : scores[a] == scores[b] ? 0.5 : 0
            }
        }
        let roc = try ROC(scores: scores, positive: positive)
        #expect(abs(roc.auroc - inOrder / pairs) < 1e-12)
        #expect(roc.points.first! == (0, 0) && roc.points.last! == (1, 1))
        #expect(zip(roc.points, roc.points.dropFirst()).allSatisfy { $0.0 <= $1.0 && $0.1 <= $1.1 })
        #expect(try ROC(scores: [1, 2, 3, 4], positive: [false, false, true, true]).auroc == 1)
        #expect(try ROC(scores: [1, 2, 3, 4], positive: [true, true, false, false]).auroc == 0)
        #expect(throws: TrainingError.self) { try ROC(scores: [1, 2], positive: [true, true]) }
    }

    @Test(arguments: [ModelPreset.Architecture.dense, .convLinear, .convKeras])
    func encodeThenDecodeIsTheModel(_ architecture: ModelPreset.Architecture) throws {
        let data = try fashionSubset(train: 1, test: 7).test
        let model = try Sequential(ModelPreset(architecture: architecture, hidden: 16, dropout: 0.2).spec, backend: cpu, seed: 3)
        let x = try cpu.tensor([7] + model.spec.input, values: data.images(0..<7))
        let code = try model.encode(x)
        #expect(code.shape[0] == 7 && code.shape.count == 2)
        let decoded = try cpu.download(model.decode(code).buffer), predicted = try model.predict(data)
        #expect(decoded == predicted)
        // Codes in batches are the same codes.
        let (values, width) = try model.codes(data, batchSize: 3)
        let whole = try cpu.download(code.buffer)
        #expect(width == code.shape[1] && values == whole)
    }

    @Test func aVAEsCodesAreItsMeans() throws {
        let data = try fashionSubset(train: 1, test: 4).test
        let model = try Sequential(Recipe.exampleVAE, backend: cpu, seed: 2)
        let x = try cpu.tensor([4] + model.spec.input, values: data.images(0..<4))
        let statistics = try cpu.download(model.encodeStatistics(x).buffer), codes = try cpu.download(model.encode(x).buffer)
        let d = codes.count / 4
        #expect((0..<4).allSatisfy { Array(codes[($0 * d)..<(($0 + 1) * d)]) == Array(statistics[($0 * 2 * d)..<($0 * 2 * d + d)]) })
    }

    @Test func scoresAreEachImagesError() throws {
        let data = try fashionSubset(train: 1, test: 9).test
        let model = try Sequential(ModelPreset(architecture: .dense, hidden: 8).spec, backend: cpu, seed: 5)
        let outputs = try model.predict(data), pixels = data.pixels
        let expected = (0..<9).map { i in
            (0..<784).reduce(0.0) { sum, j in let d = Double(outputs[i * 784 + j] - pixels[i * 784 + j]); return sum + d * d } / 784
        }
        let scores = try model.reconstructionErrors(data, batchSize: 4)
        #expect(zip(scores, expected).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, $1) })
    }
}

@Suite struct ScoringCLITests {
    @Test func encodeAndScoreATrainedModel() throws {
        let folder = try temporaryFolder(), runs = try temporaryFolder("aekit-runs")
        try writeSyntheticIDX(to: folder, train: 60, test: 30)
        let run = Paths.join(runs, "dense")
        let trained = try aekit(["train", "--data", folder, "--model", "dense", "--hidden", "6", "--epochs", "1", "--batch", "20",
                                 "--device", "cpu", "--out", run])
        #expect(trained.status == 0, "\(trained.output)")
        let checkpoint = Paths.join(run, "model.safetensors"), out = Paths.join(runs, "out")
        let encoded = try aekit(["encode", "--checkpoint", checkpoint, "--data", folder, "--out", Paths.join(out, "codes.npy"),
                                 "--device", "cpu"])
        #expect(encoded.status == 0, "\(encoded.output)")
        let codes = try NumPyArray(contentsOf: Paths.join(out, "codes.npy"))
        #expect(codes.shape == [30, 6])
        #expect(try NumPyArray(contentsOf: Paths.join(out, "codes-labels.npy")).shape == [30])
        let csv = try aekit(["encode", "--checkpoint", checkpoint, "--data", folder, "--out", Paths.join(out, "codes.csv"),
                             "--device", "cpu"])
        #expect(csv.status == 0)
        let lines = try String(contentsOfFile: Paths.join(out, "codes.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 31 && lines[0].hasPrefix("index,label,code_0") && lines[1].split(separator: ",").count == 8)

        let scored = try aekit(["score", "--checkpoint", checkpoint, "--data", folder, "--out", Paths.join(out, "scores.csv"),
                                "--normal-class", "3", "--device", "cpu"])
        #expect(scored.status == 0 && scored.output.contains("AUROC"), "\(scored.output)")
        let rows = try String(contentsOfFile: Paths.join(out, "scores.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let scores = rows.map { Double($0.split(separator: ",")[3])! }
        #expect(scores.count == 30 && scores == scores.sorted(by: >))
        for figure in ["worst.png", "roc.png", "roc.svg"] {
            #expect(FileManager.default.fileExists(atPath: Paths.join(out, figure)), "\(figure)")
        }
        let badClass = try aekit(["score", "--checkpoint", checkpoint, "--data", folder, "--out", Paths.join(out, "s.csv"),
                                  "--normal-class", "shoes", "--device", "cpu"])
        #expect(badClass.status != 0 && badClass.output.contains("no class 'shoes'"))
        let badOut = try aekit(["encode", "--checkpoint", checkpoint, "--out", "codes.txt"])
        #expect(badOut.status != 0 && badOut.output.contains("--out must name a .npy or .csv file"))
    }
}
