@testable import Compute
import Foundation
import Testing

/// Several backends on one OpenCL device, used from several threads at once — what a test run,
/// the bench's convolution variants or a library user's threads do.
@Suite struct ConcurrencyTests {
    /// Each thread has its own backend and runs the same kernels, with the same work-group size,
    /// over grids of changing width, while other threads build programs and drop backends.
    /// PoCL's kernel-binary table breaks under that unless launches and builds are serialised
    /// per device (see `DeviceQueue`); a wrong sum or an aborted process fails the test.
    @Test func backendsOnOneDeviceRunSideBySide() throws {
        let device = try openCL().device
        let directory = FileManager.default.temporaryDirectory.appending(path: "aekit-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            do {
                // Odd threads make a new backend every 25 rounds, the first building its programs
                // from source into a new cache, and drop the old one; even threads keep theirs.
                func makeBackend() throws -> OpenCLBackend {
                    try OpenCLBackend(device: device, cacheDirectory: thread % 2 == 0 ? ProgramCache.defaultDirectory : directory.path)
                }
                var backend = try makeBackend()
                for round in 0..<100 {
                    if thread % 2 == 1 && round % 25 == 24 { backend = try makeBackend() }
                    // A reduction: fixed work-group size, a grid that grows and shrinks.
                    let count = 1 + (round * 977 + thread * 131) % 60_000
                    let x = try backend.tensor([count], filledWith: 1)
                    let total = try backend.tensor([1], filledWith: 0)
                    try backend.sum(x.buffer, scale: Float(thread + 1), into: total.buffer)
                    let value = try backend.download(total.buffer)[0]
                    if value != Float(count * (thread + 1)) {
                        failures.add("thread \(thread), round \(round): sum of \(count) ones × \(thread + 1) gave \(value)")
                    }
                }
            } catch {
                failures.add("thread \(thread): \(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let a = try OpenCLBackend(device: device), b = try OpenCLBackend(device: device)
        #expect(a.queue === b.queue && a.context === b.context)
    }
}

/// Messages collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}
