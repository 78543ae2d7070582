import Foundation

/// The memory this process may use: the machine's RAM, lowered by a cgroup limit (a container,
/// a systemd slice) where one is set. What the CPU backend's `memoryCapacity` reports, so a run
/// too large for the machine is refused before it allocates.
enum HostMemoryCapacity {
    static let bytes: Int = {
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        // cgroup v2 writes "max" where no limit is set; v1 writes a huge number.
        let limits = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"].compactMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return ([physical] + limits).filter { $0 > 0 }.min() ?? Int.max
    }()
}
