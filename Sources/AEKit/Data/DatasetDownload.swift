import Compute
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where `aekit data get` takes a dataset's files from: a mirror (an http(s) URL of a folder
/// holding the four files) or a local folder holding them.
public enum DataSourceLocation: Sendable, CustomStringConvertible {
    case mirror(URL)
    case folder(String)

    /// `--mirror` text: a URL with a scheme, else a folder.
    public init(_ text: String) {
        if let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) {
            self = .mirror(url.absoluteString.hasSuffix("/") ? url : url.appendingPathComponent(""))
        } else {
            self = .folder(text)
        }
    }

    public var description: String {
        switch self {
        case .mirror(let url): url.absoluteString
        case .folder(let path): path
        }
    }
}

/// How a file's fetch is going, for a progress line.
public struct DownloadProgress: Sendable {
    public var file: String
    public var source: String
    /// Bytes of the file on disk so far (a resumed download starts above 0).
    public var bytes: Int
    /// The whole file's size, where the server said.
    public var total: Int?
    /// Bytes per second over this transfer.
    public var rate: Double
    public var isFinished: Bool
}

/// Fetches a known dataset's four files into a folder: each from the first source that
/// serves it whole, resumed where an earlier try stopped, checked against its MD5s, and put
/// under its name only then (renamed from `.NAME.part`), so a bad or half file never stands
/// under a final name.
public final class DatasetDownload {
    public let dataset: KnownDataset
    public let folder: String
    public let sources: [DataSourceLocation]
    /// Called as bytes arrive (at most a few times a second) and when a file is done.
    public var progress: (DownloadProgress) -> Void = { _ in }

    /// What happened to one file.
    public enum Outcome: Sendable, Equatable {
        case present(KnownFile.Check)
        case fetched(from: String, KnownFile.Check)
    }

    public init(dataset: KnownDataset, folder: String, sources: [DataSourceLocation]? = nil) {
        self.dataset = dataset; self.folder = folder
        self.sources = sources ?? dataset.mirrors.map { .mirror($0) }
    }

    public static func partialPath(_ folder: String, _ file: String) -> String { Paths.join(folder, ".\(file).part") }

    /// Fetches every file not already present and sound; returns each file's outcome.
    public func run() throws -> [String: Outcome] {
        let created = try createFolders(folder)
        // Two `aekit data get` into one folder would append to the same partial files: the
        // second is refused, naming the first (as a second `aekit train` on a run folder is).
        // The lock file is inside the folder (`.lock`, beside the four files), so nothing is
        // written outside the folder the user named.
        let lock = try RunLock(folder: folder, created: created)
        defer { lock.release() }
        do {
            let outcomes = try fetchAll()
            if let unpacksTo = dataset.unpacksTo, !FileManager.default.fileExists(atPath: Paths.join(folder, unpacksTo)) {
                try ArchiveUnpacking.unpack(Paths.join(folder, dataset.files[0].name), folder: unpacksTo, into: folder)
            }
            return outcomes
        } catch {
            // Nothing fetched: no folder left behind (one holding a partial file stays, to resume).
            lock.abandon()
            throw error
        }
    }

    private func fetchAll() throws -> [String: Outcome] {
        var outcomes: [String: Outcome] = [:]
        for file in dataset.files {
            let target = Paths.join(folder, file.name)
            if FileManager.default.fileExists(atPath: target) {
                let check = try file.check(target)
                guard case .mismatch = check else {
                    outcomes[file.name] = .present(check)
                    continue
                }
                // A damaged file under the final name (copied in by hand): fetch it again.
                try FileManager.default.removeItem(atPath: target)
            }
            outcomes[file.name] = try fetch(file, to: target)
        }
        return outcomes
    }

    private func fetch(_ file: KnownFile, to target: String) throws -> Outcome {
        let partial = DatasetDownload.partialPath(folder, file.name)
        var failures: [(source: String, why: String, offline: Bool)] = []
        for source in sources {
            do {
                switch source {
                case .folder(let path):
                    let data = try readRegularFile(Paths.join(path, file.name), limit: KnownFile.fileLimit)
                    // Flushed to disk by `moveDurably` once checked.
                    try writeAtomically(data, to: partial)
                    progress(DownloadProgress(file: file.name, source: path, bytes: data.count, total: data.count,
                                              rate: 0, isFinished: true))
                case .mirror(let base):
                    try HTTPFileTransfer(url: base.appendingPathComponent(file.name), partial: partial, file: file.name,
                                         progress: progress).run()
                }
            } catch let error as TransferFailure {
                failures.append((source.description, error.description, error.isOffline))
                continue
            } catch {
                failures.append((source.description, "\(error)", false))
                continue
            }
            let check = try file.check(partial)
            if case .mismatch(let md5, let content) = check {
                try? FileManager.default.removeItem(atPath: partial)
                failures.append((source.description, "the file it served has MD5 \(md5)"
                                 + (content.map { " (content \($0))" } ?? " and is not gzip data")
                                 + "; expected \(file.md5)" + (file.contentMD5.map { " (or content \($0))" } ?? "")
                                 + ": a damaged or different file", false))
                continue
            }
            try moveDurably(partial, to: target)
            return .fetched(from: source.description, check)
        }
        var message = "\(dataset.name): cannot fetch \(file.name):\n"
            + failures.map { "  \($0.source): \($0.why)" }.joined(separator: "\n")
        if FileManager.default.fileExists(atPath: partial) {
            message += "\n  the part fetched so far is kept (\(partial)); running the command again resumes it"
        }
        let offline = !failures.isEmpty && failures.allSatisfy(\.offline)
        throw DatasetError.notFound(message, hint: offline ? "offline? use --mirror DIR or --data DIR" : "")
    }
}

/// Why one transfer failed, in words; `isOffline` where no server could be reached at all.
struct TransferFailure: Error, CustomStringConvertible {
    let description: String
    let isOffline: Bool
}

/// One HTTP GET streamed into `partial`, resumed with a Range request where `partial` already
/// holds a start. URLSession (FoundationNetworking on Linux) does the HTTP.
private final class HTTPFileTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Thread-safety: the delegate's calls come one at a time on the session's serial queue;
    // `run` reads the results only after `finished` is signalled.
    let url: URL, partial: String, file: String
    let progress: (DownloadProgress) -> Void
    private var handle: FileHandle?
    private var offset = 0, bytes = 0, total: Int?
    private var failure: TransferFailure?
    private var start = Date(), lastReport = Date.distantPast
    private let finished = DispatchSemaphore(value: 0)

    init(url: URL, partial: String, file: String, progress: @escaping (DownloadProgress) -> Void) {
        self.url = url; self.partial = partial; self.file = file; self.progress = progress
    }

    func run() throws {
        offset = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0
        var request = URLRequest(url: url, timeoutInterval: 30)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: queue)
        start = Date()
        session.dataTask(with: request).resume()
        finished.wait()
        session.finishTasksAndInvalidate()
        try? handle?.close()
        if let failure { throw failure }
    }

    /// The part file, opened for writing (created where missing).
    private func openPartial() throws -> FileHandle {
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError.unwritable(partial, FileError.errnoText()) }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let length = response.expectedContentLength >= 0 ? Int(response.expectedContentLength) : nil
        do {
            switch status {
            case 206 where offset > 0:
                // Content-Range: bytes START-END/TOTAL must start where the part ends.
                let range = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Range") ?? ""
                guard range.hasPrefix("bytes \(offset)-") else {
                    throw TransferFailure(description: "answered a resume from byte \(offset) with \(range)", isOffline: false)
                }
                total = length.map { offset + $0 }
                handle = try openPartial()
                try handle?.seekToEnd()
            case 200:
                // A whole file (a server that ignores Range sends this too): start the part anew.
                offset = 0
                total = length
                handle = try openPartial()
                try handle?.truncate(atOffset: 0)
            case 416 where offset > 0:
                // The part is already whole: the caller's checksum decides.
                throw TransferFailure(description: "", isOffline: false)
            default:
                throw TransferFailure(description: "HTTP \(status) for \(url.absoluteString)", isOffline: false)
            }
            completionHandler(.allow)
        } catch let error as TransferFailure {
            failure = error.description.isEmpty ? nil : error
            completionHandler(.cancel)
        } catch {
            failure = TransferFailure(description: "cannot write \(partial): \(error)", isOffline: false)
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = TransferFailure(description: "cannot write \(partial): \(error)", isOffline: false)
            dataTask.cancel()
            return
        }
        bytes += data.count
        if Date().timeIntervalSince(lastReport) >= 0.2 {
            lastReport = Date()
            report(finished: false)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error, failure == nil, (error as? URLError)?.code != .cancelled {
            let code = (error as? URLError)?.code
            let offline: Bool = [.notConnectedToInternet, .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed,
                                 .timedOut, .networkConnectionLost].contains { $0 == code } && bytes == 0
            failure = TransferFailure(description: "\(error.localizedDescription) after \(bytes) bytes"
                                      + (bytes > 0 ? " (kept; the next try resumes)" : ""), isOffline: offline)
        } else if failure == nil, let total, offset + bytes < total {
            failure = TransferFailure(description: "the connection ended after \(offset + bytes) of \(total) bytes "
                                      + "(kept; the next try resumes)", isOffline: false)
        }
        if failure == nil { report(finished: true) }
        finished.signal()
    }

    private func report(finished: Bool) {
        let seconds = max(Date().timeIntervalSince(start), 1e-3)
        progress(DownloadProgress(file: file, source: url.deletingLastPathComponent().absoluteString, bytes: offset + bytes,
                                  total: total, rate: Double(bytes) / seconds, isFinished: finished))
    }
}
