import Compute
import Foundation

/// A folder of PNG and JPEG files as a dataset, read as torchvision's `ImageFolder` reads one:
/// one subfolder per class (labels by the sorted folder names; files found at any depth
/// within), or a flat folder of images (no labels). `train/` and `test/` subfolders, where both
/// are present, are the two sets; otherwise one image in ten (a seeded draw) is the test set.
/// Both sets come in a seeded random order (the folder's own is class by class).
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

    /// Whether a file's name makes it an image (its extension).
    static func isImage(_ path: String) -> Bool {
        let name = Paths.name(path)
        return name.contains(".") && extensions.contains(name.split(separator: ".").last.map { $0.lowercased() } ?? "")
    }

    /// One set's files: every image with its label, in a fixed order (class, then path).
    public struct Listing: Sendable {
        public var files: [(path: String, label: UInt8)]
        public var classNames: [String]?
        /// Files that are not images by their extension (left out, and reported).
        public var ignored: [String]
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

    /// Whether `folder` holds image files: how `DataSource` tells an image folder. The walk
    /// looks at the first 100 000 entries, so that `--data /` answers rather than reads the disk.
    public static func holdsImages(_ folder: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return false }
        for _ in 0..<100_000 {
            guard let path = walker.nextObject() as? String else { return false }
            if isImage(path) { return true }
        }
        return false
    }

    /// The train and test folders, where both exist; nil for a folder that is one set (its test
    /// set then held out after reading).
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
            if isImage(path) {
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
                var paths: [String] = []
                while let relative = walker?.nextObject() as? String {
                    let path = Paths.join(classFolder, relative)
                    if !Paths.name(relative).hasPrefix("."), !isDirectory(path) { paths.append(path) }
                }
                for path in paths.sorted() { add(path, label) }
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
        let folders = setFolders
        var listings = try self.listings()
        let cachePath = cache.map { ImageFolderCache.path(in: $0, listings: listings, options: options) }
        if let cachePath, let cached = ImageFolderCache.read(cachePath) { return cached }
        // The files in a seeded random order (decoded in it, so at no cost): a folder lists
        // class by class, and `--limit N` should take a fair sample, not the first classes, as
        // the figures' first images should show more than one.
        var random = SeededRandom(seed: 0x1_f01d_e75)
        for set in listings.indices { listings[set].files.shuffle(using: &random) }
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

        // 1. Headers: sizes and colour, and every refusal, before any pixel is allocated. The
        // files' bytes are kept for step 2 while they total under `keptBytes`, so that a
        // folder of small images is read once; beyond that, step 2 reads each file again.
        let headers = UnsafeMutableBufferPointer<Result<ImageFile.Header, ImageFault>?>.allocate(capacity: files.count)
        headers.initialize(repeating: nil)
        defer { headers.deallocate() }
        let kept = UnsafeMutableBufferPointer<Data?>.allocate(capacity: files.count)
        kept.initialize(repeating: nil)
        defer { kept.deinitialize(); kept.deallocate() }
        let budget = ManagedCounter()
        // Each reader writes only its own slots.
        nonisolated(unsafe) let headerSlots = headers, keptSlots = kept
        DispatchQueue.concurrentPerform(iterations: readers) { reader in
            for i in stride(from: reader, to: files.count, by: readers) {
                headerSlots[i] = Result {
                    let data = try Self.read(files[i].path)
                    let header = try ImageFile.header(data)
                    if budget.add(data.count, limit: Self.keptBytes) { keptSlots[i] = data }
                    return header
                }.mapError { $0 as? ImageFault ?? ImageFault("\($0)") }
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

        // 2. Pixels, set by set, each image decoded straight into its place in the set's array
        // (no second copy of the set); the kept bytes of a file are let go once it is decoded.
        let imageSize = channels * height * width
        let done = ManagedCounter()
        var datasets: [Dataset] = [], offset = 0
        for listing in sets {
            let slots = good.filter { (offset..<(offset + listing.files.count)).contains($0) }
            offset += listing.files.count
            let faults = UnsafeMutableBufferPointer<ImageFault?>.allocate(capacity: slots.count)
            faults.initialize(repeating: nil)
            defer { faults.deinitialize(); faults.deallocate() }
            nonisolated(unsafe) let faultSlots = faults
            let bytes = [UInt8](unsafeUninitializedCapacity: slots.count * imageSize) { buffer, count in
                nonisolated(unsafe) let target = buffer
                DispatchQueue.concurrentPerform(iterations: min(readers, max(slots.count, 1))) { reader in
                    for slot in stride(from: reader, to: slots.count, by: readers) {
                        let file = slots[slot]
                        do {
                            let data = try keptSlots[file] ?? Self.read(files[file].path)
                            keptSlots[file] = nil
                            let image = try ImageFile.resize(ImageFile.decode(data, channels: channels), height: height, width: width)
                            image.planes.withUnsafeBufferPointer {
                                UnsafeMutableRawPointer(target.baseAddress! + slot * imageSize).copyMemory(from: $0.baseAddress!, byteCount: imageSize)
                            }
                        } catch {
                            faultSlots[slot] = error as? ImageFault ?? ImageFault("\(error)")
                        }
                        done.increment { progress?($0, good.count) }
                    }
                }
                // Images that failed leave a hole: the ones after them move up.
                count = 0
                for slot in 0..<slots.count where faultSlots[slot] == nil {
                    if count != slot * imageSize {
                        UnsafeMutableRawPointer(target.baseAddress! + count).copyMemory(from: target.baseAddress! + slot * imageSize,
                                                                                      byteCount: imageSize)
                    }
                    count += imageSize
                }
            }
            var labels: [UInt8] = []
            for (slot, file) in slots.enumerated() {
                guard let fault = faults[slot] else { labels.append(files[file].label); continue }
                guard options.skipBad else {
                    throw DatasetError.badFile(files[file].path, "\(fault) (--skip-bad leaves such files out)")
                }
                report.skipped.append("\(files[file].path) \(fault)")
            }
            guard !labels.isEmpty else { throw DatasetError.badFile(root, "has a set with no image that can be read") }
            datasets.append(Dataset(values: .bytes(bytes), labels: labels, channels: channels, height: height, width: width,
                                    classNames: listing.classNames))
        }
        return datasets
    }

    /// How many bytes of files the header pass keeps for decoding.
    static let keptBytes = 1 << 30

    /// A file's bytes (a regular file of at most 1 GiB, refused unread otherwise), its
    /// faults said without the path, which the folder's reader puts in front.
    static func read(_ path: String) throws -> Data {
        do { return try readRegularFile(path, limit: 1 << 30) } catch let error as FileError {
            switch error {
            case .tooLarge(_, let bytes, _): throw ImageFault("is \(formatBytes(bytes)), over the 1 GiB an image file may have")
            case .notRegular(_, let kind): throw ImageFault("is \(kind), not a regular file")
            case .missing: throw ImageFault("cannot be read (it is gone)")
            case .unreadable(_, let why), .unwritable(_, let why): throw ImageFault("cannot be read (\(why))")
            }
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

/// A count shared by the decoding threads (images done; bytes kept); the progress callback runs
/// under its lock, so one thread at a time reports.
private final class ManagedCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment(then report: (Int) -> Void) {
        lock.lock(); defer { lock.unlock() }
        value += 1
        report(value)
    }

    /// Adds `amount` where the total stays within `limit`; whether it did.
    func add(_ amount: Int, limit: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard value + amount <= limit else { return false }
        value += amount
        return true
    }
}

func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}
