import Compute
import Foundation

/// How a 4-dimensional image array is laid out: `nhwc` (channels last, as NumPy, Keras and
/// PIL arrays usually are) or `nchw` (channels first, PyTorch's). A 3-dimensional array is
/// N×H×W, grey.
public enum ArrayLayout: String, Codable, Sendable, CaseIterable {
    case nhwc, nchw
}

extension Dataset {
    /// The images of a `.npy` file: uint8 (0…255) or float32 (in [0, 1]), N×H×W, N×H×W×C or
    /// N×C×H×W (`layout` where the shape cannot tell), with 1 or 3 channels; no labels.
    public init(npy path: String, layout: ArrayLayout? = nil) throws {
        try self.init(numPy: NumPyArray(contentsOf: path), layout: layout, name: path)
    }

    /// Images (and labels) from arrays already read, checked as `init(npy:)` checks a file's.
    public init(numPy images: NumPyArray, labels: NumPyArray? = nil, layout: ArrayLayout? = nil, name: String) throws {
        self = try NumPyData.dataset(images: images, labels: labels, layout: layout, name: name,
                                     labelName: labels.map { _ in "\(name) labels" })
    }
}

/// Datasets from NumPy files: a `.npy` of images, or a `.npz` holding `x_train`/`y_train` and
/// `x_test`/`y_test` (as Keras' datasets save them), or `x`/`images` with an optional
/// `y`/`labels`.
enum NumPyData {
    /// The training and test sets of `path` (a file without a test set: `withTestSetHeldOut`).
    static func load(_ path: String, layout: ArrayLayout?) throws -> (train: Dataset, test: Dataset) {
        if path.lowercased().hasSuffix(".npy") { return try Dataset(npy: path, layout: layout).withTestSetHeldOut(path) }
        let arrays = try NumPyArchive.arrays(in: NumPyArray.readFile(path), name: path)
        func set(_ imageKeys: [String], _ labelKeys: [String]) throws -> Dataset? {
            guard let imageKey = imageKeys.first(where: { arrays[$0] != nil }) else { return nil }
            let labelKey = labelKeys.first { arrays[$0] != nil }
            return try dataset(images: arrays[imageKey]!, labels: labelKey.map { arrays[$0]! }, layout: layout,
                               name: "\(path):\(imageKey)", labelName: labelKey.map { "\(path):\($0)" })
        }
        if let train = try set(["x_train"], ["y_train"]) {
            guard let test = try set(["x_test"], ["y_test"]) else {
                throw DatasetError.badFile(path, "holds x_train but no x_test; name the arrays x_train/x_test, or x alone")
            }
            return (train, test)
        }
        guard let all = try set(["x", "images"], ["y", "labels"]) else {
            throw DatasetError.badFile(path, "holds the arrays \(arrays.keys.sorted().joined(separator: ", ")); AEKit reads "
                                       + "x_train and x_test (with y_train, y_test), or x or images (with y or labels)")
        }
        return try all.withTestSetHeldOut(path)
    }

    /// Images (and labels) as a dataset: the layout told or read off the shape, values checked.
    static func dataset(images: NumPyArray, labels: NumPyArray?, layout: ArrayLayout?, name: String,
                        labelName: String? = nil) throws -> Dataset {
        let shape = images.shape
        let (n, c, h, w): (Int, Int, Int, Int)
        var channelsLast = false
        switch shape.count {
        case 3: (n, c, h, w) = (shape[0], 1, shape[1], shape[2])
        case 4:
            let firstIsChannels = [1, 3].contains(shape[1]), lastIsChannels = [1, 3].contains(shape[3])
            switch layout ?? (lastIsChannels && !firstIsChannels ? .nhwc : firstIsChannels && !lastIsChannels ? .nchw : nil) {
            case .nhwc: channelsLast = true; (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
            case .nchw: (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
            case nil:
                throw DatasetError.badFile(name, "has shape \(shape), which could be N×H×W×C or N×C×H×W; say which with --layout nhwc|nchw")
            }
        default:
            throw DatasetError.badFile(name, "has shape \(shape); images need N×H×W, N×H×W×C or N×C×H×W")
        }
        guard c == 1 || c == 3 else { throw DatasetError.badFile(name, "has \(c) channels per image (shape \(shape)); AEKit reads 1 or 3") }
        guard n > 0, h > 0, w > 0 else { throw DatasetError.badFile(name, "has shape \(shape), which holds no image") }
        // NHWC to NCHW: each image's channels become planes.
        func planar<T>(_ values: [T]) -> [T] {
            guard channelsLast && c > 1 else { return values }
            var out = values
            let plane = h * w
            for image in 0..<n {
                let base = image * c * plane
                for i in 0..<plane { for k in 0..<c { out[base + k * plane + i] = values[base + i * c + k] } }
            }
            return out
        }
        let values: Dataset.Values
        switch images.elements {
        case .uint8(let bytes): values = .bytes(planar(bytes))
        case .float32(let floats):
            if let bad = floats.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw DatasetError.badFile(name, "holds \(floats[bad]) at element \(bad); float32 images must lie in [0, 1] "
                                           + "(divide bytes by 255, or save them as uint8)")
            }
            values = .floats(planar(floats))
        case .integers:
            throw DatasetError.badFile(name, "holds integers other than uint8; images must be uint8 (0…255) or float32 ([0, 1])")
        }
        var labelBytes = [UInt8](repeating: 0, count: n)
        if let labels, let labelName {
            let list: [Int]
            switch labels.elements {
            case .integers(let l): list = l
            case .uint8(let b): list = b.map(Int.init)
            case .float32: throw DatasetError.badFile(labelName, "holds floats; labels must be integers")
            }
            guard labels.shape.reduce(1, *) == n, labels.shape.filter({ $0 != 1 }).count <= 1 else {
                throw DatasetError.badFile(labelName, "has shape \(labels.shape) for \(n) images; give one label per image")
            }
            if let bad = list.firstIndex(where: { !(0...255).contains($0) }) {
                throw DatasetError.badFile(labelName, "gives image \(bad) the label \(list[bad]); labels must lie in 0...255")
            }
            labelBytes = list.map { UInt8($0) }
        }
        return Dataset(values: values, labels: labelBytes, channels: c, height: h, width: w)
    }
}
