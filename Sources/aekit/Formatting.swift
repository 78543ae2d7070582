import AEKit
import ArgumentParser
import Compute
import Foundation

/// Left-aligned columns separated by two spaces.
func table(_ rows: [[String]]) -> String {
    let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
        rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
    }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Writes to standard error (progress and choices that must not mix with --json output).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Says on standard error, once per process, when OpenBLAS runs older kernels than this CPU
/// can (see `BLASInfo`): every CPU figure and epoch after it is slower than the machine.
func printBLASWarning() { _ = blasWarningOnce }

private let blasWarningOnce: Void = {
    if let warning = BLASInfo.current.warning { printError("warning: \(warning)") }
}()

/// A file named on the command line that was found but whose content is wrong (a model file
/// with layers AEKit cannot build): the message on standard error, then exit status 65
/// (sysexits.h's EX_DATAERR, "the input data was incorrect"), not ArgumentParser's 64 and
/// usage text, which say the command line itself was mistyped.
func contentError(_ message: String) -> ExitCode {
    printError("Error: \(message)")
    return ExitCode(65)
}

/// Runs `body`, turning the library's refusal of a setting (`TrainingError.configuration`) into
/// a flag error, which ArgumentParser prints with the usage line and exits 64 for.
func asFlagError<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch TrainingError.configuration(let why) { throw ValidationError(why) }
}

/// How a command reports a run and its data: a progress bar redrawn on a terminal, plain lines
/// in a log or pipe.
func consoleProgress() -> any TrainingProgress {
    isatty(STDERR_FILENO) == 1 ? TerminalProgress() : LineProgress()
}
