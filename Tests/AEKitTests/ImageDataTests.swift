@testable import AEKit
@testable import Reports
import Compute
import CZlib
import Foundation
import Fuzzing
import Testing

/// Real Fashion-MNIST images written as files of the formats users bring, by real encoders
/// (libpng, libjpeg-turbo, libarchive; `.npy` by its definition): `train` and `test` images
/// in `train/<class>/` and `test/<class>/`.
func writeFashionFolder(_ format: ImageFile.Format, train: Int = 60, test: Int = 20) throws -> (folder: String, data: (train: Dataset, test: Dataset)) {
    let folder = try temporaryFolder("aekit-images")
    let data = try fashionSubset(train: train, test: test)
    for (set, dataset) in [("train", data.train), ("test", data.test)] {
        try writeImages(dataset, to: Paths.join(folder, set), format)
    }
    return (folder, data)
}

/// `dataset`'s images as files in class folders named `class-<label>` (sorted as the labels).
func writeImages(_ dataset: Dataset, to folder: String, _ format: ImageFile.Format, flat: Bool = false) throws {
    guard case .bytes(let bytes) = dataset.values else { throw DatasetError.badFile("fixture", "is not bytes") }
    for i in 0..<dataset.count {
        let planes = Array(bytes[(i * dataset.imageSize)..<((i + 1) * dataset.imageSize)])
        let image = interleaved(planes, channels: dataset.channels, height: dataset.height, width: dataset.width)
        let classFolder = flat ? folder : Paths.join(folder, "class-\(dataset.labels[i])")
        try FileManager.default.createDirectory(atPath: classFolder, withIntermediateDirectories: true)
        let file = format == .png ? try DataFixtures.png(image) : try DataFixtures.jpeg(image)
        try file.write(to: URL(fileURLWithPath: Paths.join(classFolder, String(format: "%05d.%@", i, format == .png ? "png" : "jpg"))))
    }
}

/// Planes (CHW) as an image's interleaved pixels (HWC).
func interleaved(_ planes: [UInt8], channels: Int, height: Int, width: Int) -> DecodedImage {
    var bytes = planes
    let plane = height * width
    for i in 0..<plane { for c in 0..<channels { bytes[i * channels + c] = planes[c * plane + i] } }
    return DecodedImage(width: width, height: height, channels: channels, bytes: bytes)
}

/// Fashion-MNIST made colour: each image tinted by its class and resampled to `side`.
func colourFashion(count: Int, side: Int) throws -> Dataset {
    let grey = try fashionSubset(train: count, test: 1).train
    let tints: [[Float]] = [[1, 0.3, 0.3], [0.3, 1, 0.3], [0.3, 0.3, 1], [1, 1, 0.3], [1, 0.3, 1],
                            [0.3, 1, 1], [1, 0.6, 0.2], [0.6, 0.2, 1], [0.2, 0.6, 1], [0.9, 0.9, 0.9]]
    var pixels: [UInt8] = []
    for i in 0..<count {
        let values = grey.image(i), tint = tints[Int(grey.labels[i])]
        let rgb = DecodedImage(width: 28, height: 28, channels: 3,
                               bytes: values.flatMap { v in tint.map { UInt8((v * $0 * 255).rounded()) } })
        pixels += try ImageFile.resize(rgb, height: side, width: side).planes
    }
    return Dataset(values: .bytes(pixels), labels: grey.labels, channels: 3, height: side, width: side)
}

func write(_ data: Data, _ path: String) throws {
    try FileManager.default.createDirectory(atPath: Paths.parent(path), withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: path))
}

@Suite struct ImageFolderTests {
    @Test func pngFolderHoldsTheImagesExactly() throws {
        let (folder, data) = try writeFashionFolder(.png)
        let (train, test, report) = try ImageFolder(folder).load(cache: nil)
        #expect(!report.cached && report.skipped.isEmpty)
        #expect(train.shape == [1, 28, 28] && train.count == 60 && test.count == 20)
        #expect(train.classNames == (Set(data.train.labels).sorted().map { "class-\($0)" }))
        // Each set is its images byte for byte (PNG is lossless), in a seeded random order.
        func examples(_ set: Dataset) -> [[Float]] { (0..<set.count).map { [Float(set.labels[$0])] + set.image($0) } }
        func sorted(_ set: Dataset) -> [[Float]] { examples(set).sorted { $0.lexicographicallyPrecedes($1) } }
        #expect(sorted(train) == sorted(data.train) && sorted(test) == sorted(data.test))
        let classOrder = (0..<60).sorted { (data.train.labels[$0], $0) < (data.train.labels[$1], $1) }
        #expect(train.labels != classOrder.map { data.train.labels[$0] })
    }

    @Test func jpegFolderIsCloseToTheOriginals() throws {
        let (folder, data) = try writeFashionFolder(.jpeg, train: 30, test: 10)
        // One set read as a whole keeps the folder's order: class by class, then by name.
        let test = try Dataset(folder: Paths.join(folder, "test"))
        let order = (0..<10).sorted { (data.test.labels[$0], $0) < (data.test.labels[$1], $1) }
        let original = data.test.subset(order).pixels, decoded = test.pixels
        let meanError = zip(original, decoded).map { abs($0 - $1) }.reduce(0, +) / Float(original.count)
        #expect(meanError < 3.0 / 255, "JPEG quality 95 is off by \(meanError * 255) levels on average")
    }

    @Test func everyPNGColourTypeReads() throws {
        // Grey + alpha, RGB, RGBA: libpng writes each, the reader makes them grey or RGB.
        let folder = try temporaryFolder()
        var picture = Picture(width: 2, height: 1, channels: 3)
        picture.pixels = [255, 0, 0, 0, 0, 255]
        try write(picture.png(), Paths.join(folder, "rgb.png"))
        let colour = try ImageFile.decode(Data(contentsOf: URL(fileURLWithPath: Paths.join(folder, "rgb.png"))), channels: 3)
        #expect(colour.bytes == [255, 0, 0, 0, 0, 255])
        let grey = try ImageFile.decode(Data(contentsOf: URL(fileURLWithPath: Paths.join(folder, "rgb.png"))), channels: 1)
        #expect(grey.bytes[0] > grey.bytes[1], "red is lighter than blue in grey")
        // A whole folder of colour images becomes 3 channels by default; --channels 1 makes it grey.
        try write(picture.png(), Paths.join(folder, "second.png"))
        #expect(try Dataset(folder: folder).channels == 3)
        #expect(try Dataset(folder: folder, channels: 1).channels == 1)
    }

    @Test func alphaAnd16BitPNGsRead() throws {
        // Alpha is composited onto black; 16-bit samples come back as 8-bit ones.
        let ga = try ImageFile.decode(DataFixtures.png(.greyAlpha, width: 2, height: 1, samples: [200, 255, 200, 0]), channels: 1)
        #expect(ga.bytes[0] == 200 && ga.bytes[1] == 0)
        let rgba = try ImageFile.decode(DataFixtures.png(.rgba, width: 1, height: 1, samples: [255, 0, 0, 255]), channels: 3)
        #expect(rgba.bytes == [255, 0, 0])
        let header = try ImageFile.header(DataFixtures.png(.rgba, width: 1, height: 1, samples: [255, 0, 0, 255]))
        #expect(header.isColour)
        let deep = try ImageFile.decode(DataFixtures.png(.grey16, width: 3, height: 1, samples: [0, 20_000, 65_535]), channels: 1)
        #expect(deep.bytes[0] == 0 && deep.bytes[2] == 255 && deep.bytes[1] > 0 && deep.bytes[1] < 255)
    }

    @Test func mixedSizesNeedSize() throws {
        let folder = try temporaryFolder()
        try write(DataFixtures.png(DecodedImage(width: 4, height: 3, channels: 1, bytes: [UInt8](repeating: 9, count: 12))),
                  Paths.join(folder, "a.png"))
        try write(DataFixtures.jpeg(DecodedImage(width: 8, height: 6, channels: 3, bytes: [UInt8](repeating: 200, count: 144))),
                  Paths.join(folder, "b.jpg"))
        #expect { try Dataset(folder: folder) } throws: { error in
            let text = "\(error)"
            return text.contains("a.png is 4×3") && text.contains("b.jpg is 8×6") && text.contains("--size")
        }
        let resized = try Dataset(folder: folder, size: [6, 10])
        #expect(resized.shape == [3, 6, 10] && resized.count == 2)
        // A flat image of one value stays that value when resampled (no dark edges).
        #expect(resized.image(1).allSatisfy { abs($0 - 200.0 / 255) < 1.5 / 255 })
    }

    @Test func badFilesAreNamedOrSkipped() throws {
        let (folder, _) = try writeFashionFolder(.png, train: 40, test: 4)
        let classFolder = Paths.join(folder, "train/class-9")
        let good = try Data(contentsOf: URL(fileURLWithPath: try ImageFolder.list(Paths.join(folder, "train")).files[0].path))
        try write(good.prefix(good.count / 2), Paths.join(classFolder, "truncated.png"))
        try write(Data("not an image".utf8), Paths.join(classFolder, "text.png"))
        try write(Data("notes".utf8), Paths.join(classFolder, "README.txt"))
        #expect { try ImageFolder(folder).load(cache: nil) } throws: { error in
            "\(error)".contains("/train/class-9/t") && "\(error)".contains("--skip-bad")
        }
        let (train, _, report) = try ImageFolder(folder, options: .init(skipBad: true)).load(cache: nil)
        #expect(train.count == 40 && report.skipped.count == 2)
        #expect(report.skipped.contains { $0.contains("truncated.png") && $0.contains("damaged PNG") })
        #expect(report.skipped.contains { $0.contains("text.png") && $0.contains("neither a PNG nor a JPEG") })
        #expect(report.ignored.count == 1 && report.ignored[0].hasSuffix("README.txt"))
    }

    @Test func decompressionBombIsRefusedFromItsHeader() throws {
        // A PNG whose header claims 100 000 × 100 000 pixels and holds a few bytes.
        var ihdr = Array("IHDR".utf8)
        for side in [100_000, 100_000] { ihdr += withUnsafeBytes(of: UInt32(side).bigEndian, Array.init) }
        ihdr += [8, 0, 0, 0, 0]
        let crc = UInt32(crc32(0, ihdr, UInt32(ihdr.count)))
        var file = Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13] + ihdr)
        file.append(contentsOf: withUnsafeBytes(of: crc.bigEndian, Array.init))
        // A first IDAT chunk (libpng reads the header up to it) of a few compressed bytes, and IEND.
        for (type, body) in [("IDAT", [UInt8](repeating: 0, count: 16)), ("IEND", [])] {
            let typed = Array(type.utf8) + body
            file.append(contentsOf: withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + typed)
            file.append(contentsOf: withUnsafeBytes(of: UInt32(crc32(0, typed, UInt32(typed.count))).bigEndian, Array.init))
        }
        #expect { try ImageFile.header(file) } throws: { "\($0)".contains("100000×100000") && "\($0)".contains("refused") }
        let folder = try temporaryFolder()
        try write(file, Paths.join(folder, "bomb.png"))
        try write(file, Paths.join(folder, "bomb2.png"))
        #expect { try Dataset(folder: folder) } throws: { "\($0)".contains("bomb") && "\($0)".contains("decompression bomb") }
    }

    @Test func emptyFolderAndNoImages() throws {
        let empty = try temporaryFolder()
        #expect { try Dataset(folder: empty) } throws: { "\($0)".contains("holds no .png, .jpg or .jpeg files") }
        try write(Data("x".utf8), Paths.join(empty, "a.txt"))
        #expect { try Dataset(folder: empty) } throws: { "\($0)".contains("1 other files, such as") }
    }

    @Test func flatFolderHoldsOutATestSet() throws {
        let folder = try temporaryFolder()
        try writeImages(try fashionSubset(train: 30, test: 1).train, to: folder, .png, flat: true)
        let (train, test, _) = try ImageFolder(folder).load(cache: nil)
        #expect(train.count == 27 && test.count == 3 && train.classNames == nil)
    }

    @Test func secondReadComesFromTheCacheUntilAFileChanges() throws {
        let (folder, _) = try writeFashionFolder(.png, train: 20, test: 5)
        let cache = try temporaryFolder("aekit-cache")
        let first = try ImageFolder(folder).load(cache: cache)
        let second = try ImageFolder(folder).load(cache: cache)
        #expect(!first.report.cached && second.report.cached)
        #expect(first.train.values == second.train.values && first.test.labels == second.test.labels)
        #expect(second.train.classNames == first.train.classNames)
        // Other options are another cache entry.
        #expect(!(try ImageFolder(folder, options: .init(size: [14, 14])).load(cache: cache).report.cached))
        // A file rewritten (new modification time) makes the folder decode again.
        let path = try ImageFolder.list(Paths.join(folder, "test")).files[0].path
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: path)
        #expect(!(try ImageFolder(folder).load(cache: cache).report.cached))
        // A damaged cache file is decoded again, not trusted.
        for file in try FileManager.default.contentsOfDirectory(atPath: cache) {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: Paths.join(cache, file)))
            try handle.truncate(atOffset: 100)
            try handle.close()
        }
        let again = try ImageFolder(folder).load(cache: cache)
        #expect(!again.report.cached && again.train.values == first.train.values)
        // So is one whose manifest gives sizes that overflow when multiplied.
        for file in try FileManager.default.contentsOfDirectory(atPath: cache) {
            let path = Paths.join(cache, file)
            let text = try Data(contentsOf: URL(fileURLWithPath: path))
            let lines = text.split(separator: 0x0a, maxSplits: 2, omittingEmptySubsequences: false)
            // (The files truncated above stay as they are.)
            guard lines.count == 3, var manifest = try? JSONSerialization.jsonObject(with: Data(lines[1])) as? [String: Any] else {
                continue
            }
            manifest["trainCount"] = Int.max / 2
            var damaged = Data(lines[0]) + Data([0x0a])
            damaged.append(try JSONSerialization.data(withJSONObject: manifest))
            damaged.append(0x0a)
            damaged.append(Data(lines[2]))
            try damaged.write(to: URL(fileURLWithPath: path))
        }
        #expect(!(try ImageFolder(folder).load(cache: cache).report.cached))
    }
}

@Suite struct NumPyTests {
    func file(_ data: Data, _ name: String = "a.npy") throws -> String {
        let path = Paths.join(try temporaryFolder(), name)
        try write(data, path)
        return path
    }

    @Test func layoutsAndTypes() throws {
        // Two 2×4 images of 3 channels, values v = image·100 + channel·10 + pixel.
        func value(_ n: Int, _ c: Int, _ p: Int) -> UInt8 { UInt8(n * 100 + c * 10 + p) }
        var nchw: [UInt8] = [], nhwc: [UInt8] = []
        for n in 0..<2 {
            for c in 0..<3 { for p in 0..<8 { nchw.append(value(n, c, p)) } }
            for p in 0..<8 { for c in 0..<3 { nhwc.append(value(n, c, p)) } }
        }
        let fromNHWC = try Dataset(npy: file(NumPyArray.encoded(nhwc, shape: [2, 2, 4, 3])))
        #expect(fromNHWC.shape == [3, 2, 4] && fromNHWC.values == Dataset.Values.bytes(nchw))
        let floats = nchw.map { Float($0) / 255 }
        let fromNCHW = try Dataset(npy: file(NumPyArray.encoded(floats, shape: [2, 3, 2, 4])))
        #expect(fromNCHW.values == Dataset.Values.floats(floats))
        let grey = try Dataset(npy: file(NumPyArray.encoded([UInt8](repeating: 3, count: 24), shape: [4, 2, 3])))
        #expect(grey.shape == [1, 2, 3] && grey.count == 4)
        // 3 × 3 × 3 images could be either: the layout must be said.
        let ambiguous = try file(NumPyArray.encoded([UInt8](repeating: 0, count: 54), shape: [2, 3, 3, 3]))
        #expect { try Dataset(npy: ambiguous) } throws: { "\($0)".contains("--layout nhwc|nchw") }
        #expect(try Dataset(npy: ambiguous, layout: .nchw).shape == [3, 3, 3])
    }

    @Test func npzWithKerasNames() throws {
        let data = try fashionSubset(train: 30, test: 10)
        guard case .bytes(let train) = data.train.values, case .bytes(let test) = data.test.values else { return }
        let npz = try DataFixtures.npz([
            ("x_train", NumPyArray.encoded(train, shape: [30, 28, 28])), ("y_train", NumPyArray.encoded(labels: data.train.labels.map(Int.init), shape: [30])),
            ("x_test", NumPyArray.encoded(test, shape: [10, 28, 28])), ("y_test", NumPyArray.encoded(labels: data.test.labels.map(Int.init), shape: [10])),
        ])
        let path = try file(npz, "fashion.npz")
        let loaded = try DataSource(name: "custom", directory: path).load()
        #expect(loaded.train.values == data.train.values && loaded.train.labels == data.train.labels)
        #expect(loaded.test.values == data.test.values && loaded.test.labels == data.test.labels)
        let onlyX = try file(DataFixtures.npz([("x", NumPyArray.encoded(train, shape: [30, 28, 28]))]), "x.npz")
        let split = try DataSource(name: "custom", directory: onlyX).load()
        #expect(split.train.count == 27 && split.test.count == 3)
    }

    @Test(arguments: [
        (NumPyArray.encoded(dtype: "<c8", shape: [1, 2, 2], body: Data(count: 32)), "dtype '<c8'"),
        (NumPyArray.encoded(dtype: ">f4", shape: [1, 2, 2], body: Data(count: 16)), "dtype '>f4'"),
        (NumPyArray.encoded(dtype: "|u1", shape: [1, 2, 2], body: Data(count: 4), fortranOrder: true), "Fortran"),
        (NumPyArray.encoded(dtype: "|u1", shape: [2, 2, 2], body: Data(count: 5)), "truncated"),
        (NumPyArray.encoded(dtype: "|u1", shape: [1, 2, 2], body: Data(count: 9)), "5 bytes after"),
        (NumPyArray.encoded(dtype: "<f4", shape: [100_000, 1_000, 100], body: Data(count: 4)), "refused before reading"),
        (NumPyArray.encoded(dtype: "<f4", shape: [1, 2, 2], body: [Float](repeating: 255, count: 4).withUnsafeBytes { Data($0) }),
         "must lie in [0, 1]"),
        (Data("PK\u{3}\u{4}garbage".utf8), "no \\x93NUMPY magic"),
    ])
    func badArraysAreNamed(data: Data, expected: String) throws {
        let path = try file(data)
        #expect { try Dataset(npy: path) } throws: { "\($0)".contains(path) && "\($0)".contains(expected) }
    }
}

@Suite struct CIFAR10Tests {
    /// Batches of CIFAR-10's binary format: `count` records each, label then three planes.
    func batches(count: Int) -> [(name: String, data: Data)] {
        var random = SeededRandom(seed: 9)
        return (CIFAR10.trainFiles + [CIFAR10.testFile]).map { name in
            (name, Data((0..<count).flatMap { _ in [UInt8(random.next() % 10)] + (0..<3072).map { _ in UInt8(random.next() & 0xff) } }))
        }
    }

    @Test func readsBatchesAndRefusesATruncatedOne() throws {
        let folder = try temporaryFolder()
        let files = batches(count: 3)
        for file in files { try write(file.data, Paths.join(folder, "cifar-10-batches-bin/\(file.name)")) }
        let source = DataSource(name: "custom", directory: folder)
        #expect(try source.kind().kind == .cifar10)
        let (train, test) = try source.load()
        #expect(train.count == 15 && test.count == 3 && train.shape == [3, 32, 32] && train.classNames?[0] == "airplane")
        #expect(train.labels[0] == files[0].data[0] && train.image(0)[0] == Float(files[0].data[1]) / 255)
        try write(files[5].data.prefix(4000), Paths.join(folder, "cifar-10-batches-bin/test_batch.bin"))
        #expect { try source.load() } throws: { "\($0)".contains("test_batch.bin holds 4000 bytes, not a whole number") }
    }

    @Test func dataGetUnpacksTheArchiveFromAMirror() throws {
        let mirror = try temporaryFolder(), store = try temporaryFolder()
        let archive = try DataFixtures.tarGz(folder: CIFAR10.archiveFolder, batches(count: 2))
        try write(archive, Paths.join(mirror, CIFAR10.archiveName))
        // The archive made here is not the publisher's: its MD5 differs, and is refused unless named.
        let refused = try aekit(["data", "get", "cifar10", "--mirror", mirror], environment: ["AEKIT_DATA": store])
        #expect(refused.status != 0 && refused.output.contains("MD5"))
        #expect(!FileManager.default.fileExists(atPath: Paths.join(store, "cifar10/\(CIFAR10.archiveFolder)")))
        let digest = Digest(.md5)
        archive.withUnsafeBytes { digest.update($0) }
        let md5 = digest.hex()
        let fetched = try aekit(["data", "get", "cifar10", "--mirror", mirror, "--md5", md5], environment: ["AEKIT_DATA": store])
        #expect(fetched.status == 0, "\(fetched.output)")
        let (train, test) = try DataSource(name: "cifar10").load(environment: ["AEKIT_DATA": store])
        #expect(train.count == 10 && test.count == 2)
    }
}

@Suite struct ByteDatasetTests {
    /// A set kept as bytes and the same set as floats train to the same bits: the gather
    /// makes byte / 255 on the device exactly as the host does.
    @Test(arguments: ["cpu", "opencl"])
    func bytesTrainAsFloats(device: String) throws {
        let backend: any Backend = device == "cpu" ? cpu : try openCL()
        let data = try fashionSubset(train: 200, test: 50)
        let asFloats = (train: Dataset(pixels: data.train.pixels, labels: data.train.labels, height: 28, width: 28),
                        test: Dataset(pixels: data.test.pixels, labels: data.test.labels, height: 28, width: 28))
        var config = try Recipe.config("default")
        config.epochs = 1
        config.batchSize = 50
        var losses: [[Double]] = []
        for sets in [data, asFloats] {
            let run = try TrainingRun(config: config, backend: backend, folder: RunFolder(path: temporaryFolder()), data: sets)
            try run.run()
            losses.append(run.history.map(\.train.loss) + [run.history.last!.validation.loss])
        }
        #expect(losses[0] == losses[1])
    }
}

@Suite struct ColourModelTests {
    @Test func presetsAdaptToTheData() throws {
        var config = try Recipe.config("default")
        for side in [32, 64] {
            let fitted = try config.fitting([3, side, side])
            #expect(fitted.model.input == [3, side, side])
            #expect(try fitted.model.shapes(batch: 2).last == [2, 3, side, side])
        }
        config.model = ModelPreset(architecture: .dense, hidden: 16).spec
        #expect(try config.fitting([3, 32, 32]).model.input == [3072])
        config.model = ModelPreset(architecture: .convKeras).spec
        #expect { try config.fitting([3, 32, 32]) } throws: { "\($0)".contains("conv-keras cannot take 3×32×32 images") }
        config.model = Recipe.exampleVAE
        #expect { try config.fitting([3, 32, 32]) } throws: { "\($0)".contains("[1, 28, 28]") && "\($0)".contains("3×32×32") }
    }

    @Test func colourFiguresAreInColour() throws {
        let data = try colourFashion(count: 12, side: 32)
        var config = try Recipe.config("default")
        config = try config.fitting(data.shape)
        let model = try Sequential(config.model, backend: cpu, seed: 1)
        let figure = try Figures.reconstructions(model, data, count: 4)
        #expect(figure.channels == 3)
        // The PNG reads back (libpng) to the same pixels, the first original among them.
        let decoded = try ImageFile.decode(figure.png(), channels: 3)
        #expect(decoded.bytes == figure.pixels)
        let first = data.image(0), scale = 2, gap = 2
        let (y, x) = (gap + 10 * scale, gap + 12 * scale)
        for c in 0..<3 {
            #expect(decoded.bytes[(y * figure.width + x) * 3 + c] == UInt8((first[c * 1024 + 10 * 32 + 12] * 255).rounded()))
        }
    }
}

@Suite struct ImageFolderCLITests {
    /// A colour folder trained as a new user would: the default model's colour variant, then a
    /// model file; the second run decodes nothing, and the figures are in colour.
    @Test func trainsOnAColourFolderAndReadsTheCacheTheSecondTime() throws {
        let folder = try temporaryFolder("aekit-colour")
        let colour = try colourFashion(count: 60, side: 32)
        try writeImages(colour.prefix(50), to: Paths.join(folder, "train"), .png)
        try writeImages(colour.subset(Array(50..<60)), to: Paths.join(folder, "test"), .png)
        let store = try temporaryFolder("aekit-store"), runs = try temporaryFolder("aekit-runs")
        let environment = ["AEKIT_DATA": store]
        let common = ["train", "--data", folder, "--epochs", "1", "--batch", "25", "--device", "cpu"]
        let first = try aekit(common + ["--out", Paths.join(runs, "a")], environment: environment)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("decoded 50 training and 10 test images of 3×32×32"))
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Paths.join(runs, "a/config.json"))))
        let model = ((record as? [String: Any])?["config"] as? [String: Any])?["model"] as? [String: Any]
        #expect(model?["input"] as? [Int] == [3, 32, 32])
        let figure = try ImageFile.header(Data(contentsOf: URL(fileURLWithPath: Paths.join(runs, "a/reconstructions.png"))))
        #expect(figure.isColour)

        let modelFile = Paths.join(runs, "colour.json")
        try Data(#"{"input": [3, 32, 32], "loss": "mse", "layers": ["Conv2d(3, 8, kernel_size=3, stride=2, padding=1)", "ReLU()", "ConvTranspose2d(8, 3, kernel_size=4, stride=2, padding=1)", "Sigmoid()"]}"#.utf8)
            .write(to: URL(fileURLWithPath: modelFile))
        let second = try aekit(common + ["--model-file", modelFile, "--out", Paths.join(runs, "b")], environment: environment)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("read from the cache 50 training and 10 test images"))
        // Data of another shape than a model file's input is refused, naming both.
        let grey = try aekit(common + ["--model-file", modelFile, "--channels", "1", "--out", Paths.join(runs, "c")], environment: environment)
        #expect(grey.status != 0 && grey.output.contains("[3, 32, 32]") && grey.output.contains("1×32×32"))
        let shown = try aekit(["data", "show", folder, "--out", Paths.join(runs, "grid.png")], environment: environment)
        #expect(shown.status == 0 && shown.output.contains("train: 50 images of 3×32×32 (bytes"))
    }

    @Test(arguments: [
        (["train", "--size", "5"], "--size takes a height and a width"),
        (["train", "--channels", "2"], "--channels must be 1 or 3"),
        (["train", "--data", "/nonexistent/folder"], "--data /nonexistent/folder does not exist"),
        (["data", "show", "/nonexistent/x.npy"], "/nonexistent/x.npy: no such file"),
        (["data", "show", DataSource.fashionMNISTDirectory, "--size", "8", "8"],
         "is IDX files; --size, --channels and --skip-bad read image folders"),
    ])
    func badDataFlagsAreNamed(arguments: [String], message: String) throws {
        let result = try aekit(arguments)
        #expect(result.status != 0 && result.output.contains(message), "\(result.output)")
    }
}
