@testable import Compute
import Foundation
import Testing

/// Where the CPU backend's thread count comes from: the option, AEKIT_THREADS, a cgroup quota
/// (read from fake cgroup trees written here) or the CPU affinity.
@Suite struct ThreadBudgetTests {
    @Test func optionThenEnvironmentThenDetection() throws {
        let env = [ThreadBudget.environmentVariable: "3"]
        #expect(try ThreadBudget.resolve(option: 5, environment: env) == ThreadBudget(count: 5, source: .option))
        #expect(try ThreadBudget.resolve(option: nil, environment: env) == ThreadBudget(count: 3, source: .environment))
        #expect(try ThreadBudget.resolve(option: nil, environment: [:]) == ThreadBudget.detected())
    }

    @Test(arguments: ["0", "-2", "two", "", "100000"])
    func badEnvironmentValueIsNamed(_ value: String) throws {
        #expect {
            try ThreadBudget.resolve(option: nil, environment: [ThreadBudget.environmentVariable: value])
        } throws: { "\($0)".contains(ThreadBudget.environmentVariable) }
    }

    @Test(arguments: [0, -1, ThreadBudget.maximum + 1])
    func badOptionIsNamed(_ value: Int) throws {
        #expect { try ThreadBudget.resolve(option: value, environment: [:]) } throws: { "\($0)".contains("--threads") }
    }

    /// sched_getaffinity's count against the kernel's own text for the same mask.
    @Test func affinityMatchesProcStatus() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let list = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        // "Cpus_allowed_list:\t0-3,8,10-11"
        let ranges = list.split(separator: "\t").last!.split(separator: ",")
        let count = ranges.reduce(0) { total, range in
            let ends = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return total + (ends.count == 2 ? ends[1] - ends[0] + 1 : 1)
        }
        #expect(ThreadBudget.affinityCount() == count)
    }

    /// Writes `files` (path under the root → contents) into a fresh folder; returns the root.
    private func fakeCgroup(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appending(path: "cgroup-\(UUID().uuidString)").path
        for (path, contents) in files {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func cgroupV2QuotaIsTheSmallestOnThePath() throws {
        let root = try fakeCgroup([
            "/proc": "0::/slice/job\n",
            "/sys/cpu.max": "max 100000\n",
            "/sys/slice/cpu.max": "300000 100000\n",
            "/sys/slice/job/cpu.max": "150000 100000\n",
        ])
        #expect(ThreadBudget.cgroupQuota(root: root + "/sys", procCgroup: root + "/proc") == 1.5)
        let budget = ThreadBudget.detected(cgroupRoot: root + "/sys", procCgroup: root + "/proc")
        // A quota of 1.5 cores is two threads, where the machine lets the process have two.
        if (ThreadBudget.affinityCount() ?? 1) >= 2 {
            #expect(budget == ThreadBudget(count: 2, source: .quota))
        }
    }

    @Test func cgroupV1QuotaAndNoQuota() throws {
        // The root has no quota (-1); the job's cgroup has half a core.
        var files = ["/proc": "4:memory:/x\n3:cpu,cpuacct:/job\n0::/\n"]
        for (folder, quota) in [("", "-1"), ("/job", "50000")] {
            files["/sys/cpu,cpuacct\(folder)/cpu.cfs_quota_us"] = quota + "\n"
            files["/sys/cpu,cpuacct\(folder)/cpu.cfs_period_us"] = "100000\n"
        }
        let limited = try fakeCgroup(files)
        #expect(ThreadBudget.cgroupQuota(root: limited + "/sys", procCgroup: limited + "/proc") == 0.5)
        #expect(ThreadBudget.detected(cgroupRoot: limited + "/sys", procCgroup: limited + "/proc")
                == ThreadBudget(count: 1, source: .quota))

        let unlimited = try fakeCgroup(["/proc": "0::/\n", "/sys/cpu.max": "max 100000\n"])
        #expect(ThreadBudget.cgroupQuota(root: unlimited + "/sys", procCgroup: unlimited + "/proc") == nil)
        #expect(ThreadBudget.detected(cgroupRoot: unlimited + "/sys", procCgroup: unlimited + "/proc").source == .affinity)
    }
}
