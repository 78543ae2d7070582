import Compute
import Foundation

/// Images and their labels, held on the host: `count` images of `channels × height × width`
/// values (NCHW, as PyTorch), kept as bytes where the files held bytes (PNG, JPEG, IDX, CIFAR-10,
/// a uint8 `.npy`) and as floats where they held floats. A byte is read as `byte / 255`.
public struct Dataset: Sendable {
    /// The pixel values, image after image, each image channel after channel.
    public enum Values: Sendable, Equatable {
        /// 0…255, read as `byte / 255`: a quarter of the memory of floats, on the host and on
        /// the device (a batch becomes floats as it is gathered, `gatherByteRows`).
        case bytes([UInt8])
        /// In [0, 1].
        case floats([Float])

        public var count: Int {
            switch self {
            case .bytes(let b): b.count
            case .floats(let f): f.count
            }
        }
    }

    public let values: Values
    public let labels: [UInt8]
    public let channels: Int
    public let height: Int
    public let width: Int
    /// The classes' names, label by label (an image folder's subfolders, CIFAR-10's classes);
    /// nil where the source gives none.
    public let classNames: [String]?

    public var count: Int { labels.count }

    /// The first example whose label names no class (one of ModelSpec.classes), if any.
    public var firstUnknownLabel: (index: Int, label: UInt8)? {
        labels.firstIndex { Int($0) >= ModelSpec.classes }.map { ($0, labels[$0]) }
    }
    /// Values per image: channels × height × width.
    public var imageSize: Int { channels * height * width }
    /// One image's shape, `[channels, height, width]`.
    public var shape: [Int] { [channels, height, width] }

    /// Every value as a float in [0, 1] (a copy, four times the bytes' memory, for a byte set).
    public var pixels: [Float] { images(0..<count) }

    /// Images `range` as floats in [0, 1], one after another.
    public func images(_ range: Range<Int>) -> [Float] {
        let values = (range.lowerBound * imageSize)..<(range.upperBound * imageSize)
        switch self.values {
        case .bytes(let b): return b[values].map { Float($0) / 255 }
        case .floats(let f): return Array(f[values])
        }
    }

    /// Image `index` as floats in [0, 1].
    public func image(_ index: Int) -> [Float] { images(index..<(index + 1)) }

    public init(values: Values, labels: [UInt8], channels: Int = 1, height: Int, width: Int, classNames: [String]? = nil) {
        precondition(values.count == labels.count * channels * height * width)
        self.values = values; self.labels = labels
        self.channels = channels; self.height = height; self.width = width; self.classNames = classNames
    }

    /// Grey images from values in [0, 1].
    public init(pixels: [Float], labels: [UInt8], height: Int, width: Int) {
        self.init(values: .floats(pixels), labels: labels, height: height, width: width)
    }

    /// Images and labels from two IDX files, checked to agree: images `[count, rows, columns]`
    /// (grey) or `[count, channels, rows, columns]`.
    public init(images imagePath: String, labels labelPath: String) throws {
        let images = try IDXFile(contentsOf: imagePath)
        let labels = try IDXFile(contentsOf: labelPath)
        guard images.dimensions.count == 3 || images.dimensions.count == 4 else {
            throw DatasetError.badFile(imagePath, "has \(images.dimensions.count) dimensions; images need 3 (count, rows, "
                                       + "columns) or 4 (count, channels, rows, columns)")
        }
        guard labels.dimensions.count == 1 else {
            throw DatasetError.badFile(labelPath, "has \(labels.dimensions.count) dimensions; labels need 1")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError.countMismatch(images: imagePath, imageCount: images.dimensions[0],
                                             labels: labelPath, labelCount: labels.dimensions[0])
        }
        let shape = images.dimensions.count == 4 ? Array(images.dimensions[1...]) : [1] + images.dimensions[1...]
        guard images.dimensions[0] > 0 else { throw DatasetError.badFile(imagePath, "holds no images") }
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw DatasetError.badFile(imagePath, "holds images of shape \(shape)")
        }
        self.init(values: .bytes(images.bytes), labels: labels.bytes, channels: shape[0], height: shape[1], width: shape[2])
        if let (index, label) = firstUnknownLabel {
            throw DatasetError.badFile(labelPath, "gives image \(index) the label \(label); "
                                       + "labels must lie in 0...\(ModelSpec.classes - 1)")
        }
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        func gather<T>(_ all: [T]) -> [T] {
            var picked = [T]()
            picked.reserveCapacity(indices.count * imageSize)
            for i in indices { picked += all[(i * imageSize)..<((i + 1) * imageSize)] }
            return picked
        }
        let picked: Values
        switch values {
        case .bytes(let b): picked = .bytes(gather(b))
        case .floats(let f): picked = .floats(gather(f))
        }
        return Dataset(values: picked, labels: indices.map { labels[$0] }, channels: channels, height: height, width: width,
                       classNames: classNames)
    }

    /// One line: the count, the shape, how the values are kept, the classes.
    public var summary: String {
        let shape = self.shape.map(String.init).joined(separator: "×")
        let kept: String
        switch values {
        case .bytes(let b): kept = "bytes, \(formatBytes(b.count))"
        case .floats(let f): kept = "floats, \(formatBytes(f.count * 4))"
        }
        var counts = [Int](repeating: 0, count: 256)
        for label in labels { counts[Int(label)] += 1 }
        let used = counts.indices.filter { counts[$0] > 0 }
        let classes = used.count <= 1 && classNames == nil ? "no labels"
            : "\(used.count) classes: " + used.prefix(12).map { "\(classNames?[safe: $0] ?? String($0)) \(counts[$0])" }
                .joined(separator: ", ") + (used.count > 12 ? ", …" : "")
        return "\(count) images of \(shape) (\(kept)); \(classes)"
    }

    /// `count` image indices that show the set: one of each class in turn where it has labels,
    /// else the first.
    public func showcase(count: Int) -> [Int] {
        var byClass: [UInt8: [Int]] = [:]
        for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
        let classes = byClass.keys.sorted()
        var picked: [Int] = [], round = 0
        while picked.count < min(count, self.count) {
            for label in classes where picked.count < count {
                if let i = byClass[label]![safe: round] { picked.append(i) }
            }
            round += 1
        }
        return picked
    }

    /// A source without a test set of its own (a flat image folder, a `.npy`): one image in
    /// ten, at least one, drawn with a fixed seed, is its test set; the rest its training set.
    func withTestSetHeldOut(_ source: String) throws -> (train: Dataset, test: Dataset) {
        guard count >= 2 else { throw DatasetError.badFile(source, "holds \(count) image; a training and a test set need 2 or more") }
        let (train, test) = split(validationCount: max(1, count / 10), seed: 0)
        return (train, test)
    }

    /// The first `count` examples.
    public func prefix(_ count: Int) -> Dataset { subset(Array(0..<min(count, self.count))) }

    /// A shuffled split into (train, validation) with `validationCount` examples in the second.
    public func split(validationCount: Int, seed: UInt64) -> (train: Dataset, validation: Dataset) {
        var random = SeededRandom(seed: seed ^ 0x5eed_0005_9117)
        let order = Array(0..<count).shuffled(using: &random)
        return (subset(Array(order[validationCount...])), subset(Array(order[..<validationCount])))
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

public enum DatasetError: Error, CustomStringConvertible {
    case badFile(String, String)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case notFound(String, hint: String)

    public var description: String {
        switch self {
        case .badFile(let path, let why): return "\(path) \(why)"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels; they must be the same set"
        case .notFound(let what, let hint): return "\(what)\n\(hint)"
        }
    }
}
