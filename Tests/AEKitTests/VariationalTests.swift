@testable import AEKit
@testable import Reports
import Compute
import Foundation
import Testing

/// A variational autoencoder: its Swift API, `--beta`, and `aekit sample`.
@Suite struct VariationalTests {
    /// encode gives μ, decode runs the layers after the bottleneck, and decoding the codes of
    /// images is what the model computes in evaluation; sample decodes prior draws, the same on
    /// both backends.
    @Test func encodeDecodeAndSample() throws {
        var outputs: [[Float]] = []
        for backend in [cpu, try openCL()] as [any Backend] {
            let model = try Sequential(Recipe.exampleVAE, backend: backend, seed: 3)
            let data = try fashionSubset(train: 8, test: 5).test
            let x = try backend.tensor([5, 1, 28, 28], values: Array(data.pixels[0..<(5 * 784)]))
            let stats = try backend.download(model.encodeStatistics(x).buffer)
            let mean = try model.encode(x)
            #expect(mean.shape == [5, 20])
            #expect(try backend.download(mean.buffer) == (0..<5).flatMap { stats[($0 * 40)..<($0 * 40 + 20)] })
            let decoded = try backend.download(model.decode(mean).buffer)
            let evaluated = try backend.download(model.forward(x, ForwardContext(backend: backend, training: false)).buffer)
            #expect(zip(decoded, evaluated).allSatisfy { abs($0 - $1) <= 1e-6 })
            let drawn = try model.sample(count: 4, seed: 9)
            #expect(drawn.shape == [4, 1, 28, 28])
            outputs.append(try backend.download(drawn.buffer))
        }
        #expect(zip(outputs[0], outputs[1]).allSatisfy { Tolerance.parity.accepts($1, reference: $0) })
        let plain = try Sequential(ModelPreset(architecture: .dense, hidden: 64).spec, backend: cpu, seed: 1)
        #expect { try plain.sample(count: 1) } throws: { "\($0)".contains("has no Reparameterize layer") }
    }

    /// A 2-dimensional code's manifold: a 20 × 20 grid of decodes at the normal's quantiles.
    @Test func manifoldOfATwoDimensionalCode() throws {
        #expect(abs(Figures.standardNormalQuantile(0.975) - 1.959963985) < 1e-8)
        #expect(abs(Figures.standardNormalQuantile(0.5)) < 1e-12 && abs(Figures.standardNormalQuantile(0.025) + 1.959963985) < 1e-8)
        var spec = Recipe.exampleVAE
        spec.layers[3] = .linear(400, 4); spec.layers[4] = .reparameterize(2); spec.layers[5] = .linear(2, 400)
        let image = try Figures.manifold(Sequential(spec, backend: cpu, seed: 1))
        #expect(image.width == 20 * 30 + 2 && image.height == 20 * 30 + 2)
        #expect { try Figures.manifold(Sequential(Recipe.exampleVAE, backend: cpu, seed: 1)) } throws: {
            "\($0)".contains("needs a 2-dimensional code")
        }
    }

    /// The figures draw a VAE whose input is flat (`[784]`) as 28 × 28 pictures too.
    @Test func figuresOfAFlatInput() throws {
        let flat = try Sequential([.linear(784, 40), .reparameterize(20), .linear(20, 784), .sigmoid], input: [784],
                                  loss: .bceSum, backend: cpu)
        let grid = try Figures.samples(flat, rows: 2, columns: 3)
        #expect(grid.width == 3 * (28 * 2 + 2) + 2 && grid.height == 2 * (28 * 2 + 2) + 2)
        let data = try fashionSubset(train: 4, test: 2).test
        let line = try Figures.interpolation(flat, from: data.pixels[0..<784], to: data.pixels[784..<1568], steps: 4)
        #expect(line.width == 6 * (28 * 2 + 2) + 2)
    }

    @Test func betaWeighsTheKLTerm() throws {
        let spec = Recipe.exampleVAE.withBeta(4)
        #expect(spec.layers[4].description == "Reparameterize(features=20, beta=4.0)")
        let data = try fashionSubset(train: 64, test: 64).test
        let plain = try Sequential(Recipe.exampleVAE, backend: cpu, seed: 2).evaluate(data)
        let weighted = try Sequential(spec, backend: cpu, seed: 2).evaluate(data)
        let (kl, kl4) = (try #require(plain.lossTerms), try #require(weighted.lossTerms))
        #expect(abs(kl4 - 4 * kl) <= 1e-4 * kl4)
        #expect(abs((weighted.loss - kl4) - (plain.loss - kl)) <= 1e-4 * plain.loss)
    }

    /// `aekit sample` draws a PNG grid from a trained VAE, the same file on the CPU and on
    /// OpenCL, and `aekit interpolate` a strip between two test images; a model without a
    /// bottleneck is refused as content (65), writing nothing.
    @Test func sampleCommandDrawsAGrid() throws {
        let data = try temporaryFolder(), work = try temporaryFolder()
        try writeSyntheticIDX(to: data, train: 64, test: 32)
        let trained = try aekit(["train", "--recipe", "vae", "--data", data, "--epochs", "1", "--device", "cpu", "--out", "vae"], in: work)
        #expect(trained.status == 0 && trained.output.contains("decoding a sampled z"), "\(trained.output)")
        #expect(FileManager.default.fileExists(atPath: "\(work)/vae/samples.png"))
        let metrics = try String(contentsOfFile: "\(work)/vae/metrics.csv", encoding: .utf8)
        #expect(metrics.hasPrefix("epoch,train_loss,val_loss,train_reconstruction,val_reconstruction,train_kl,val_kl,"))
        let row = metrics.split(separator: "\n")[1].split(separator: ",").compactMap { Double($0) }
        #expect(abs(row[1] - (row[3] + row[5])) <= 1e-6 * row[1] && abs(row[2] - (row[4] + row[6])) <= 1e-6 * row[2])
        for device in ["cpu", "opencl"] {
            let drawn = try aekit(["sample", "--checkpoint", "vae/model.safetensors", "--count", "10", "--seed", "4",
                                   "--out", "\(device).png", "--device", device], in: work)
            #expect(drawn.status == 0 && drawn.output.contains("wrote 10 samples"), "\(drawn.output)")
        }
        #expect(FileManager.default.contents(atPath: "\(work)/cpu.png") == FileManager.default.contents(atPath: "\(work)/opencl.png"))
        let line = try aekit(["interpolate", "--checkpoint", "vae/model.safetensors", "--from", "0", "--to", "3", "--steps", "5",
                              "--data", data, "--out", "line.png", "--device", "cpu"], in: work)
        #expect(line.status == 0 && FileManager.default.fileExists(atPath: "\(work)/line.png"), "\(line.output)")
        let past = try aekit(["interpolate", "--checkpoint", "vae/model.safetensors", "--from", "0", "--to", "32",
                              "--data", data, "--out", "past.png", "--device", "cpu"], in: work)
        #expect(past.status != 0 && past.output.contains("has 32 images; 32 is past its end"), "\(past.output)")
        _ = try aekit(["train", "--recipe", "s3", "--data", data, "--epochs", "1", "--device", "cpu", "--out", "plain"], in: work)
        let refused = try aekit(["sample", "--checkpoint", "plain/model.safetensors", "--out", "no.png", "--device", "cpu"], in: work)
        #expect(refused.status == 65 && refused.output.contains("has no Reparameterize layer"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/no.png"))
    }
}
