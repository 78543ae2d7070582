import Foundation

/// The one context, in-order command queue and launch lock of an OpenCL device in this process.
///
/// Every `OpenCLBackend` on a device shares them. Why not a context and queue per backend:
/// PoCL (3.1 here) keeps one process-wide table of loaded kernel binaries, keyed by the
/// kernel's source hash, and its reference counts go wrong when kernels of the same source run
/// on several queues while programs are built or contexts released on other threads: the
/// process aborts with `pocl_release_dlhandle_cache: Assertion 'found->ref_count > 0' failed`.
/// That killed a CI run, where the test suites run side by side, each with its own backend.
/// With one queue per device, and programs built only with `lock` held and the queue drained,
/// no kernel is in flight while PoCL touches that table. One queue per device is also what a GPU
/// wants: commands from several queues would only contend for the same device.
final class DeviceQueue: @unchecked Sendable {
    let context: CLContext
    let queue: CLQueue
    /// Held by every backend on this device while it sets kernel arguments and enqueues, moves
    /// data, or builds a program.
    let lock = NSLock()

    private init(device: OpenCLDevice) throws {
        context = try CLContext(device: device.handle)
        queue = try CLQueue(context: context)
    }

    // Created on first use and kept for the life of the process (a context is cheap to keep
    // and releasing one while another thread still runs kernels is the case to avoid).
    private static let lock = NSLock()
    nonisolated(unsafe) private static var queues: [UInt: DeviceQueue] = [:]

    static func shared(for device: OpenCLDevice) throws -> DeviceQueue {
        lock.lock(); defer { lock.unlock() }
        if let existing = queues[device.id] { return existing }
        let made = try DeviceQueue(device: device)
        queues[device.id] = made
        return made
    }
}
