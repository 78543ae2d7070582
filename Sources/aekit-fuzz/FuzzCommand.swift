import Compute
import Fuzzing
import Foundation

#if LIBFUZZER
// Built by scripts/fuzz with AddressSanitizer and coverage instrumentation, and linked with
// libFuzzer's engine without its main(): SwiftPM gives a sanitizer build's libFuzzer main()
// to every executable, the package's build tools too, which then fail to link. So this main()
// hands the command line to libFuzzer (`aekit-fuzz TARGET [libFuzzer flags] CORPUS`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

nonisolated(unsafe) private var target = FuzzTarget.idx

@main
struct FuzzCommand {
    static func main() {
        var arguments = CommandLine.arguments
        guard arguments.count > 1, let chosen = FuzzTarget(rawValue: arguments.remove(at: 1)) else {
            fatalError("usage: aekit-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) [libFuzzer flags] CORPUS")
        }
        target = chosen
        var argc = Int32(arguments.count)
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var argv = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                target.run(size == 0 ? Data() : Data(bytes: data!, count: size))
                return 0
            }
        }
        exit(status)
    }
}
#else
/// `aekit-fuzz TARGET [RUNS] [SEED]`: the seeded mutation fuzzer; `aekit-fuzz TARGET --seeds
/// DIR` writes the seed files (libFuzzer's starting corpus); `aekit-fuzz TARGET FILE` runs
/// one file (to replay a crash libFuzzer saved).
@main
struct FuzzCommand {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            let targets = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: aekit-fuzz \(targets) [RUNS [SEED] | --seeds DIR | FILE]\n".utf8))
            exit(2)
        }
        if arguments.count == 3, arguments[1] == "--seeds" {
            try createFolders(arguments[2])
            for (i, seed) in try target.seeds().enumerated() {
                try writeAtomically(seed, to: Paths.join(arguments[2], "seed-\(i)"))
            }
            return
        }
        if arguments.count == 2, Int(arguments[1]) == nil {
            target.run(try readRegularFile(arguments[1], limit: 1 << 30))
            print("\(arguments[1]): no crash")
            return
        }
        let runs = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
        let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1
        let seconds = try Mutator.run(target, count: runs, seed: seed)
        print(String(format: "%@: %d inputs from seed %llu, 0 crashes, %.1f s (%.0f inputs/s)",
                     target.rawValue, runs, seed, seconds, Double(runs) / seconds))
    }
}
#endif
