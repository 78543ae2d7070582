import Compute
import Foundation

/// Images scaled to [0, 1] and their labels, held on the host.
public struct Dataset: Sendable {
    /// `count × height × width` pixels, row-major, in [0, 1].
    public let pixels: [Float]
    public let labels: [UInt8]
    public let height: Int
    public let width: Int

    public var count: Int { labels.count }

    /// The first example whose label names no class (one of ModelSpec.classes), if any.
    public var firstUnknownLabel: (index: Int, label: UInt8)? {
        labels.firstIndex { Int($0) >= ModelSpec.classes }.map { ($0, labels[$0]) }
    }
    public var imageSize: Int { height * width }

    public init(pixels: [Float], labels: [UInt8], height: Int, width: Int) {
        precondition(pixels.count == labels.count * height * width)
        self.pixels = pixels; self.labels = labels; self.height = height; self.width = width
    }

    /// Images and labels from two IDX files, checked to agree.
    public init(images imagePath: String, labels labelPath: String) throws {
        let images = try IDXFile(contentsOf: imagePath)
        let labels = try IDXFile(contentsOf: labelPath)
        guard images.dimensions.count == 3 else {
            throw DatasetError.badFile(imagePath, "has \(images.dimensions.count) dimensions; images need 3 (count, rows, columns)")
        }
        guard labels.dimensions.count == 1 else {
            throw DatasetError.badFile(labelPath, "has \(labels.dimensions.count) dimensions; labels need 1")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError.countMismatch(images: imagePath, imageCount: images.dimensions[0],
                                             labels: labelPath, labelCount: labels.dimensions[0])
        }
        guard images.dimensions[0] > 0 else { throw DatasetError.badFile(imagePath, "holds no images") }
        guard images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw DatasetError.badFile(imagePath, "holds images of \(images.dimensions[1])x\(images.dimensions[2]) pixels")
        }
        self.init(pixels: images.bytes.map { Float($0) / 255 }, labels: labels.bytes,
                  height: images.dimensions[1], width: images.dimensions[2])
        if let (index, label) = firstUnknownLabel {
            throw DatasetError.badFile(labelPath, "gives image \(index) the label \(label); "
                                       + "labels must lie in 0...\(ModelSpec.classes - 1)")
        }
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var subsetPixels = [Float]()
        subsetPixels.reserveCapacity(indices.count * imageSize)
        for i in indices { subsetPixels += pixels[(i * imageSize)..<((i + 1) * imageSize)] }
        return Dataset(pixels: subsetPixels, labels: indices.map { labels[$0] }, height: height, width: width)
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
