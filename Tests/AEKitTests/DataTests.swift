@testable import AEKit
import Foundation
import Testing

@Suite struct DataTests {
    @Test(arguments: [true, false])
    func readsWhatItWrites(gzip: Bool) throws {
        let folder = try temporaryFolder()
        try writeSyntheticIDX(to: folder, gzip: gzip)
        let (train, test) = try DataSource(name: "custom", directory: folder).load()
        #expect(train.count == 40 && test.count == 20 && train.height == 28 && train.width == 28)
        #expect(train.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        let raw = try IDXFile(contentsOf: "\(folder)/train-images-idx3-ubyte" + (gzip ? ".gz" : ""))
        #expect(train.pixels[123] == Float(raw.bytes[123]) / 255)
    }

    @Test func idxOfColourImages() throws {
        // [N, C, H, W] images: any size and channel count, as bytes.
        let folder = try temporaryFolder()
        let bytes = (0..<(4 * 3 * 5 * 6)).map { UInt8($0 % 251) }
        for prefix in ["train", "t10k"] {
            try IDXFile(dimensions: [4, 3, 5, 6], bytes: bytes).write(to: "\(folder)/\(prefix)-images-idx3-ubyte")
            try IDXFile(dimensions: [4], bytes: [0, 1, 2, 3]).write(to: "\(folder)/\(prefix)-labels-idx1-ubyte")
        }
        let (train, _) = try DataSource(name: "custom", directory: folder).load()
        #expect(train.shape == [3, 5, 6] && train.values == .bytes(bytes))
    }

    @Test func fashionMNISTIsThere() throws {
        let (train, test) = try fashionMNIST.get()
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(Set(train.labels) == Set(0...9))
    }

    func expectFault(_ bytes: [UInt8], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = try temporaryFolder() + "/file-idx3-ubyte"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(sourceLocation: sourceLocation) {
            _ = try IDXFile(contentsOf: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains(expected)
        }
    }

    @Test func truncatedFile() throws {
        // Header for 2 images of 28x28, but only 100 pixel bytes.
        try expectFault([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 7, count: 100), "truncated")
        try expectFault([0, 0, 8], "truncated")
    }

    @Test func wrongMagic() throws {
        try expectFault([0, 0, 0x08, 9] + [UInt8](repeating: 0, count: 40), "magic number")
        // Bytes that start like gzip but are not: zlib's complaint, with the file named.
        try expectFault([0x1f, 0x8b, 8, 3] + [UInt8](repeating: 0, count: 20), "corrupt")
        try expectFault([0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0], "magic number")
    }

    @Test func trailingBytes() throws {
        try expectFault([0, 0, 8, 1, 0, 0, 0, 2, 5, 6, 7], "1 bytes after")
    }

    @Test func truncatedGzip() throws {
        let folder = try temporaryFolder()
        try writeSyntheticIDX(to: folder)
        let path = "\(folder)/train-images-idx3-ubyte.gz"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        #expect { _ = try IDXFile(contentsOf: path) } throws: { "\($0)".contains(path) }
    }

    @Test func imagesAndLabelsMustAgree() throws {
        let folder = try temporaryFolder()
        try writeSyntheticIDX(to: folder)
        try IDXFile(dimensions: [39], bytes: [UInt8](repeating: 1, count: 39)).write(to: "\(folder)/train-labels-idx1-ubyte.gz")
        #expect { _ = try DataSource(name: "custom", directory: folder).load() } throws: {
            "\($0)".contains("40 images") && "\($0)".contains("39 labels")
        }
    }

    @Test func missingDatasetSaysHowToGetIt() throws {
        // A recipe may name MNIST before it is in the data store: finding it says how to get it.
        let store = ["AEKIT_DATA": try temporaryFolder()]
        #expect { _ = try DataSource(name: "mnist").folder(environment: store) } throws: {
            "\($0)".contains("aekit data get mnist") && "\($0)".contains("--data")
        }
        #expect { _ = try DataSource.resolve(dataset: "custom", directory: nil) } throws: { "\($0)".contains("--data") }
        #expect { _ = try DataSource.resolve(dataset: "kmnist", directory: nil) } throws: { "\($0)".contains("unknown dataset") }
        #expect(try DataSource.resolve(dataset: "fashion", directory: nil).folder(environment: store) == DataSource.fashionMNISTDirectory)
        let empty = try temporaryFolder()
        #expect { _ = try DataSource(name: "custom", directory: empty).load() } throws: {
            "\($0)".contains("train-images-idx3-ubyte") && "\($0)".contains(empty)
        }
    }

    @Test func splitIsADisjointShuffle() throws {
        let folder = try temporaryFolder()
        try writeSyntheticIDX(to: folder, train: 100)
        let data = try DataSource(name: "custom", directory: folder).load().train
        let (a, b) = data.split(validationCount: 10, seed: 3)
        #expect(a.count == 90 && b.count == 10)
        #expect(a.pixels + b.pixels != data.pixels)  // shuffled
        let (c, _) = data.split(validationCount: 10, seed: 3)
        #expect(a.pixels == c.pixels)  // reproducible
    }
}
