@testable import AEKit
import Compute
import Foundation
import Fuzzing
import Testing

/// Every option that takes a path, given the paths users type. swift-corelibs-foundation's
/// `NSString` path helpers trapped on one-component paths (`--out x` crashed), so each option
/// runs the real `aekit` with each generated path and must either work or end with an error
/// naming the path; it must never crash, and never write outside the folder it names.
@Suite struct PathTests {
    /// An option that takes a path, and what it does with it.
    enum Option: String, CaseIterable, Sendable {
        case out = "--out", resume = "--resume", data = "--data", checkpoint = "--checkpoint", encoder = "--encoder"
        case mirror = "--mirror", into = "--into", aekitData = "AEKIT_DATA", xdgData = "XDG_DATA_HOME"
        case xdgCache = "XDG_CACHE_HOME"

        /// Names a file rather than a folder.
        var isFile: Bool { self == .checkpoint || self == .encoder }
        /// Only reads what the path names.
        var onlyReads: Bool { [.data, .checkpoint, .encoder, .mirror].contains(self) }
        /// An XDG variable: the spec wants an absolute path, so the test gives the typed path
        /// prefixed with the working folder.
        var isXDG: Bool { self == .xdgData || self == .xdgCache }
    }

    struct Case: CustomStringConvertible, Sendable {
        let option: Option
        /// The path, relative to the command's working folder (`work/cwd`).
        let shape: AwkwardPath
        var description: String { "\(option.rawValue) \(shape)" }

        /// Whether the command must succeed; where not, it must fail naming the path.
        var works: Bool {
            // A file option given a folder (`.`, `..`) or a file with a trailing slash.
            if option.isFile && [.trailingSlash, .dot, .dotDot].contains(shape) { return false }
            switch shape {
            // The program cache is optional: a cache folder that cannot be made leaves programs uncached.
            case .fileInTheWay, .tooLong: return option == .xdgCache
            case .unwritable: return option.onlyReads || option == .xdgCache
            // `..` holds the working folder: no run is there to resume, and `--out` refuses a
            // folder holding files that are not a run.
            case .dotDot: return option != .out && option != .resume
            default: return true
            }
        }

        /// Whether the test puts what the option reads at the path first (a file given with a
        /// trailing slash is there, without it).
        var prepared: Bool {
            switch shape {
            case .fileInTheWay, .tooLong: return false
            case .dot, .dotDot: return !option.isFile && option != .resume || works
            default: return true
            }
        }
    }

    static let cases: [Case] = Option.allCases.flatMap { option in AwkwardPath.allCases.map { Case(option: option, shape: $0) } }

    @Test(arguments: cases)
    func everyPathWorksOrIsRefusedByName(_ test: Case) throws {
        if test.shape == .unwritable && getuid() == 0 && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            return  // root ignores permissions, and there is no setpriv to drop them
        }
        let work = try temporaryFolder("aekit-path"), cwd = Paths.join(work, "cwd"), home = Paths.join(work, "home")
        defer { try? FileManager.default.removeItem(atPath: work) }
        for folder in [cwd, home] { try createFolders(folder) }
        let typed = test.option.isXDG ? Paths.join(cwd, test.shape.text) : test.shape.text
        let absolute = typed.hasPrefix("/") ? typed : Paths.join(cwd, typed)
        let data = Paths.join(work, "data"), store = Paths.join(work, "store"), runOut = Paths.join(work, "run-out")
        try createFolders(data)
        try writeSyntheticIDX(to: data)

        // What must exist at the path before the command runs, and the path's surroundings.
        let real = Paths.join(work, "real")
        if test.shape == .symlink && !test.option.isFile { try createFolders(real) }
        if test.shape == .fileInTheWay { try writeAtomically(Data("not a folder".utf8), to: Paths.join(cwd, "plain-file")) }
        if test.prepared { try PathTests.prepare(test.option, at: test.shape == .symlink ? real : absolute, data: data) }
        if test.shape == .symlink { #expect(symlink(real, absolute) == 0) }
        if test.shape == .unwritable {
            // Only the folder the option names is out of reach: where the command writes
            // anything else (a run's --out, the data store), `nobody` may write.
            try createFolders(Paths.join(cwd, "locked"))
            for folder in [runOut, store] { try createFolders(folder); chmod(folder, 0o777) }
            if getuid() != 0 { chmod(Paths.join(cwd, "locked"), 0o555) }
        }

        var environment = ["HOME": home, "AEKIT_DATA": store]
        var arguments: [String]
        let trainSmall = ["train", "--recipe", "s3", "--data", data, "--dataset", "custom", "--hidden", "4", "--epochs", "1",
                          "--validation", "test", "--device", "cpu"]
        switch test.option {
        case .out: arguments = trainSmall + ["--out", typed]
        case .resume: arguments = ["train", "--resume", typed, "--epochs", "2", "--device", "cpu"]
        case .data: arguments = trainSmall.map { $0 == data ? typed : $0 } + ["--out", runOut]
        case .checkpoint: arguments = ["evaluate", "--checkpoint", typed, "--data", data, "--dataset", "custom", "--device", "cpu"]
        case .encoder:
            arguments = ["train", "--recipe", "s4-classifier", "--encoder", typed, "--data", data, "--dataset", "custom",
                         "--hidden", "4", "--epochs", "1", "--device", "cpu", "--out", runOut]
        case .mirror: arguments = ["data", "get", "mnist", "--mirror", typed]
        case .into: arguments = ["data", "get", "mnist", "--mirror", sharedMNIST, "--into", typed]
        case .aekitData:
            environment["AEKIT_DATA"] = typed
            arguments = ["data", "get", "mnist", "--mirror", sharedMNIST]
        case .xdgData:
            environment["AEKIT_DATA"] = nil
            environment["XDG_DATA_HOME"] = typed
            arguments = ["data", "get", "mnist", "--mirror", sharedMNIST]
        case .xdgCache:
            environment["XDG_CACHE_HOME"] = typed
            arguments = ["parity", "--device", "opencl", "--only", "pixel_loss", "--cases", "1"]
        }

        let before = PathTests.listing(work)
        let result = try PathTests.run(arguments, in: cwd, environment: environment, unprivileged: test.shape == .unwritable)
        #expect(!result.crashed, "\(test) crashed: \(result.output)")
        if test.works {
            #expect(result.status == 0, "\(test) failed: \(result.output)")
            #expect(PathTests.produced(test.option, at: absolute, store: store, runOut: runOut, output: result.output,
                                       expectCache: ![.fileInTheWay, .tooLong, .unwritable].contains(test.shape)),
                    "\(test): \(result.output)")
            // Written only inside the folder the option names (and the run's own --out), and
            // the folders on the way to it.
            let allowed = [PathTests.writes(test.option, at: absolute, store: store, runOut: runOut)].compactMap { $0 }
                .map { resolvedPath($0) }
            let outside = PathTests.listing(work).subtracting(before).filter { path in
                !allowed.contains { path == $0 || path.hasPrefix($0 + "/") || $0.hasPrefix(path + "/") }
            }
            #expect(outside.isEmpty, "\(test) wrote outside \(allowed): \(outside.sorted())")
        } else {
            #expect(result.status != 0, "\(test) should have been refused: \(result.output)")
            #expect(result.output.contains(typed) || result.output.contains(absolute), "\(test): the error names no path: \(result.output)")
            // A refused command leaves nothing behind.
            #expect(PathTests.listing(work) == before, "\(test) left \(PathTests.listing(work).symmetricDifference(before).sorted())")
        }
    }

    /// What the option needs to find at `path`: a dataset, a run, a checkpoint, a mirror.
    static func prepare(_ option: Option, at path: String, data: String) throws {
        switch option {
        case .data:
            try createFolders(path)
            try writeSyntheticIDX(to: path)
        case .resume:
            let made = try run(["train", "--recipe", "s3", "--data", data, "--dataset", "custom", "--hidden", "4", "--epochs", "1",
                                "--validation", "test", "--device", "cpu", "--out", path], in: "/", environment: [:])
            #expect(made.status == 0, "\(made.output)")
        case .checkpoint, .encoder:
            // Copied, not written atomically: a temporary name beside a 255-byte name is too long.
            try createFolders(Paths.parent(path))
            let made = try checkpoints.get()
            try FileManager.default.copyItem(atPath: option == .checkpoint ? made.dense : made.convLinear, toPath: path)
        case .mirror:
            try createFolders(path)
            for file in KnownDataset.mnist.files { #expect(symlink(Paths.join(sharedMNIST, file.name), Paths.join(path, file.name)) == 0) }
        case .out, .into, .aekitData, .xdgData, .xdgCache: break
        }
    }

    /// A dense and a conv-linear checkpoint, trained once for every case that reads one.
    static let checkpoints: Result<(dense: String, convLinear: String), any Error> = Result {
        let folder = try temporaryFolder("aekit-path-checkpoints"), data = Paths.join(folder, "data")
        try createFolders(data)
        try writeSyntheticIDX(to: data)
        for (name, model) in [("dense", "dense"), ("conv", "conv-linear")] {
            let made = try run(["train", "--recipe", "s3", "--model", model, "--data", data, "--dataset", "custom", "--hidden", "4",
                                "--epochs", "1", "--validation", "test", "--device", "cpu", "--out", Paths.join(folder, name)],
                               in: folder, environment: [:])
            guard made.status == 0 else { throw FileError.unreadable(name, made.output) }
        }
        return (Paths.join(folder, "dense/model.safetensors"), Paths.join(folder, "conv/model.safetensors"))
    }

    /// Whether the command left what it is for.
    static func produced(_ option: Option, at path: String, store: String, runOut: String, output: String, expectCache: Bool) -> Bool {
        let exists = { FileManager.default.fileExists(atPath: $0) }
        let mnist = { (folder: String) in KnownDataset.mnist.files.allSatisfy { exists(Paths.join(folder, $0.name)) } }
        switch option {
        case .out: return exists(Paths.join(path, "model.safetensors")) && exists(Paths.join(path, "final.json"))
        case .resume: return (try? String(contentsOfFile: Paths.join(path, "metrics.csv"), encoding: .utf8))?.contains("\n2,") == true
        case .data, .encoder: return exists(Paths.join(runOut, "final.json"))
        case .checkpoint: return output.contains("loss ")
        case .mirror: return mnist(Paths.join(store, "mnist"))
        case .into: return mnist(path)
        case .aekitData: return mnist(Paths.join(path, "mnist"))
        case .xdgData: return mnist(Paths.join(path, "aekit/datasets/mnist"))
        case .xdgCache:
            let files = (try? FileManager.default.contentsOfDirectory(atPath: Paths.join(path, "aekit"))) ?? []
            return files.contains { $0.hasSuffix(".bin") } == expectCache
        }
    }

    /// The folder the command may write in.
    static func writes(_ option: Option, at path: String, store: String, runOut: String) -> String? {
        switch option {
        case .out, .resume, .into, .aekitData, .xdgData, .xdgCache: path
        case .data, .encoder: runOut
        case .mirror: store
        case .checkpoint: nil
        }
    }

    /// Every file and folder under `root`, by resolved path (symbolic links not followed).
    static func listing(_ root: String) -> Set<String> {
        let root = resolvedPath(root)
        var found: Set<String> = [], pending = [root]
        while let folder = pending.popLast() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = Paths.join(folder, name)
                found.insert(path)
                var info = stat()
                if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
            }
        }
        return found
    }

    /// Runs aekit in `directory` with a clean environment (no data store or cache of the
    /// user's), as the unprivileged user `nobody` with `unprivileged` when this is root.
    static func run(_ arguments: [String], in directory: String, environment: [String: String],
                    unprivileged: Bool = false) throws -> (status: Int32, crashed: Bool, output: String) {
        let process = Process()
        let binary = try aekitBinary().path
        if unprivileged && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        // A sanitized run's settings (ASAN_OPTIONS' detect_leaks=0 …) reach the sanitized child too.
        let inherited = ProcessInfo.processInfo.environment.filter { key, _ in
            ["PATH", "LANG", "OCL_ICD_VENDORS", "AEKIT_THREADS"].contains(key) || key.hasPrefix("OPENBLAS_") || key.hasPrefix("POCL_")
                || key.hasSuffix("SAN_OPTIONS")
        }
        // PoCL keeps its compiled kernels under XDG_CACHE_HOME too: one folder for all cases, and
        // one of its own for `nobody`, who cannot write in the folders PoCL made as root.
        var base = inherited.merging(["HOME": "/nonexistent", "POCL_CACHE_DIR": unprivileged ? unprivilegedPoCLCache : pocLCache]) { $1 }
        base.merge(environment) { $1 }
        process.environment = base
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        return try runToEnd(process)
    }

    static let pocLCache: String = (try? temporaryFolder("aekit-path-pocl")) ?? "/tmp"
    static let unprivilegedPoCLCache: String = {
        let folder = (try? temporaryFolder("aekit-path-pocl-nobody")) ?? "/tmp"
        chmod(folder, 0o777)
        return folder
    }()
}
