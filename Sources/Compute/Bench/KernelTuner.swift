import Foundation

/// `aekit tune`: searches the GEMM kernel's constants for one OpenCL device, as CLBlast's tuner
/// does, at the autoencoders' shapes and 1024³. The kernel tuned is the one the backend's
/// policy runs (the vector kernel on a CPU device such as PoCL, the tiled one on a GPU). Every
/// candidate is built with its constants as `-D` options, checked against the CPU backend on
/// every shape before it is timed, and scored by the geometric mean of its time over the
/// defaults'. Then the im2col/direct threshold of the convolutions is chosen at the reports'
/// shapes. The best set is stored per device and driver (`TunedConstants`).
public struct KernelTuner {
    public let device: OpenCLDevice
    public let policy: KernelPolicy
    public let cpu: CPUBackend
    /// Timed runs per shape; the median counts.
    public var repeats = 3
    /// The GEMM shapes timed (default: `aekit bench kernels`' GEMM shapes).
    public var shapes: [String] = KernelBench.workloads().compactMap(\.product).map(\.description)
    /// Whether to choose the convolutions' im2col threshold too.
    public var tuneConvolution = true
    /// At most this many GEMM candidates, the defaults included (tests use a few).
    public var candidateLimit: Int?
    public var progress: (String) -> Void = { _ in }

    public init(device: OpenCLDevice, policy: KernelPolicy, cpu: CPUBackend) {
        self.device = device; self.policy = policy; self.cpu = cpu
    }

    /// One shape's median time with the defaults and with the constants chosen.
    public struct ShapeTiming: Codable, Sendable {
        public let shape: String
        public let defaultMs: Double, tunedMs: Double
    }

    public struct Result: Sendable {
        /// `vector` or `tiled`.
        public let kernel: String
        public let defaults: KernelConstants, best: KernelConstants
        public let tried: Int
        /// Candidates refused by the check against the CPU (none should be), with why.
        public let rejected: [String]
        public let timings: [ShapeTiming]
    }

    /// The kernel the policy runs on this device: the one whose constants are searched.
    public var kernel: String { policy.choosesForGPU(deviceType: device.type) ? "tiled" : "vector" }

    /// The candidates, the defaults first; those the device's limits cannot run are left out,
    /// and so are tiled work-groups that are no multiple of `preferredMultiple` (the driver's
    /// CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE for the tiled kernel: a partial warp idles).
    func candidates(preferredMultiple: Int = 1) -> [KernelConstants] {
        let base = KernelConstants.defaults, limits = device.limits
        var list = [base]
        if kernel == "vector" {
            for rows in [2, 4, 6, 8] {
                for columns in [4, 8, 16] {
                    for groupRows in [1, 4, 8, 16] where groupRows <= limits.maxWorkGroupSize {
                        var c = base
                        c.vectorBlock = .init(rows: rows, columns: columns, groupRows: groupRows)
                        if c != base { list.append(c) }
                    }
                }
            }
        } else {
            for m in [32, 64, 128] {
                for n in [32, 64, 128] {
                    for k in [8, 16, 32] {
                        for wptm in [2, 4, 8] where m % wptm == 0 {
                            for wptn in [2, 4, 8] where n % wptn == 0 {
                                let workItems = (m / wptm) * (n / wptn)
                                guard workItems >= 16, workItems <= min(limits.maxWorkGroupSize, 1024),
                                      workItems % preferredMultiple == 0,
                                      k * (m + n) * 4 <= limits.localMemoryBytes else { continue }
                                var c = base
                                c.gemmTile = .init(m: m, n: n, k: k, wptm: wptm, wptn: wptn)
                                if c != base { list.append(c) }
                            }
                        }
                    }
                }
            }
        }
        return list
    }

    /// Tries candidates until `seconds` have passed (the defaults always), then the
    /// convolution threshold; returns the best set, not yet stored.
    public func run(seconds: Double) throws -> Result {
        let start = Date()
        var random = SeededRandom(seed: 11)
        let workloads = shapes.compactMap(GEMMShape.init).map { OpCase.gemm($0, &random) }
        let expected = try workloads.map { try $0.results(on: cpu)[0] }

        var baseline: [Double] = [], best: (constants: KernelConstants, score: Double)?
        var tried = 0, rejected: [String] = []
        let preferred = kernel == "tiled"
            ? try OpenCLBackend(device: device, cacheDirectory: nil, policy: policy).preferredWorkGroupMultiple("gemm", "gemm_tiled_nn")
            : 1
        if kernel == "tiled" { progress("gemm_tiled's preferred work-group multiple: \(preferred)") }
        for candidate in candidates(preferredMultiple: preferred) {
            if tried > 0 && (Date().timeIntervalSince(start) > seconds || tried >= candidateLimit ?? .max) { break }
            tried += 1
            let backend = try OpenCLBackend(device: device, cacheDirectory: nil, policy: policy, constants: candidate)
            var times: [Double] = []
            var failure: String?
            for (index, workload) in workloads.enumerated() {
                let (inputs, outputs) = try workload.buffers(on: backend)
                let result = try workload.call(backend, inputs, outputs)[0]
                let bad = zip(try backend.download(result), expected[index])
                    .filter { !Tolerance.parity.accepts($0, reference: $1) }.count
                if bad > 0 { failure = "\(candidate): \(bad) elements of \(workload.shape) differ from the CPU"; break }
                times.append(try (0..<repeats).map { _ in
                    try backend.kernelTime { _ = try workload.call(backend, inputs, outputs) }
                }.sorted()[repeats / 2])
            }
            if let failure { rejected.append(failure); progress("rejected \(failure)"); continue }
            if baseline.isEmpty { baseline = times }
            // The geometric mean of the time ratios: every shape counts alike, 1024³ included.
            let score = zip(times, baseline).map { log($0 / $1) }.reduce(0, +) / Double(times.count)
            progress(String(format: "%@: %.3fx the defaults' time", candidate.description, exp(score)))
            if best == nil || score < best!.score { best = (candidate, score) }
        }
        guard var chosen = best else {
            throw ComputeError.invalidArgument("no GEMM candidate passed the check against the CPU: \(rejected.joined(separator: "; "))")
        }
        if tuneConvolution { chosen.constants.im2colMinChannels = try convolutionThreshold(chosen.constants) }
        // The table: defaults and choice timed again side by side, as `bench kernels` times its
        // rows (the search's own timings are minutes apart on a shared machine).
        let pair = try [KernelConstants.defaults, chosen.constants].map {
            try OpenCLBackend(device: device, cacheDirectory: nil, policy: policy, constants: $0)
        }
        let timings = try workloads.map { workload in
            let medians = try sideBySide(pair, workload)
            return ShapeTiming(shape: workload.shape, defaultMs: medians[0] * 1e3, tunedMs: medians[1] * 1e3)
        }
        return Result(kernel: kernel, defaults: .defaults, best: chosen.constants, tried: tried, rejected: rejected,
                      timings: timings)
    }

    /// The output-channel count from which im2col + GEMM beats the direct kernels: each of the
    /// reports' convolutions (all three passes, at batch 100: the work per image is the same at
    /// 1000) timed both ways; the threshold that picks the faster total wins, the current one
    /// on a tie.
    func convolutionThreshold(_ constants: KernelConstants) throws -> Int {
        let convolutions = KernelBench.workloads().filter {
            [.conv2dForward, .conv2dBackwardData, .conv2dBackwardWeights].contains($0.op) && $0.convolution?.batch == 100
        }
        var timesByChannels: [(channels: Int, direct: Double, im2col: Double)] = []
        let algorithms = try [OpenCLBackend.ConvAlgorithm.direct, .im2col].map {
            try OpenCLBackend(device: device, cacheDirectory: nil, convolution: $0, policy: policy, constants: constants)
        }
        for workload in convolutions {
            let seconds = try sideBySide(algorithms, workload)
            timesByChannels.append((workload.convolution?.outChannels ?? 1, seconds[0], seconds[1]))
            progress("\(workload.op.name) \(workload.shape): direct \(String(format: "%.2f", seconds[0] * 1e3)) ms, "
                     + "im2col \(String(format: "%.2f", seconds[1] * 1e3)) ms")
        }
        func total(_ t: Int) -> Double { timesByChannels.reduce(0) { $0 + ($1.channels >= t ? $1.im2col : $1.direct) } }
        var best = constants.im2colMinChannels
        for t in [1, 2, 4, 8, 16, 32, Int.max] where total(t) < total(best) { best = t }
        return best
    }

    /// `workload`'s median device time on each of `backends`, measured in rounds by `KernelBench`.
    private func sideBySide(_ backends: [OpenCLBackend], _ workload: OpCase) throws -> [Double] {
        var bench = KernelBench(cpu: cpu, openCL: nil, clblast: nil)
        bench.repeats = repeats
        let contenders = backends.map {
            KernelBench.Contender(label: $0.name, device: $0.device.name, backend: $0, workload: workload)
        }
        return try bench.measureSideBySide(contenders).map { $0.medianMs / 1e3 }
    }
}
