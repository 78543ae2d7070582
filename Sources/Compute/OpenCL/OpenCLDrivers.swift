import Foundation

/// GPU vendors' OpenCL drivers that are on the machine but that the OpenCL loader does not
/// know about. ocl-icd finds a driver only through an ICD file (a one-line `.icd` naming the
/// library) in `/etc/OpenCL/vendors`, or in the folder `OCL_ICD_VENDORS` names. NVIDIA's
/// container runtime mounts `libnvidia-opencl.so.1` into a container without that file, so
/// the GPU is there and no program sees it: `aekit devices` says so, and how to fix it.
public enum OpenCLDrivers {
    /// A vendor's OpenCL library found on disk.
    public struct Found: Sendable, Equatable {
        public let vendor: String
        /// Absolute path of the library.
        public let library: String
        /// Whether an ICD file the loader reads names it (by path or by file name).
        public let isRegistered: Bool
    }

    /// The libraries GPU vendors install as their OpenCL ICDs, by file name.
    static let vendorLibraries = [("NVIDIA", "libnvidia-opencl.so.1"), ("AMD", "libamdocl64.so")]

    /// Where they are looked for, besides `LD_LIBRARY_PATH` and the linker cache (`ldconfig -p`):
    /// NVIDIA's container folder, ROCm's, and Debian's library folder.
    static let folders = ["/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/opt/rocm/lib", "/opt/rocm/opencl/lib",
                          "/usr/lib/x86_64-linux-gnu"]

    /// Every vendor library on this machine, once each (by resolved path), registered or not.
    public static func scan(environment: [String: String] = ProcessInfo.processInfo.environment) -> [Found] {
        let registered = registeredLibraries(environment: environment)
        var candidates: [String] = []
        for folder in (environment["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init) + folders {
            candidates += vendorLibraries.map { Paths.join(folder, $0.1) }
        }
        candidates += linkerCache().filter { path in vendorLibraries.contains { Paths.name(path) == $0.1 } }
        var seen: Set<String> = [], found: [Found] = []
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            let real = resolvedPath(path)
            guard seen.insert(real).inserted, let vendor = vendorLibraries.first(where: { Paths.name(path) == $0.1 })?.0 else { continue }
            let isRegistered = registered.contains { $0 == path || $0 == real || $0 == Paths.name(path) || resolvedPath($0) == real }
            found.append(Found(vendor: vendor, library: path.hasPrefix("/") ? path : real, isRegistered: isRegistered))
        }
        return found
    }

    /// The folder ocl-icd reads ICD files from: `OCL_ICD_VENDORS` where it names a folder (or
    /// one `.icd` file), else `/etc/OpenCL/vendors`.
    public static func vendorsFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["OCL_ICD_VENDORS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/OpenCL/vendors"
    }

    /// The library each ICD file the loader reads names (a path, or a name for the dynamic loader).
    static func registeredLibraries(environment: [String: String]) -> [String] {
        let place = vendorsFolder(environment: environment)
        let files = isFolder(place)
            ? ((try? FileManager.default.contentsOfDirectory(atPath: place)) ?? []).filter { $0.hasSuffix(".icd") }.map { Paths.join(place, $0) }
            : [place]
        return files.compactMap { file in
            (try? readRegularFile(file, limit: 1 << 16)).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }

    /// The libraries in the dynamic linker's cache (`ldconfig -p`), by path.
    static func linkerCache() -> [String] {
        guard let ldconfig = ["/sbin/ldconfig", "/usr/sbin/ldconfig"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ldconfig)
        process.arguments = ["-p"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "\tlibnvidia-opencl.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1"
        return output.split(separator: "\n").compactMap { line in
            line.range(of: " => ").map { String(line[$0.upperBound...]).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The one command that makes `drivers` visible to the OpenCL loader: a folder with a
    /// one-line ICD file for each, named by `OCL_ICD_VENDORS`. That folder replaces
    /// `/etc/OpenCL/vendors`, so the drivers registered there are copied into it too.
    public static func registrationCommand(for drivers: [Found], folder: String = "$HOME/.aekit-opencl-vendors") -> String {
        var steps = ["mkdir -p \(folder)"]
        if isFolder("/etc/OpenCL/vendors") { steps.append("cp /etc/OpenCL/vendors/*.icd \(folder)/ 2>/dev/null") }
        for driver in drivers {
            steps.append("echo \(driver.library) > \(folder)/\(driver.vendor.lowercased()).icd")
        }
        steps.append("export OCL_ICD_VENDORS=\(folder)")
        return steps.joined(separator: "; ")
    }
}
