import Compute
import Foundation

/// An advisory lock on a run folder (`flock` on its `.lock` file): the one process that holds
/// it may write the folder. The kernel drops it when the process ends, however it ends, so a
/// run killed with -9 leaves no stale lock. The file holds the owner's PID and command line,
/// for the message that refuses a second process.
public final class RunLock {
    public let folder: String
    private let path: String
    private var descriptor: Int32
    /// The folders, outermost first, that this process created for the run.
    private let created: [String]
    /// Whether this process created the lock file (rather than finding an earlier run's).
    private let createdFile: Bool

    /// Takes the lock of `folder` (which must exist), or throws naming the process that holds
    /// it. `created` lists the folders this process made for the run, for `abandon`. The lock
    /// file is `folder/.lock`, or `file` for a folder that must hold nothing of AEKit's own.
    public init(folder: String, created: [String] = [], file: String? = nil) throws {
        self.folder = folder
        self.created = created
        let path = file ?? Paths.join(folder, ".lock")
        self.path = path
        let fresh = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        createdFile = fresh >= 0
        descriptor = fresh >= 0 ? fresh : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError.unwritable(path, FileError.errnoText()) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = (try? readRegularFile(path, limit: 1 << 16)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(descriptor)
            guard code == EWOULDBLOCK else { throw FileError.unwritable(path, FileError.errnoText(code)) }
            throw TrainingError.busy(folder: folder, holder: RunLock.describe(holder))
        }
        let owner = "\(getpid())\n\(CommandLine.arguments.joined(separator: " "))\n"
        ftruncate(descriptor, 0)
        _ = owner.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit { release() }

    /// For a run that failed before writing anything: removes the lock file, where this
    /// process created it, and the folders it created for the run, where they are empty, so
    /// a refused start leaves nothing.
    public func abandon() {
        guard descriptor >= 0 else { return }
        if createdFile { unlink(path) }
        release()
        for path in created.reversed() { rmdir(path) }  // fails, harmlessly, where not empty
    }

    /// Gives the lock up (also done when the lock is freed, or the process ends).
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// "process 1234 (aekit train --recipe vae)" from the lock file's two lines.
    static func describe(_ contents: String) -> String {
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false)
        guard let pid = lines.first.flatMap({ Int($0) }) else { return "another process" }
        let command = lines.dropFirst().first.map(String.init) ?? ""
        return command.isEmpty ? "process \(pid)" : "process \(pid) (\(command))"
    }
}
