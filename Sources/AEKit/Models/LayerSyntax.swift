/// Reads a layer written as PyTorch writes a module — `Conv2d(1, 16, kernel_size=3, padding=1)`,
/// `MaxPool2d(2)`, `Dropout(p=0.2)` — with PyTorch's argument names, order and defaults, so a
/// line of `print(model)` is a valid layer: the reader and the argument binding live here, each
/// kind's own arguments in its `LayerKind`. Arguments AEKit does not implement (groups,
/// dilation) are accepted only at PyTorch's default and refused by name otherwise.
public struct LayerSyntaxError: Error, CustomStringConvertible {
    public let text: String
    public let why: String
    /// The class is none AEKit has (the list of those it has follows the message once).
    public var unknownLayer = false

    public var description: String { "'\(text)': \(why)" + (unknownLayer ? "; \(LayerSpec.kindsSentence)" : "") }
}

/// Every layer of a list that cannot be read, named at once with why, so a model file with
/// several layers AEKit lacks is mended in one pass, not one error at a time.
public struct LayerListError: Error, CustomStringConvertible {
    public let failures: [(index: Int, error: LayerSyntaxError)]

    public var description: String {
        let indices = failures.map { "\($0.index)" }.joined(separator: ", ")
        let lines = failures.map { "  layer \($0.index) '\($0.error.text)': \($0.error.why)" }
        let known = failures.contains { $0.error.unknownLayer } ? ["  (\(LayerSpec.kindsSentence))"] : []
        return ([(failures.count == 1 ? "layer " : "layers ") + indices + " cannot be built:"] + lines + known)
            .joined(separator: "\n")
    }
}

extension LayerSpec {
    static var kindsSentence: String { "AEKit's layers are \(kinds.joined(separator: ", "))" }

    /// Every text of `texts` read as a layer; throws `LayerListError` naming every one that
    /// cannot be, numbered as `summary` numbers them.
    public static func parsing(_ texts: [String]) throws -> [LayerSpec] {
        var layers: [LayerSpec] = [], failures: [(index: Int, error: LayerSyntaxError)] = []
        for (index, text) in texts.enumerated() {
            do { layers.append(try LayerSpec(parsing: text)) } catch let error as LayerSyntaxError { failures.append((index, error)) }
        }
        guard failures.isEmpty else { throw LayerListError(failures: failures) }
        return layers
    }

    /// The layer `text` writes, found by its class name among `LayerSpec.kinds`, its arguments
    /// read with PyTorch's names, order and defaults; throws naming what is wrong.
    public init(parsing text: String) throws {
        var reader = SyntaxReader(text)
        let call = try reader.call()
        guard let type = LayerSpec.kindTypes.first(where: { $0.classNames.contains(call.name) }) else {
            throw LayerSyntaxError(text: text, why: "AEKit has no layer '\(call.name)'", unknownLayer: true)
        }
        var arguments = LayerArguments(kind: call.name, given: call.arguments, text: text)
        let definition = try type.init(className: call.name, arguments: &arguments)
        if let problem = definition.problem { throw LayerSyntaxError(text: text, why: problem) }
        self.init(definition)
    }
}

/// A value as Python writes it in a module's repr.
enum SyntaxValue: Equatable, CustomStringConvertible {
    case int(Int), float(Double), name(String), string(String), tuple([SyntaxValue])

    var description: String {
        switch self {
        case .int(let n): "\(n)"
        case .float(let x): "\(x)"
        case .name(let n): n
        case .string(let s): "'\(s)'"
        case .tuple(let items): "(\(items.map(\.description).joined(separator: ", ")))"
        }
    }
}

/// One layer's arguments, bound to PyTorch's parameter names.
struct LayerArguments {
    let kind: String
    var given: [String: SyntaxValue] = [:]
    let text: String
    private let raw: [(name: String?, value: SyntaxValue)]

    init(kind: String, given raw: [(name: String?, value: SyntaxValue)], text: String) {
        self.kind = kind; self.raw = raw; self.text = text
    }

    func error(_ why: String) -> LayerSyntaxError { LayerSyntaxError(text: text, why: "\(kind) \(why)") }

    /// Positional arguments in `names`' order, then keywords (those and `keywordOnly`'s), each
    /// name once.
    mutating func bind(_ names: [String], keywordOnly: [String] = []) throws {
        for (index, argument) in raw.enumerated() {
            let name: String
            if let keyword = argument.name {
                guard names.contains(keyword) || keywordOnly.contains(keyword) else {
                    let all = names + keywordOnly
                    throw error("has no argument '\(keyword)'" + (all.isEmpty ? "" : "; it takes \(all.joined(separator: ", "))"))
                }
                name = keyword
            } else {
                guard raw[..<index].allSatisfy({ $0.name == nil }) else { throw error("has a positional argument after a keyword") }
                guard index < names.count else { throw error("takes at most \(names.count) arguments; it is given \(raw.count)") }
                name = names[index]
            }
            guard given[name] == nil else { throw error("is given \(name) twice") }
            given[name] = argument.value
        }
    }

    func missing<T>(_ name: String) throws -> T { throw error("needs \(name)") }

    /// An argument AEKit accepts only at PyTorch's default (or, for a name, its quoted form).
    func fixed(_ name: String, _ value: SyntaxValue) throws {
        guard let got = given[name] else { return }
        let same: Bool
        switch (got, value) {
        case (.string(let s), .string(let t)), (.name(let s), .string(let t)): same = s == t
        default: same = got == value
        }
        if !same { throw error("\(name)=\(got) is not supported; AEKit implements only \(name)=\(value)") }
    }

    func int(_ name: String) throws -> Int {
        switch given[name] {
        case .int(let n)?: return n
        case nil: return try missing(name)
        case let other?: throw error("\(name) must be a whole number (got \(other))")
        }
    }

    /// A size given once or as an (h, w) pair, which must agree: AEKit's windows are square.
    /// A float is accepted where it is whole (Upsample's scale_factor=2.0).
    func square(_ name: String) throws -> Int? {
        func whole(_ value: SyntaxValue) throws -> Int {
            switch value {
            case .int(let n): return n
            case .float(let x) where x.rounded() == x && abs(x) < 1e9: return Int(x)
            default: throw error("\(name) must be a whole number or a pair of them (got \(value))")
            }
        }
        switch given[name] {
        case nil: return nil
        case .tuple(let items)?:
            guard items.count == 2 else { throw error("\(name) must be one number or a pair (got \(items.count))") }
            let (h, w) = (try whole(items[0]), try whole(items[1]))
            guard h == w else { throw error("\(name)=(\(h), \(w)) is not square; AEKit's windows are square") }
            return h
        case let value?: return try whole(value)
        }
    }

    func number(_ name: String) throws -> Double? {
        switch given[name] {
        case nil: return nil
        case .int(let n)?: return Double(n)
        case .float(let x)?: return x
        case let other?: throw error("\(name) must be a number (got \(other))")
        }
    }

    func bool(_ name: String) throws -> Bool? {
        switch given[name] {
        case nil: return nil
        case .name("True")?, .name("true")?: return true
        case .name("False")?, .name("false")?: return false
        case let other?: throw error("\(name) must be True or False (got \(other))")
        }
    }
}

/// A recursive-descent reader of `Name(value, name=value, …)`, where a value is a number, a
/// bare name (`True`, `same`), a quoted string or a tuple of values.
private struct SyntaxReader {
    private let characters: [Character]
    private var position = 0
    private let text: String

    init(_ text: String) { self.text = text; characters = Array(text) }

    private func error(_ why: String) -> LayerSyntaxError {
        LayerSyntaxError(text: text, why: position < characters.count ? "\(why) at character \(position + 1)" : "\(why) at the end")
    }

    private mutating func skipSpaces() { while position < characters.count, characters[position].isWhitespace { position += 1 } }

    private mutating func peek() -> Character? { skipSpaces(); return position < characters.count ? characters[position] : nil }

    private mutating func expect(_ c: Character) throws {
        guard peek() == c else { throw error("expected '\(c)'") }
        position += 1
    }

    private mutating func name() throws -> String {
        skipSpaces()
        let start = position
        while position < characters.count, characters[position].isLetter || characters[position] == "_"
                || (position > start && characters[position].isNumber) { position += 1 }
        guard position > start else { throw error("expected a name") }
        return String(characters[start..<position])
    }

    mutating func call() throws -> (name: String, arguments: [(name: String?, value: SyntaxValue)]) {
        let kind = try name()
        try expect("(")
        var arguments: [(name: String?, value: SyntaxValue)] = []
        while peek() != ")" {
            let start = position
            var keyword: String?
            if let c = peek(), c.isLetter || c == "_" {
                let word = try name()
                if peek() == "=" { position += 1; keyword = word } else { position = start }
            }
            arguments.append((keyword, try value()))
            guard peek() == "," else { break }
            position += 1
        }
        try expect(")")
        guard peek() == nil else { throw error("unexpected text after the layer") }
        return (kind, arguments)
    }

    /// How deep tuples may nest: a layer's arguments hold pairs and shapes, never tuples of
    /// tuples, and a bound keeps a hostile text from exhausting the stack.
    private static let maximumDepth = 4

    private mutating func value(depth: Int = 0) throws -> SyntaxValue {
        switch peek() {
        case "("?:
            guard depth < SyntaxReader.maximumDepth else { throw error("tuples nest too deep") }
            position += 1
            var items: [SyntaxValue] = []
            while peek() != ")" {
                items.append(try value(depth: depth + 1))
                guard peek() == "," else { break }
                position += 1
            }
            try expect(")")
            return .tuple(items)
        case "'"?, "\""?:
            let quote = characters[position]
            position += 1
            let start = position
            while position < characters.count, characters[position] != quote { position += 1 }
            guard position < characters.count else { throw error("a string is not closed") }
            position += 1
            return .string(String(characters[start..<(position - 1)]))
        case let c? where c.isNumber || c == "-" || c == "+" || c == ".":
            let start = position
            while position < characters.count, characters[position].isNumber || "+-.eE".contains(characters[position]) {
                position += 1
            }
            let word = String(characters[start..<position])
            if let n = Int(word) { return .int(n) }
            if let x = Double(word), x.isFinite { return .float(x) }
            position = start
            throw error("'\(word)' is not a number")
        case let c? where c.isLetter || c == "_":
            return .name(try name())
        default:
            throw error("expected a value")
        }
    }
}
