import SystemPackage

/// Path arithmetic on the paths users type (`--out`, `--data`, `AEKIT_DATA`, …), all of it here.
///
/// swift-corelibs-foundation's helpers are not safe for this: `NSString.deletingLastPathComponent`
/// traps ("Illegal instruction") on a one-component path such as `x`, `y/` or `ü`, which Apple's
/// Foundation answers with "". So AEKit never hands a user's path to `NSString`'s or `URL`'s path
/// methods; it uses swift-system's `FilePath`, which treats a path as its components and keeps
/// every byte of a name (spaces, unicode, newlines) as it is. Paths stay `String`s elsewhere.
public enum Paths {
    /// `relative` inside `folder`: `join("runs/", "vae")` is `runs/vae`, `join("", "x")` is `x`.
    /// An absolute `relative` is appended as well (`join("a", "/x")` is `a/x`); a `..` in it
    /// stays a component, for the kernel to resolve.
    public static func join(_ folder: String, _ relative: String) -> String {
        var path = FilePath(folder)
        for component in FilePath(relative).components { path.append(component) }
        return path.string
    }

    /// The folder that holds `path`: `runs` for `runs/vae`, `.` for a bare name (`x`, `x/`),
    /// `/` for `/` itself, and the path with `/..` added where it ends in `.` or `..` (`x/./..`
    /// for `x/.`, whose components alone would say `x`).
    public static func parent(_ path: String) -> String {
        let path = FilePath(path)
        if let last = path.lastComponent, last.kind != .regular { return path.appending("..").string }
        let parent = path.removingLastComponent()
        return parent.isEmpty ? "." : parent.string
    }

    /// Each folder from the outermost down to `path` itself: `a`, `a/b`, `a/b/c` for `a/b/c`
    /// (`/`, `/a` for `/a`), as `mkdir -p` creates them.
    public static func prefixes(_ path: String) -> [String] {
        var prefix = FilePath(root: FilePath(path).root)
        var prefixes = prefix.isEmpty ? [] : [prefix.string]
        for component in FilePath(path).components {
            prefix.append(component)
            prefixes.append(prefix.string)
        }
        return prefixes
    }

    /// The last component: `vae` for `runs/vae/`, the path itself where it has none (`/`, "").
    public static func name(_ path: String) -> String {
        FilePath(path).lastComponent?.string ?? path
    }
}
