import Foundation

/// What can go wrong reading or writing one of AEKit's files; every case names the file.
public enum FileError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    /// A FIFO, a device, a socket or a folder where a regular file belongs.
    case notRegular(String, kind: String)
    case tooLarge(String, bytes: Int, limit: Int)
    case unreadable(String, String)
    case unwritable(String, String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such file"
        case .notRegular(let path, let kind):
            return "\(path) is \(kind), not a regular file; AEKit reads data and checkpoints from regular files only"
        case .tooLarge(let path, let bytes, let limit):
            return "\(path) is \(formatBytes(bytes)); a file of this kind is at most \(formatBytes(limit)), so it is not one"
        case .unreadable(let path, let why): return "\(path): cannot be read (\(why))"
        case .unwritable(let path, let why): return "cannot write \(path): \(why)"
        }
    }

    public static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}

/// An open regular file: opened without blocking (a FIFO would otherwise wait for a writer)
/// and checked with `fstat` on the same descriptor, so what is checked is what is read.
public final class RegularFile {
    public let path: String
    public let descriptor: Int32
    public let size: Int
    private var owned = true

    public init(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw code == ENOENT ? FileError.missing(path) : FileError.unreadable(path, FileError.errnoText(code))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let why = FileError.errnoText()
            close(fd)
            throw FileError.unreadable(path, why)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileError.notRegular(path, kind: RegularFile.kind(info.st_mode))
        }
        // Reads of a regular file never block; the flag is cleared for libraries (zlib) that
        // would treat EAGAIN as an error.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.path = path; descriptor = fd; size = Int(info.st_size)
    }

    deinit { if owned { close(descriptor) } }

    /// Hands the descriptor to an owner that closes it (zlib's `gzdopen`).
    public func release() -> Int32 { owned = false; return descriptor }

    /// The whole file, which must be at most `limit` bytes: checked before anything is allocated.
    public func readAll(limit: Int) throws -> Data {
        guard size <= limit else { throw FileError.tooLarge(path, bytes: size, limit: limit) }
        var data = Data(count: size)
        try data.withUnsafeMutableBytes { try read(into: $0, at: 0) }
        return data
    }

    /// `count` bytes from `offset` on, into a new array (a part of a large file, read without
    /// a second copy of it).
    public func bytes(_ count: Int, at offset: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            initialized = count
        }
    }

    /// Fills `buffer` from `offset` on; a file that ends first is an error.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw FileError.unreadable(path, count == 0 ? "it shrank while being read" : FileError.errnoText())
            }
            done += count
        }
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}

/// The whole of the regular file at `path`, at most `limit` bytes.
public func readRegularFile(_ path: String, limit: Int) throws -> Data {
    try RegularFile(path).readAll(limit: limit)
}

/// The unsigned 64-bit little-endian number in `bytes` (8 of them): the length fields of
/// safetensors files and of the program cache's frames.
public func littleEndianUInt64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    precondition(bytes.count == 8, "a 64-bit field is 8 bytes")
    return bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
}

/// The prefix temporary files carry: `.<name>.tmp-<pid>` beside the file they become.
public let temporaryMarker = ".tmp-"

/// Whether `name` (a file name, not a path) is a temporary file of `writeAtomically` or of a
/// checkpoint being staged: another process's write in flight, or one a kill left behind.
public func isTemporaryFile(_ name: String) -> Bool {
    name.hasPrefix(".") && name.contains(temporaryMarker)
}

/// Writes `data` to `path` through a temporary file in the same folder and a rename, so the
/// file at `path` is always either the old one or the new one, never half of either. With
/// `durable`, the data and the rename reach the disk (fsync) before this returns, so a power
/// cut after it cannot undo a checkpoint that `state.json` already vouches for.
public func writeAtomically(_ data: Data, to path: String, durable: Bool = false) throws {
    try writeAtomically(to: path, durable: durable) { append in try data.withUnsafeBytes { try append($0) } }
}

/// `writeAtomically` of what `body` appends, piece by piece: a file larger than one wants to
/// hold twice (a dataset's cache) is written from the arrays that hold it.
public func writeAtomically(to path: String, durable: Bool = false,
                            _ body: (_ append: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
    let folder = Paths.parent(path)
    let temporary = Paths.join(folder, ".\(Paths.name(path))\(temporaryMarker)\(getpid())")
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileError.unwritable(path, FileError.errnoText()) }
    struct WriteFailure: Error { let why: String }
    var failure: String?
    do {
        try body { raw in
            var done = 0
            while done < raw.count {
                let count = write(fd, raw.baseAddress! + done, raw.count - done)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw WriteFailure(why: FileError.errnoText()) }
                done += count
            }
        }
    } catch let error as WriteFailure {
        failure = error.why
    } catch {
        close(fd)
        unlink(temporary)
        throw error
    }
    if failure == nil && durable && fsync(fd) != 0 { failure = FileError.errnoText() }
    if close(fd) != 0 && failure == nil { failure = FileError.errnoText() }
    if failure == nil && rename(temporary, path) != 0 { failure = FileError.errnoText() }
    if let failure {
        unlink(temporary)
        throw FileError.unwritable(path, failure)
    }
    if durable { try syncFolder(folder) }
}

/// Gives the finished file at `source` the name `path` durably: its data flushed, then the
/// rename, then the folder (both in one folder).
public func moveDurably(_ source: String, to path: String) throws {
    let fd = open(source, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError.unwritable(path, FileError.errnoText()) }
    let synced = fsync(fd) == 0 ? nil : FileError.errnoText()
    close(fd)
    if let synced { throw FileError.unwritable(path, synced) }
    guard rename(source, path) == 0 else { throw FileError.unwritable(path, FileError.errnoText()) }
    try syncFolder(Paths.parent(path))
}

/// Makes the entries of `folder` (a rename, a new file) durable.
public func syncFolder(_ folder: String) throws {
    let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError.unwritable(folder, FileError.errnoText()) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw FileError.unwritable(folder, FileError.errnoText()) }
}

/// Removes the temporary files that processes killed mid-write left in `folder`. Only for a
/// folder no one else is writing (a run folder whose lock this process holds).
public func removeTemporaryFiles(in folder: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    for name in names where isTemporaryFile(name) {
        unlink(Paths.join(folder, name))
    }
}

/// Creates the folder `path` and, with `intermediate`, each missing folder above it, as
/// `mkdir -p` does; returns the folders it created, outermost first (what a run that fails
/// before writing anything removes again). On failure it removes what it created and throws,
/// naming the part of the path that is not a folder or cannot be made.
@discardableResult
public func createFolders(_ path: String, intermediate: Bool = true) throws -> [String] {
    var created: [String] = []
    for folder in intermediate ? Paths.prefixes(path) : [path] {
        if mkdir(folder, 0o755) == 0 {
            created.append(folder)
            continue
        }
        let code = errno
        // There already (or made by another process meanwhile): fine, if it is a folder.
        if isFolder(folder) { continue }
        for made in created.reversed() { rmdir(made) }
        let why = code == EEXIST ? "\(folder) is a file, not a folder" : "\(folder): \(FileError.errnoText(code))"
        throw FileError.unwritable(path, "the folder cannot be created (\(why))")
    }
    return created
}

/// `path` with its symbolic links, `.` and `..` resolved (`realpath`); `path` itself where
/// it does not exist.
public func resolvedPath(_ path: String) -> String {
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
}

/// Whether `path` is a folder, or a symbolic link to one.
public func isFolder(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
}
