/// Paths as users type them, the ones that break path code: a one-letter name (`--out x`
/// crashed in Foundation's `NSString` helpers), unicode, spaces, a newline, a 255-byte name,
/// `x/`, `./x`, `x//y`, `.`, `..`, and a path of 4 096 bytes. The path test runs every option
/// that takes a path with each (adding a symlink, a file in the way and an unwritable folder),
/// and the run-folder fuzz target writes them into the records it mutates.
public enum AwkwardPath: CaseIterable, Sendable, CustomStringConvertible {
    case oneLetter, unicode, spaces, newline, longName, trailingSlash, dotSlash, doubleSlash, nested, dot, dotDot
    case symlink, fileInTheWay, tooLong, unwritable

    /// The path as typed, relative to the working folder.
    public var text: String {
        switch self {
        case .oneLetter: "x"
        case .unicode: "ü"
        case .spaces: "a b/c d"
        case .newline: "new\nline"
        case .longName: String(repeating: "n", count: 255)  // NAME_MAX
        case .trailingSlash: "y/"
        case .dotSlash: "./z"
        case .doubleSlash: "k//l"
        case .nested: "é/ü/k"  // a deep path whose first folder has a one-letter name
        case .dot: "."
        case .dotDot: ".."
        case .symlink: "link"  // the path test makes it a link to a folder or a file
        case .fileInTheWay: "plain-file/sub"  // the path test makes plain-file a regular file
        // 4 096 bytes: PATH_MAX counts the terminating NUL, so the kernel refuses it.
        case .tooLong: String(String(repeating: String(repeating: "d", count: 199) + "/", count: 21).prefix(4095)) + "e"
        case .unwritable: "locked/sub"  // the path test makes locked/ unwritable
        }
    }

    public var description: String { text.utf8.count > 40 ? "\(text.utf8.count)-byte path" : text.debugDescription }

    /// The text as a JSON string literal, quotes included.
    public var jsonLiteral: String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }
}
