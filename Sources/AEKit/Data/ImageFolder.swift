import Compute
import Foundation

/// A folder of PNG and JPEG files as a dataset, read as torchvision's `ImageFolder` reads one:
/// one subfolder per class (labels by the sorted folder names; files found at any depth
/// within), or a flat folder of images (no labels). `train/` and `test/` subfolders, where both
/// are present, are the two sets; otherwise one image in ten (a seeded draw) is the test set.
///
/// Headers are read first, so a folder with files of mixed sizes (and no `size`), a
/// decompression bomb or a non-image is refused before anything is decoded; then the images
/// are decoded in parallel, and kept as bytes. `DataSource` caches the result.
public struct ImageFolder: Sendable {
    /// How images become a dataset's examples.
    public struct Options: Codable, Sendable, Equatable, Hashable {
        /// Every image resampled to [height, width] (`ImageFile.resize`); nil keeps their
        /// size, which must then be the same for all.
        public var size: [Int]?
        /// 1 (grey) or 3 (RGB); nil: 3 if any image is in colour, else 1.
        public var channels: Int?
        /// Skip (and list) images that cannot be decoded instead of stopping at the first.
        public var skipBad: Bool

        public init(size: [Int]? = nil, channels: Int? = nil, skipBad: Bool = false) {
            self.size = size; self.channels = channels; self.skipBad = skipBad
        }

        public var isDefault: Bool { self == Options() }
    }

    /// The file names read as images (by extension, case-insensitive, as ImageFolder).
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// One set's files: every image with its label, in a fixed order (class, then path).
    public struct Listing: Sendable, Equatable {
        public var files: [(path: String, label: UInt8)]
        public var classNames: [String]?
        /// Files that are not images by their extension (left out, and reported).
        public var ignored: [String]

        public static func == (a: Listing, b: Listing) -> Bool {
            a.files.map(\.path) == b.files.map(\.path) && a.files.map(\.label) == b.files.map(\.label)
                && a.classNames == b.classNames && a.ignored == b.ignored
        }
    }

    /// What reading a folder found beyond its images.
    public struct Report: Sendable {
        /// Files left out by `skipBad`, each with why.
        public var skipped: [String] = []
        /// Files that are not images by their extension.
        public var ignored: [String] = []
        /// Whether the images came from the cache (nothing decoded).
        public var cached = false
    }

    public let root: String
    public let options: Options

    public init(_ root: String, options: Options = Options()) {
        self.root = root; self.options = options
    }

    /// Whether `folder` holds image files (at any depth): how `DataSource` tells an image folder.
    public static func holdsImages(_ folder: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return false }
        while let path = walker.nextObject() as? String {
            if extensions.contains(Paths.name(path).split(separator: ".").last.map { $0.lowercased() } ?? "") { return true }
        }
        return false
    }

    /// The train and test folders: `train/` and `test/` where both exist, else the root for both
    /// (split after reading).
    var setFolders: (train: String, test: String)? {
        let train = Paths.join(root, "train"), test = Paths.join(root, "test")
        return isDirectory(train) && isDirectory(test) ? (train, test) : nil
    }

    /// The files of one set's folder: class subfolders, or a flat folder. `classes`, where
    /// given (a test set's, read after its training set; empty for a flat one), fixes the
    /// labels: a test folder may lack a class, but not add one.
    public static func list(_ folder: String, classes known: [String]? = nil) throws -> Listing {
        let manager = FileManager.default
        guard isDirectory(folder) else { throw DatasetError.notFound("\(folder): no such folder", hint: "") }
        let entries = try manager.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        let found = entries.filter { isDirectory(Paths.join(folder, $0)) }
        if let known, let extra = found.first(where: { !known.contains($0) }) {
            throw DatasetError.badFile(folder, "has a class folder '\(extra)' that the training set has not (its classes: "
                                       + "\(known.joined(separator: ", "))); the two sets must share their classes")
        }
        if let known, !known.isEmpty, found.isEmpty {
            throw DatasetError.badFile(folder, "has no class folders, but the training set has; the two sets must share their classes")
        }
        let classes = known ?? found
        var listing = Listing(files: [], classNames: classes.isEmpty ? nil : classes, ignored: [])
        guard classes.count <= 256 else {
            throw DatasetError.badFile(folder, "has \(classes.count) class folders; AEKit's labels are bytes, at most 256 classes")
        }
        func add(_ path: String, _ label: Int) {
            let ext = Paths.name(path).split(separator: ".").last.map { $0.lowercased() } ?? ""
            if Paths.name(path).contains("."), extensions.contains(ext) {
                listing.files.append((path, UInt8(label)))
            } else {
                listing.ignored.append(path)
            }
        }
        if classes.isEmpty {
            for entry in entries { add(Paths.join(folder, entry), 0) }
        } else {
            for (label, name) in classes.enumerated() where found.contains(name) {
                let classFolder = Paths.join(folder, name)
                let walker = manager.enumerator(atPath: classFolder)
                var found: [String] = []
                while let relative = walker?.nextObject() as? String {
                    let path = Paths.join(classFolder, relative)
                    if !Paths.name(relative).hasPrefix("."), !isDirectory(path) { found.append(path) }
                }
                for path in found.sorted() { add(path, label) }
            }
        }
        guard !listing.files.isEmpty else {
            let also = listing.ignored.isEmpty ? "" : " (it holds \(listing.ignored.count) other files, such as \(listing.ignored[0]))"
            throw DatasetError.badFile(folder, "holds no .png, .jpg or .jpeg files\(also)")
        }
        return listing
    }

    /// The training and test sets: from the cache (`ImageFolderCache`) where this folder was
    /// read before with the same options, else decoded (`progress(done, total)` as images
    /// finish, called by one thread at a time) and cached in `cache` (the data store's
    /// `cache/` by default; nil neither reads nor writes a cache).
    public func load(cache: String? = ImageFolderCache.defaultFolder(), progress: (@Sendable (Int, Int) -> Void)? = nil) throws
        -> (train: Dataset, test: Dataset, report: Report) {
        let folders = setFolders, listings = try self.listings()
        let cachePath = cache.map { ImageFolderCache.path(in: $0, listings: listings, options: options) }
        if let cachePath, let cached = ImageFolderCache.read(cachePath) { return cached }
        var report = Report()
        report.ignored = listings.flatMap(\.ignored)
        let train: Dataset, test: Dataset
        if folders != nil {
            let both = try decode(listings, report: &report, progress: progress)
            (train, test) = (both[0], both[1])
        } else {
            (train, test) = try decode(listings, report: &report, progress: progress)[0].withTestSetHeldOut(root)
        }
        if let cachePath { try ImageFolderCache.write(train, test, report: report, to: cachePath) }
        return (train, test, report)
    }

    /// The listings of the sets: the training folder's, and the test folder's where there is one.
    func listings() throws -> [Listing] {
        let folders = setFolders
        var listings = [try Self.list(folders?.train ?? root)]
        if let folders { listings.append(try Self.list(folders.test, classes: listings[0].classNames ?? [])) }
        return listings
    }

    /// The folder's images as one set (class subfolders or flat; no split, no cache).
    public func dataset(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Dataset {
        var report = Report()
        return try decode([Self.list(root)], report: &report, progress: progress)[0]
    }

    /// The sets' headers, then their pixels, all decoded in parallel.
    private func decode(_ sets: [Listing], report: inout Report, progress: (@Sendable (Int, Int) -> Void)?) throws -> [Dataset] {
        let files = sets.flatMap(\.files)
        let readers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, files.count))

        // 1. Headers: sizes and colour, and every refusal, before any pixel is allocated.
        let headers = UnsafeMutableBufferPointer<Result<ImageFile.Header, ImageFault>?>.allocate(capacity: files.count)
        headers.initialize(repeating: nil)
        defer { headers.deallocate() }
        // Each reader writes only its own slots.
        nonisolated(unsafe) let headerSlots = headers
        DispatchQueue.concurrentPerform(iterations: readers) { reader in
            for i in stride(from: reader, to: files.count, by: readers) {
                headerSlots[i] = Result { try ImageFile.header(Self.read(files[i].path)) }.mapError { $0 as? ImageFault ?? ImageFault("\($0)") }
            }
        }
        var keep = [Bool](repeating: true, count: files.count)
        for i in files.indices {
            guard case .failure(let fault) = headers[i]! else { continue }
            guard options.skipBad else { throw DatasetError.badFile(files[i].path, "\(fault) (--skip-bad leaves such files out)") }
            report.skipped.append("\(files[i].path) \(fault)"); keep[i] = false
        }
        let good = files.indices.filter { keep[$0] }
        guard let first = good.first else { throw DatasetError.badFile(root, "holds no image that can be read") }
        let firstHeader = try headers[first]!.get()
        let (height, width): (Int, Int)
        if let size = options.size {
            (height, width) = (size[0], size[1])
        } else {
            (height, width) = (firstHeader.height, firstHeader.width)
            if let other = good.first(where: { let h = try! headers[$0]!.get(); return h.height != height || h.width != width }) {
                let h = try headers[other]!.get()
                throw DatasetError.badFile(root, "holds images of different sizes: \(files[first].path) is \(width)×\(height), "
                                           + "\(files[other].path) is \(h.width)×\(h.height); give --size H W to resample them all")
            }
        }
        let channels = options.channels ?? (good.contains { try! headers[$0]!.get().isColour } ? 3 : 1)

        // 2. Pixels, each image into its place.
        let imageSize = channels * height * width
        let pixels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: good.count * imageSize)
        defer { pixels.deallocate() }
        let faults = UnsafeMutableBufferPointer<ImageFault?>.allocate(capacity: good.count)
        faults.initialize(repeating: nil)
        defer { faults.deallocate() }
        let done = ManagedCounter()
        nonisolated(unsafe) let pixelSlots = pixels, faultSlots = faults
        DispatchQueue.concurrentPerform(iterations: readers) { reader in
            for slot in stride(from: reader, to: good.count, by: readers) {
                do {
                    var image = try ImageFile.decode(Self.read(files[good[slot]].path), channels: channels)
                    image = try ImageFile.resize(image, height: height, width: width)
                    let planes = image.planes
                    for i in 0..<imageSize { pixelSlots[slot * imageSize + i] = planes[i] }
                } catch {
                    faultSlots[slot] = error as? ImageFault ?? ImageFault("\(error)")
                }
                done.increment { progress?($0, good.count) }
            }
        }
        var decoded = [Int]()
        for slot in good.indices {
            guard let fault = faults[slot] else { decoded.append(slot); continue }
            let path = files[good[slot]].path
            guard options.skipBad else { throw DatasetError.badFile(path, "\(fault) (--skip-bad leaves such files out)") }
            report.skipped.append("\(path) \(fault)")
        }

        // 3. One dataset per set, of the images that decoded.
        var datasets: [Dataset] = [], offset = 0
        for listing in sets {
            let range = offset..<(offset + listing.files.count)
            offset += listing.files.count
            let slots = decoded.filter { range.contains(good[$0]) }
            var bytes = [UInt8](); bytes.reserveCapacity(slots.count * imageSize)
            for slot in slots { bytes += pixels[(slot * imageSize)..<((slot + 1) * imageSize)] }
            guard !slots.isEmpty else { throw DatasetError.badFile(root, "has a set with no image that can be read") }
            datasets.append(Dataset(values: .bytes(bytes), labels: slots.map { files[good[$0]].label }, channels: channels,
                                    height: height, width: width, classNames: listing.classNames))
        }
        return datasets
    }

    /// A file's bytes; an image over 1 GiB is refused unread.
    static func read(_ path: String) throws -> Data {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= 1 << 30 else { throw ImageFault("is \(size) bytes, over the 1 GiB an image file may have") }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ImageFault("cannot be read (\(error.localizedDescription))")
        }
    }
}

extension Dataset {
    /// The PNG and JPEG images of a folder, one subfolder per class (labels by sorted name) or
    /// flat (no labels), as torchvision's `ImageFolder`: `size` resamples them all to
    /// [height, width], `channels` makes them grey (1) or RGB (3; default: RGB if any is).
    public init(folder: String, size: [Int]? = nil, channels: Int? = nil) throws {
        self = try ImageFolder(folder, options: ImageFolder.Options(size: size, channels: channels)).dataset()
    }
}

/// A count shared by the decoding threads; the progress callback runs under its lock, so one
/// thread at a time reports.
private final class ManagedCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment(then report: (Int) -> Void) {
        lock.lock(); defer { lock.unlock() }
        value += 1
        report(value)
    }
}

func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}
