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

/// Runs `body`, turning the library's refusal of a setting (`TrainingError.configuration`) into
/// a flag error, which ArgumentParser prints with the usage line and exits 64 for.
func asFlagError<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch TrainingError.configuration(let why) { throw ValidationError(why) }
}
