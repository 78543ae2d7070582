import COpenCL
import Foundation
import Kernels

/// The op protocol on an OpenCL device: the device's in-order command queue (one per device and
/// process, see `DeviceQueue`), programs built from the embedded `Kernels/*.cl` on first use (and
/// cached on disk), buffers from a free list.
public final class OpenCLBackend: Backend, @unchecked Sendable {
    // Thread-safety: OpenCL handles may be used from any thread, but setting a kernel's
    // arguments and enqueueing it must not interleave with another thread doing the same to
    // that kernel; the device's lock (shared by every backend on it, see `DeviceQueue`)
    // serialises every launch, transfer, program build and this backend's tables.
    public let name: String
    public let device: OpenCLDevice
    let context: CLContext
    let queue: CLQueue
    let pool: BufferPool
    let cache: ProgramCache
    private let lock: NSLock
    private var programs: [String: CLProgram] = [:]
    private var kernels: [String: CLKernel] = [:]
    private var recording: [CLEvent]?
    /// Programs loaded from the disk cache rather than compiled, by file name.
    public private(set) var programsFromCache: Set<String> = []

    /// The convolution algorithm; `auto` unless a bench or test forces one.
    public let convolution: ConvAlgorithm
    /// Whose kernel choices this backend makes: its device type's, or a GPU's or a CPU's.
    public let policy: KernelPolicy
    /// What the device allows; lowered by tests to check that the limits are respected.
    public let limits: DeviceLimits
    /// Tile and work-group sizes: `aekit tune`'s for this device and driver where it stored
    /// some, else the defaults (a bench or the tuner may pass others).
    public let constants: KernelConstants
    /// Whether `constants` came from `aekit tune`.
    public let isTuned: Bool
    /// The kernels launched since `takeLaunchedKernels` last emptied it, each with the
    /// work-group sizes it was launched with ("256", "16x16", "driver" where the driver chose).
    private var launchedKernels: [String: Set<String>] = [:]
    /// Launches, bytes moved and blocking waits so far (under the device's lock).
    private var counters = TransferCounters()

    public init(device: OpenCLDevice, cacheDirectory: String? = ProgramCache.defaultDirectory,
                convolution: ConvAlgorithm = .auto, policy: KernelPolicy = .standard, limits: DeviceLimits? = nil,
                constants: KernelConstants? = nil, memoryCapacity: Int? = nil) throws {
        self.convolution = convolution
        self.policy = policy
        self.limits = limits ?? device.limits
        let tuned = constants == nil ? cacheDirectory.flatMap { TunedConstants.load(for: device, directory: $0) } : nil
        self.constants = constants ?? tuned ?? .defaults
        self.isTuned = tuned != nil
        self.device = device
        self.name = "opencl:\(device.index)"
        self.memoryCapacity = memoryCapacity ?? device.globalMemoryBytes
        pool = BufferPool(capacity: self.memoryCapacity, device: name)
        let shared = try DeviceQueue.shared(for: device)
        self.context = shared.context
        self.queue = shared.queue
        self.lock = shared.lock
        self.cache = ProgramCache(directory: cacheDirectory)
    }

    // Kernels and programs are released, like they are built, with the device's queue drained:
    // other backends on the device go on running (see `DeviceQueue`).
    deinit {
        lock.lock(); defer { lock.unlock() }
        try? queue.finish()
        kernels.removeAll()
        programs.removeAll()
    }

    public var deviceDescription: String {
        "\(device.name) (\(device.platform), \(device.type), driver \(device.driverVersion))"
            + (policy == .auto ? "" : ", kernel policy \(policy.rawValue)") + (isTuned ? ", tuned" : "")
    }

    /// Whether this backend makes a GPU's kernel choices (see `KernelPolicy`).
    public var choosesForGPU: Bool { policy.choosesForGPU(deviceType: device.type) }

    /// The kernels launched since the last call, sorted; empties the record (for `aekit parity`'s
    /// "which kernels ran").
    public func takeLaunchedKernels() -> [String] { takeLaunchedKernelSizes().map(\.kernel) }

    /// The kernels launched since the last call, sorted, with the work-group sizes of their
    /// launches; empties the record (for `aekit parity --launch-sizes` and scripts/ptx-report).
    public func takeLaunchedKernelSizes() -> [(kernel: String, groups: [String])] {
        locked {
            defer { launchedKernels = [:] }
            return launchedKernels.keys.sorted().map { ($0, launchedKernels[$0]!.sorted()) }
        }
    }

    public var memoryStatistics: MemoryStatistics { pool.statistics }

    /// The device memory buffers may hold together: CL_DEVICE_GLOBAL_MEM_SIZE, or less where a
    /// caller gives less (tests, to reach the limit).
    public let memoryCapacity: Int

    public var transferCounters: TransferCounters? { locked { counters } }

    // MARK: Memory

    public func makeBuffer(count: Int) throws -> Buffer {
        try require(count >= 0, "buffer of \(count) elements")
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        try limits.checkAllocation(overflow ? Int.max : bytes, device: name)
        let storage = try pool.take(count: count) {
            try CLMemory(context: context, bytes: count * MemoryLayout<Float>.stride)
        }
        return Buffer(count: count, storage: storage, pool: pool)
    }

    public var viewAlignment: Int { max(1, device.baseAddressAlignmentBytes / MemoryLayout<Float>.stride) }

    public func view(_ buffer: Buffer, offset: Int, count: Int) throws -> Buffer {
        try checkView(buffer, offset: offset, count: count)
        _ = try memory(buffer)
        // OpenCL has no sub-buffer of a sub-buffer: a view of a view is one of the root.
        let root = buffer.parent ?? buffer, start = buffer.offset + offset, float = MemoryLayout<Float>.stride
        let storage = try CLMemory(subBufferOf: root.storage as! CLMemory, origin: start * float, bytes: count * float)
        return Buffer(viewOf: root, offset: start, count: count, storage: storage)
    }

    func memory(_ buffer: Buffer, _ op: String = #function) throws -> cl_mem {
        guard buffer.belongs(to: pool), let storage = buffer.storage as? CLMemory else {
            throw ComputeError.foreignBuffer(op)
        }
        return storage.handle
    }

    public func upload(bytes: UnsafeRawBufferPointer, to buffer: Buffer) throws {
        try require(bytes.count <= 4 * buffer.count, "upload of \(bytes.count) bytes into \(buffer.count) floats")
        guard !bytes.isEmpty else { return }
        let mem = try memory(buffer)
        try locked {
            counters.bytes += bytes.count
            counters.blockingWaits += 1
            try checkCL(clEnqueueWriteBuffer(queue.handle, mem, cl_bool(CL_TRUE), 0, bytes.count,
                                             bytes.baseAddress, 0, nil, nil), "uploading \(bytes.count) bytes")
        }
    }

    public func download(_ buffer: Buffer) throws -> [Float] {
        guard buffer.count > 0 else { return [] }
        let mem = try memory(buffer)
        var values = [Float](repeating: 0, count: buffer.count)
        try locked {
            counters.bytes += buffer.count * MemoryLayout<Float>.stride
            counters.blockingWaits += 1
            try values.withUnsafeMutableBytes { raw in
                try checkCL(clEnqueueReadBuffer(queue.handle, mem, cl_bool(CL_TRUE), 0, raw.count,
                                                raw.baseAddress, 0, nil, nil), "downloading \(buffer.count) floats")
            }
        }
        return values
    }

    public func synchronize() throws {
        try locked {
            counters.blockingWaits += 1
            try queue.finish()
        }
    }

    // MARK: Programs and kernels

    /// `Kernels/prelude.cl`, put before every program's source rather than built on its own.
    static let preludeFile = "prelude"

    /// The kernel files compiled into this binary (`Kernels/*.cl`, without the extension), each
    /// one program.
    public static var kernelFiles: [String] { KernelSource.names.filter { $0 != preludeFile } }

    /// Builds (or loads from the cache) every kernel file now, instead of on first use.
    public func prepareAllPrograms() throws {
        for file in OpenCLBackend.kernelFiles { _ = try locked { try program(file) } }
    }

    /// The source AEKit builds as the program of `Kernels/<file>.cl`: the prelude, then the
    /// file (scripts/ptx-report compiles exactly this, with `KernelConstants.buildOptions`).
    public static func programSource(_ file: String) throws -> String {
        guard let source = KernelSource.source(named: file), let prelude = KernelSource.source(named: preludeFile) else {
            throw ComputeError.openCL(OpenCLError(code: CL_INVALID_PROGRAM, operation: "finding Kernels/\(file).cl",
                                                  buildLog: "no such file was embedded at build time"))
        }
        // `#line 1` after the prelude: a build log's line numbers are those of the file itself.
        return prelude + "\n#line 1\n" + source
    }

    /// The program of `Kernels/<file>.cl`. Call with `lock` held.
    private func program(_ file: String) throws -> CLProgram {
        if let program = programs[file] { return program }
        let source = try OpenCLBackend.programSource(file)
        try queue.finish()  // no kernel in flight while PoCL loads a program (see DeviceQueue)
        let built = try cache.program(context: context, device: device, name: file,
                                      source: source, options: constants.buildOptions)
        if built.fromCache { programsFromCache.insert(file) }
        programs[file] = built.program
        return built.program
    }

    /// Compiles a program from source, bypassing the embedded files and the cache: for
    /// checking that a broken kernel is reported with its build log.
    func compileForTesting(source: String, name: String) throws {
        try locked {
            try queue.finish()
            _ = try ProgramCache.compile(source: source, name: name, context: context, options: "")
        }
    }

    /// The preferred work-group multiple of `file`'s kernel `name` on this device
    /// (CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE).
    public func preferredWorkGroupMultiple(_ file: String, _ name: String) throws -> Int {
        try locked { try kernel(file, name).workGroupInfo(on: device.handle).preferredMultiple }
    }

    func kernel(_ file: String, _ name: String) throws -> CLKernel {
        if let kernel = kernels[name] { return kernel }
        let program = try program(file)
        try queue.finish()
        let kernel = try CLKernel(program: program, name: name)
        kernels[name] = kernel
        return kernel
    }

    /// An argument of a kernel launch.
    enum Argument {
        case buffer(Buffer)
        case int(Int)
        case uint(UInt32)
        case float(Float)
        /// Local memory of this many bytes, for a kernel's `__local` pointer argument.
        case local(bytes: Int)
    }

    /// The work-group `preferred`, made to fit kernel `name` on this device (see `fitted`):
    /// the summing kernels' size (a power of two, which halving keeps one), and the test of
    /// whether the tiled GEMM's fixed group fits at all. Mesa's llvmpipe runs a kernel with
    /// barriers in groups of at most 32.
    func fittedGroup(_ file: String, _ name: String, preferred: [Int]) throws -> [Int] {
        try locked { try fitted(preferred, to: kernel(file, name)) }
    }

    /// `group`, each extent halved while the device allows fewer work-items in that dimension,
    /// then the first extent above 1 halved while the kernel or the device allows fewer in all.
    /// Call with `lock` held.
    private func fitted(_ group: [Int], to kernel: CLKernel) throws -> [Int] {
        var group = group
        let allowed = max(1, min(try kernel.workGroupInfo(on: device.handle).maxWorkGroupSize, limits.maxWorkGroupSize))
        for d in group.indices where d < limits.maxWorkItemSizes.count {
            while group[d] > max(1, limits.maxWorkItemSizes[d]) { group[d] /= 2 }
        }
        while group.reduce(1, *) > allowed { group[group.firstIndex { $0 > 1 }!] /= 2 }
        return group
    }

    /// Enqueues `file.cl`'s kernel `name` over `global` work-items (rounded up to a multiple of
    /// `local` when given). Nothing is enqueued for an empty range.
    func launch(_ op: Op, global: [Int], local: [Int]? = nil, _ arguments: [Argument]) throws {
        try launch(op.kernelFile, op.name, global: global, local: local, arguments)
    }

    /// As above, for a kernel that serves an op without being one (`conv2d_im2col`,
    /// `gemm_tiled_nt`, `reduce_finish`).
    func launch(_ file: String, _ name: String, global: [Int], local: [Int]? = nil, _ arguments: [Argument]) throws {
        guard global.allSatisfy({ $0 > 0 }) else { return }
        let memories = try arguments.map { argument -> cl_mem? in
            if case .buffer(let buffer) = argument { return try memory(buffer, name) }
            return nil
        }
        try locked {
            let kernel = try kernel(file, name)
            var local = local
            if local == nil && choosesForGPU {
                // Where the launch leaves the work-group size to the driver, a GPU gets one of
                // ours: OpenCL 1.2's NULL local size must divide the global size, so a driver
                // given 4 099 elements (a prime) can only run them in groups of 1, 32 times
                // below a warp. Halved while the kernel allows fewer work-items (its registers).
                local = try fitted(KernelConstants.gpuGroup(dimensions: global.count), to: kernel)
            }
            var global = global
            if let local {
                for d in global.indices { global[d] = (global[d] + local[d] - 1) / local[d] * local[d] }
                let info = try kernel.workGroupInfo(on: device.handle)
                // The kernel's own __local arrays, and what its __local pointer arguments get.
                let argumentBytes = arguments.reduce(0) { total, argument in
                    if case .local(let bytes) = argument { return total + bytes }
                    return total
                }
                try limits.checkLaunch(name, local: local, localBytes: info.localMemoryBytes + argumentBytes,
                                       kernelMaximum: info.maxWorkGroupSize, device: self.name)
            }
            launchedKernels[name, default: []].insert(local.map { $0.map(String.init).joined(separator: "x") } ?? "driver")
            counters.launches += 1
            for (index, argument) in arguments.enumerated() {
                let status: cl_int
                switch argument {
                case .buffer:
                    var mem = memories[index]
                    status = clSetKernelArg(kernel.handle, cl_uint(index), MemoryLayout<cl_mem>.size, &mem)
                case .int(let value):
                    guard let narrow = Int32(exactly: value) else {
                        throw ComputeError.shapeMismatch("\(name): argument \(index) = \(value) does not fit a 32-bit int")
                    }
                    var v = narrow
                    status = clSetKernelArg(kernel.handle, cl_uint(index), MemoryLayout<Int32>.size, &v)
                case .uint(var value):
                    status = clSetKernelArg(kernel.handle, cl_uint(index), MemoryLayout<UInt32>.size, &value)
                case .float(var value):
                    status = clSetKernelArg(kernel.handle, cl_uint(index), MemoryLayout<Float>.size, &value)
                case .local(let bytes):
                    status = clSetKernelArg(kernel.handle, cl_uint(index), bytes, nil)
                }
                try checkCL(status, "setting argument \(index) of kernel \(name)")
            }
            // An event only while `kernelTime` records: otherwise the driver need not make one.
            var event: cl_event?
            let status = recording == nil
                ? enqueue(kernel, global: global, local: local, event: nil)
                : enqueue(kernel, global: global, local: local, event: &event)
            try checkCL(status, "running kernel \(name) over \(global)" + (local.map { " in groups of \($0)" } ?? ""))
            if let event { recording?.append(CLEvent(handle: event)) }
        }
    }

    private func enqueue(_ kernel: CLKernel, global: [Int], local: [Int]?,
                         event: UnsafeMutablePointer<cl_event?>?) -> cl_int {
        if let local {
            return clEnqueueNDRangeKernel(queue.handle, kernel.handle, cl_uint(global.count), nil, global, local, 0, nil, event)
        }
        return clEnqueueNDRangeKernel(queue.handle, kernel.handle, cl_uint(global.count), nil, global, nil, 0, nil, event)
    }

    /// Runs `body` and returns the device time of the kernels it enqueued (seconds, from
    /// profiling events), waiting for them to finish. Not for use from several threads at once.
    public func kernelTime(_ body: () throws -> Void) throws -> Double {
        locked { recording = [] }
        do { try body() } catch { locked { recording = nil }; throw error }
        let events = locked { () -> [CLEvent] in defer { recording = nil }; return recording ?? [] }
        return try events.reduce(0) { $0 + (try $1.duration()) }
    }

    /// Runs a foreign command (CLBlast, which may build its programs on first use) on the queue,
    /// serialised with our launches and, like our builds, with nothing else in flight.
    func withQueue<T>(_ body: (cl_command_queue) throws -> T) throws -> T {
        try locked {
            counters.blockingWaits += 1
            counters.launches += 1
            try queue.finish()
            return try body(queue.handle)
        }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
