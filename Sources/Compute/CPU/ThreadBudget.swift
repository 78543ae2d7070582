import CAffinity
import Foundation

/// How many threads the CPU backend runs its loops on, and why that many.
///
/// A process may use fewer cores than the machine has: `taskset` or a Slurm job narrows its CPU
/// affinity, a container or a systemd slice caps its CPU time with a cgroup quota. Running more
/// threads than that only makes them wait for each other, so the budget is the smaller of the
/// two, unless the user names a count (`--threads`, or `AEKIT_THREADS`).
public struct ThreadBudget: Sendable, Equatable, CustomStringConvertible {
    public enum Source: String, Sendable, Codable {
        case option = "--threads"
        case environment = "AEKIT_THREADS"
        case quota = "cgroup CPU quota"
        case affinity = "CPU affinity"
    }

    public let count: Int
    public let source: Source

    public init(count: Int, source: Source) {
        self.count = max(1, count)
        self.source = source
    }

    /// "2 threads (CPU affinity)"
    public var description: String { "\(count) thread\(count == 1 ? "" : "s") (\(source.rawValue))" }

    /// The environment variable that overrides the detected count.
    public static let environmentVariable = "AEKIT_THREADS"

    /// Far beyond any machine; a larger count is a typo, not a request.
    public static let maximum = 1024

    /// The budget for `option` (a `--threads` value), else `AEKIT_THREADS`, else what the
    /// process may use. Throws for an override that is not a count in 1...maximum.
    public static func resolve(option: Int?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ThreadBudget {
        if let option {
            try checkOverride(option, named: "--threads")
            return ThreadBudget(count: option, source: .option)
        }
        if let text = environment[environmentVariable] {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ComputeError.invalidArgument(
                    "\(environmentVariable)='\(text)' is not a whole number; set it to a thread count such as 2, or unset it")
            }
            try checkOverride(value, named: environmentVariable)
            return ThreadBudget(count: value, source: .environment)
        }
        return detected()
    }

    /// What the process may use: its CPU affinity, lowered by a cgroup quota if one is set.
    public static func detected(cgroupRoot: String = "/sys/fs/cgroup",
                                procCgroup: String = "/proc/self/cgroup") -> ThreadBudget {
        let cores = affinityCount() ?? ProcessInfo.processInfo.activeProcessorCount
        if let quota = cgroupQuota(root: cgroupRoot, procCgroup: procCgroup), quota < Double(cores) {
            // A quota of 1.5 cores still keeps two threads busy for three quarters of each period.
            return ThreadBudget(count: Int(quota.rounded(.up)), source: .quota)
        }
        return ThreadBudget(count: cores, source: .affinity)
    }

    /// The budget `CPUBackend()` gets: the environment's override if it is valid, else what the
    /// process may use. Commands resolve the budget themselves, so an invalid override is an
    /// error there rather than ignored.
    public static let standard: ThreadBudget = (try? resolve(option: nil)) ?? detected()

    private static func checkOverride(_ value: Int, named name: String) throws {
        guard (1...maximum).contains(value) else {
            throw ComputeError.invalidArgument("\(name) must be a thread count in 1...\(maximum), not \(value)")
        }
    }

    /// The number of CPUs in this process's affinity mask (`sched_getaffinity`), or nil if the
    /// call fails.
    static func affinityCount() -> Int? {
        let count = Int(aekit_affinity_cpu_count())
        return count > 0 ? count : nil
    }

    /// The CPU quota, in cores, of this process's cgroup and its ancestors (the smallest one
    /// wins, as the kernel enforces every level), or nil where none is set. Reads cgroup v2's
    /// `cpu.max` and v1's `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
    static func cgroupQuota(root: String, procCgroup: String) -> Double? {
        guard let membership = try? String(contentsOfFile: procCgroup, encoding: .utf8) else { return nil }
        var quotas: [Double] = []
        for line in membership.split(separator: "\n") {
            // "hierarchy-ID:controllers:path"; v2's line is "0::path".
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ","), path = String(fields[2])
            if fields[0] == "0" && controllers.isEmpty {
                for folder in ancestors(path, under: [root, "\(root)/unified"]) {
                    if let quota = cgroupV2Quota(folder) { quotas.append(quota) }
                }
            } else if controllers.contains("cpu") {
                let mounts = ["\(root)/cpu", "\(root)/cpu,cpuacct", "\(root)/cpuacct,cpu"]
                for folder in ancestors(path, under: mounts) {
                    if let quota = cgroupV1Quota(folder) { quotas.append(quota) }
                }
            }
        }
        return quotas.min()
    }

    /// `path` and each folder above it, under each mount point that exists.
    private static func ancestors(_ path: String, under mounts: [String]) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var relative: [String] = []
        while true {
            relative.append(parts.isEmpty ? "" : "/" + parts.joined(separator: "/"))
            if parts.isEmpty { break }
            parts.removeLast()
        }
        return mounts.flatMap { mount in relative.map { mount + $0 } }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// cgroup v2: `cpu.max` holds "QUOTA PERIOD" in microseconds, or "max PERIOD".
    private static func cgroupV2Quota(_ folder: String) -> Double? {
        guard let text = try? String(contentsOfFile: "\(folder)/cpu.max", encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]),
              quota > 0, period > 0 else { return nil }
        return quota / period
    }

    /// cgroup v1: `cpu.cfs_quota_us` is -1 where no quota is set.
    private static func cgroupV1Quota(_ folder: String) -> Double? {
        func number(_ file: String) -> Double? {
            (try? String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8))
                .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let quota = number("cpu.cfs_quota_us"), let period = number("cpu.cfs_period_us"),
              quota > 0, period > 0 else { return nil }
        return quota / period
    }
}
