import AEKit
import ArgumentParser
import Compute
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "List the datasets AEKit knows and where they are; fetch MNIST, Fashion-MNIST or CIFAR-10; show what a source holds.",
        subcommands: [DataListCommand.self, DataGetCommand.self, DataShowCommand.self])
}

struct DataListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every dataset AEKit knows, where each is found, its files and whether their checksums match.")

    @Option(help: "Also describe this folder or file as --data reads it (count, shape, classes), and check an IDX folder's files against the datasets' checksums.")
    var data: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Entry: Encodable {
        let dataset: String
        /// data store, Debian's package, or --data.
        let location: String
        let folder: String
        /// Whether this folder is the one a recipe uses without --data.
        let used: Bool
        let files: [FileEntry]
    }

    struct FileEntry: Encodable {
        let name: String
        /// original (the publisher's gz), same content (compressed again), mismatch, missing.
        let checksum: String
    }

    func run() throws {
        var entries: [Entry] = []
        for known in KnownDataset.all {
            let used = try? DataSource(name: known.name).folder()
            let checksData = known.unpacksTo == nil && data.map { (try? DataSource(name: "custom", directory: $0).kind().kind) == .idx } ?? false
            var places = [("data store", known.storeFolder())]
            if let packaged = known.packagedFolder { places.append(("Debian's package", packaged)) }
            if let data, checksData { places.append(("--data", data)) }
            for (location, folder) in places {
                entries.append(Entry(dataset: known.name, location: location, folder: folder, used: used == folder,
                                     files: known.files.map { FileEntry(name: $0.name, checksum: Self.state($0, in: folder)) }))
            }
        }
        if json { print(try jsonString(entries)); return }
        var rows = [["dataset", "where", "folder", "files", "checksums", "used"]]
        for entry in entries {
            let present = entry.files.filter { $0.checksum != "missing" }
            let states = Set(present.map(\.checksum))
            let summary = present.isEmpty ? "-" : states.contains("mismatch") || states.contains("unreadable")
                ? entry.files.filter { $0.checksum == "mismatch" || $0.checksum == "unreadable" }.map { "\($0.name): \($0.checksum)" }.joined(separator: ", ")
                : "match"
            rows.append([entry.dataset, entry.location, entry.folder, "\(present.count)/\(entry.files.count)", summary,
                         entry.used ? "yes" : ""])
        }
        print(table(rows))
        print("\nused: the folder `aekit train` reads without --data. Fetch a dataset with `aekit data get NAME`.")
        if let data {
            print("")
            _ = try DataShowCommand.describe(DataSource(name: "custom", directory: data))
        }
    }

    static func state(_ file: KnownFile, in folder: String) -> String {
        let path = Paths.join(folder, file.name)
        guard FileManager.default.fileExists(atPath: path) else { return "missing" }
        switch try? file.check(path) {
        case .original: return "original"
        case .sameContent: return "same content"
        case .mismatch: return "mismatch"
        case nil: return "unreadable"
        }
    }
}

struct DataGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Fetch a dataset's files (MNIST's four IDX files, CIFAR-10's archive) into the data store, checked against their MD5s.",
        discussion: """
            The data store is $AEKIT_DATA/<name>, else $XDG_DATA_HOME/aekit/datasets/<name>, else \
            ~/.local/share/aekit/datasets/<name>; recipes find it without --data. Mirrors are tried in \
            order; an interrupted download resumes where it stopped when the command runs again. \
            CIFAR-10's archive is unpacked beside it once its MD5 matches.
            """)

    @Argument(help: "mnist, fashion-mnist or cifar10.")
    var name: String

    @Option(help: "Fetch from this mirror (an http(s) URL of a folder with the dataset's files) or local folder instead.")
    var mirror: String?

    @Option(help: "cifar10: the MD5 the archive must have, where it is not the publisher's (a copy you packed yourself).")
    var md5: String?

    @Option(help: "Put the files here instead of the data store.")
    var into: String?

    func run() throws {
        var known = try KnownDataset.named(name)
        if let md5 {
            guard known.files.count == 1, md5.count == 32, md5.allSatisfy(\.isHexDigit) else {
                throw ValidationError("--md5 takes 32 hex digits, for a dataset fetched as one archive (cifar10)")
            }
            known.files[0].md5 = md5.lowercased()
        }
        let folder = into ?? known.storeFolder()
        let download = DatasetDownload(dataset: known, folder: folder, sources: mirror.map { [DataSourceLocation($0)] })
        let terminal = isatty(STDERR_FILENO) == 1
        download.progress = { p in
            let size = p.total.map { " / \(formatBytes($0))" } ?? ""
            let rate = p.rate > 0 ? "  \(formatBytes(Int(p.rate)))/s" : ""
            let line = "\(p.file)  \(formatBytes(p.bytes))\(size)\(rate)  from \(p.source)"
            if terminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (p.isFinished ? "\n" : "")).utf8))
            } else if p.isFinished {
                printError(line)
            }
        }
        let outcomes = try download.run()
        for file in known.files {
            switch outcomes[file.name] {
            case .present(let check): print("\(file.name): already there, \(Self.words(check))")
            case .fetched(let source, let check): print("\(file.name): fetched from \(source), \(Self.words(check))")
            case nil: break
            }
        }
        print("\(known.name) is in \(folder)")
    }

    static func words(_ check: KnownFile.Check) -> String {
        switch check {
        case .original: "MD5 matches the original"
        case .sameContent: "content MD5 matches the original's (compressed again)"
        case .mismatch: "MD5 mismatch"
        }
    }
}
