@testable import AEKit
import Compute
import Foundation
import Testing

/// The repository's root, and the real MNIST beside it (`../shared/datasets/mnist`, read only).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let sharedMNIST = repositoryRoot.deletingLastPathComponent().appending(path: "shared/datasets/mnist").path

/// `Tests/Fixtures/mirror_server.py` serving `folder` on 127.0.0.1 (see its comment for the
/// paths /good/, /missing/, /corrupt/ and /cut/); stopped when released.
final class MirrorServer {
    let process = Process()
    let port: Int
    private let log = Pipe()

    init(serving folder: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot.appending(path: "Tests/Fixtures/mirror_server.py").path, folder]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = log
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the mirror server did not start"])
        }
        self.port = port
    }

    func url(_ mode: String) -> DataSourceLocation { .mirror(URL(string: "http://127.0.0.1:\(port)/\(mode)/")!) }

    /// The requests so far, one `GET PATH RANGE` line each (stops the server).
    func requests() -> [String] {
        stop()
        let text = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    /// SIGKILL: the test runner's children may inherit SIGTERM ignored.
    private func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

@Suite(.serialized) struct DataDownloadTests {
    /// The folder's files, less the lock a fetch holds (`.lock`, which stays, as a run folder's does).
    private func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != ".lock" }.sorted()
    }

    @Test func aDatasetIsFetchedCheckedAndFoundByTheRecipes() throws {
        let server = try MirrorServer(serving: sharedMNIST)
        let store = try temporaryFolder(), folder = store + "/mnist"
        let outcomes = try DatasetDownload(dataset: .mnist, folder: folder, sources: [server.url("good")]).run()
        // The copy beside the sources has a re-compressed train-images file: same content, other MD5.
        #expect(outcomes["train-images-idx3-ubyte.gz"] == .fetched(from: server.url("good").description, .sameContent))
        #expect(outcomes["t10k-labels-idx1-ubyte.gz"] == .fetched(from: server.url("good").description, .original))
        #expect(files(in: folder) == KnownDataset.mnist.files.map(\.name).sorted())
        #expect(try DataSource(name: "mnist").folder(environment: ["AEKIT_DATA": store]) == folder)
        #expect(try DataSource(name: "mnist", directory: folder).load().train.count == 60_000)
        // A second run finds everything in place and fetches nothing.
        let again = try DatasetDownload(dataset: .mnist, folder: folder, sources: [server.url("good")]).run()
        #expect(again.values.allSatisfy { if case .present = $0 { true } else { false } })
        #expect(server.requests().count == 4)
    }

    @Test func aCorruptedFileIsRefusedAndNothingIsLeft() throws {
        let server = try MirrorServer(serving: sharedMNIST)
        let folder = try temporaryFolder() + "/mnist"
        #expect {
            try DatasetDownload(dataset: .mnist, folder: folder, sources: [server.url("corrupt")]).run()
        } throws: { "\($0)".contains("the file it served has MD5") && "\($0)".contains("train-images-idx3-ubyte.gz") }
        #expect(files(in: folder).isEmpty)
    }

    @Test func anInterruptedDownloadResumesWhereItStopped() throws {
        let server = try MirrorServer(serving: sharedMNIST)
        let folder = try temporaryFolder() + "/mnist"
        let first = KnownDataset.mnist.files[0].name
        #expect {
            try DatasetDownload(dataset: .mnist, folder: folder, sources: [server.url("cut")]).run()
        } throws: { "\($0)".contains("running the command again resumes it") }
        let part = DatasetDownload.partialPath(folder, first)
        let kept = try #require(FileManager.default.attributesOfItem(atPath: part)[.size] as? Int)
        #expect(kept > 0)
        #expect(files(in: folder) == [Paths.name(part)])
        _ = try DatasetDownload(dataset: .mnist, folder: folder, sources: [server.url("good")]).run()
        #expect(files(in: folder) == KnownDataset.mnist.files.map(\.name).sorted())
        #expect(server.requests().contains("GET /good/\(first) bytes=\(kept)-"))
    }

    @Test func aMirrorWithoutTheFileFallsThroughToTheNext() throws {
        let server = try MirrorServer(serving: sharedMNIST)
        let folder = try temporaryFolder() + "/mnist"
        let outcomes = try DatasetDownload(dataset: .mnist, folder: folder, sources: [server.url("missing"), server.url("good")]).run()
        #expect(outcomes.values.allSatisfy { if case .fetched(let source, _) = $0 { source.hasSuffix("/good/") } else { false } })
        #expect(server.requests().filter { $0.hasPrefix("GET /missing/") }.count == 4)
    }

    @Test func aSecondFetchIntoTheSameFolderIsRefused() throws {
        let store = try temporaryFolder(), folder = store + "/mnist"
        // Another `aekit data get` holding the folder's lock (flock conflicts across descriptors).
        try createFolders(folder)
        let held = try RunLock(folder: folder)
        defer { held.release() }
        #expect {
            try DatasetDownload(dataset: .mnist, folder: folder, sources: [.folder(sharedMNIST)]).run()
        } throws: { "\($0)".contains("\(folder) is in use by process \(getpid())") }
        #expect(files(in: folder).isEmpty)
    }

    @Test func noServerAtAllSaysOffline() throws {
        let folder = try temporaryFolder() + "/mnist"
        // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
        #expect {
            try DatasetDownload(dataset: .mnist, folder: folder, sources: [.mirror(URL(string: "http://127.0.0.1:1/")!)]).run()
        } throws: { "\($0)".contains("offline? use --mirror DIR or --data DIR") }
        #expect(files(in: folder).isEmpty)
    }

    @Test func theCommandFetchesFromAFolderAndListsTheStore() throws {
        let store = try temporaryFolder()
        let get = try aekit(["data", "get", "mnist", "--mirror", sharedMNIST], environment: ["AEKIT_DATA": store])
        #expect(get.status == 0, "\(get.output)")
        #expect(get.output.contains("mnist is in \(store)/mnist"))
        let list = try aekit(["data", "list", "--json"], environment: ["AEKIT_DATA": store])
        #expect(list.status == 0)
        let entries = try #require(JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])
        let used = entries.filter { $0["used"] as? Bool == true }.compactMap { $0["folder"] as? String }
        #expect(used.contains("\(store)/mnist"), "\(list.output)")
        let unknown = try aekit(["data", "get", "cifar"], environment: ["AEKIT_DATA": store])
        #expect(unknown.status != 0 && unknown.output.contains("unknown dataset 'cifar'"))
        let noData = try aekit(["train", "--recipe", "s0", "--epochs", "1", "--device", "cpu", "--limit", "100"],
                               in: try temporaryFolder(), environment: ["AEKIT_DATA": try temporaryFolder()])
        #expect(noData.status != 0 && noData.output.contains("aekit data get mnist"))
    }
}
