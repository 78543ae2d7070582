import Foundation

/// One line of `aekit bench kernels`.
public struct BenchRecord: Codable, Sendable {
    public var op: String
    /// GEMM as `MxNxK` (C = A·B, A is M×K) plus the transposes; images as N×C×H×W.
    public var shape: String
    /// `cpu`, `opencl` (the kernels `auto` picks), `opencl-tiled`, `opencl-direct`,
    /// `opencl-vector` (GEMM kernels forced), `opencl-direct`/`opencl-im2col` and
    /// `cpu-direct`/`cpu-lowered` (convolution algorithms forced), `clblast`.
    public var backend: String
    public var device: String
    public var medianMs: Double
    public var gflops: Double
    public var gbps: Double

    enum CodingKeys: String, CodingKey {
        case op, shape, backend, device, gflops, gbps
        case medianMs = "median_ms"
    }
}

/// Times each op at the shapes the reports' models use, on the OpenCL device (profiling
/// events: device time only) and on the CPU backend (wall clock: it runs synchronously),
/// side by side in one run, with CLBlast's SGEMM beside ours where it is installed.
public struct KernelBench {
    public let cpu: CPUBackend
    public let openCL: OpenCLBackend?
    public let clblast: CLBlastGEMM?
    /// The same device with convolutions forced through each algorithm, for the
    /// `opencl-direct` and `opencl-im2col` rows beside the `auto` choice.
    public var convolutionVariants: [OpenCLBackend] = []
    /// Where the OpenCL backend runs `aekit tune`'s constants: the same device with the
    /// defaults, as a GEMM row of its own ("opencl-untuned"), so tuned and untuned compare in
    /// one run.
    public var untuned: OpenCLBackend?
    /// Timed runs per measurement (after one untimed warm-up run).
    public var repeats = 5
    /// Skip the CPU backend (on a GPU host the CPU rows are slow and beside the point).
    public var includeCPU = true
    public var progress: (String) -> Void = { _ in }

    public init(cpu: CPUBackend, openCL: OpenCLBackend?, clblast: CLBlastGEMM?) {
        self.cpu = cpu; self.openCL = openCL; self.clblast = clblast
    }

    /// One measurement: how to run it on a backend, and its work and traffic.
    struct Workload {
        let op: Op, shape: String, flops: Double, bytes: Double
        let inputs: [Int]
        /// A convolution's output channels (what the im2col/direct choice looks at).
        var outputChannels: Int? = nil
        let run: (any Backend, [Buffer]) throws -> Void
    }

    /// One backend (or forced kernel) timed on a workload: a row of the table.
    struct Contender {
        let label: String, device: String
        let backend: any Backend
        let workload: Workload
        /// Time from enqueue to finish instead of profiling events (CLBlast, see `time`).
        var wallClock = false
    }

    /// Times the workloads of `ops`.
    public func run(ops: [Op] = Op.allCases) throws -> [BenchRecord] {
        var records: [BenchRecord] = []
        let ops = Set(ops)
        for workload in KernelBench.workloads() where ops.contains(workload.op) {
            progress("\(workload.op.name) \(workload.shape)")
            var contenders: [Contender] = []
            let isConvolution = [.conv2dForward, .conv2dBackwardData, .conv2dBackwardWeights].contains(workload.op)
            if includeCPU {
                contenders.append(Contender(label: "cpu", device: "CPU (OpenBLAS)", backend: cpu, workload: workload))
                if isConvolution {
                    // Both of the CPU backend's algorithms forced, beside the one it picks.
                    contenders += [ConvolutionAlgorithm.lowered, .direct].map {
                        Contender(label: "cpu-\($0.rawValue)", device: "CPU", backend: CPUBackend(threads: cpu.threads, convolution: $0),
                                  workload: workload)
                    }
                }
            }
            if let cl = openCL {
                contenders.append(Contender(label: "opencl", device: cl.device.name, backend: cl, workload: workload))
                if workload.op == .gemm { contenders += gemmVariants(workload, cl) }
                if isConvolution {
                    contenders += convolutionVariants.map {
                        Contender(label: "opencl-\($0.convolution.rawValue)", device: cl.device.name, backend: $0, workload: workload)
                    }
                }
            }
            records += try measureSideBySide(contenders)
        }
        return records
    }

    /// Our three GEMM kernels forced, the untuned constants where tuned, and CLBlast, on the
    /// same shape.
    private func gemmVariants(_ workload: Workload, _ cl: OpenCLBackend) -> [Contender] {
        guard let dims = GEMMShape(workload.shape) else { return [] }
        var rows: [Contender] = []
        if let untuned {
            rows.append(Contender(label: "opencl-untuned", device: cl.device.name, backend: untuned, workload: workload))
        }
        for kernel in [OpenCLBackend.GEMMKernel.tiled, .direct, .vector] {
            // The direct kernel at 1024³ takes seconds on a CPU device and teaches nothing new.
            if kernel == .direct && dims.m * dims.n * dims.k > 200_000_000 { continue }
            let forced = Workload(op: .gemm, shape: workload.shape, flops: workload.flops, bytes: workload.bytes,
                                  inputs: workload.inputs) { backend, b in
                try (backend as! OpenCLBackend).gemm(transA: dims.transA, transB: dims.transB, m: dims.m, n: dims.n,
                                                     k: dims.k, alpha: 1, a: b[0], b: b[1], beta: 0, c: b[2], kernel: kernel)
            }
            rows.append(Contender(label: "opencl-\(kernel.rawValue)", device: cl.device.name, backend: cl, workload: forced))
        }
        if let clblast {
            let baseline = Workload(op: .gemm, shape: workload.shape, flops: workload.flops, bytes: workload.bytes,
                                    inputs: workload.inputs) { backend, b in
                try clblast.gemm(on: backend as! OpenCLBackend, transA: dims.transA, transB: dims.transB,
                                 m: dims.m, n: dims.n, k: dims.k, alpha: 1, a: b[0], b: b[1], beta: 0, c: b[2])
            }
            rows.append(Contender(label: "clblast", device: cl.device.name, backend: cl, workload: baseline, wallClock: true))
        }
        return rows
    }

    /// Each contender's median of `repeats` timed runs, taken in rounds (one run of each per
    /// round) so that a burst of load on this shared machine slows every row of a shape alike
    /// and the ratios between them hold; timing each row's runs back to back let one burst
    /// halve one row (seen: the same kernel at 2.9 and 7.8 ms in one run).
    func measureSideBySide(_ contenders: [Contender]) throws -> [BenchRecord] {
        let inputs = try contenders.map { contender -> [Buffer] in
            var random = SeededRandom(seed: 7)
            let buffers = try contender.workload.inputs.map { count -> Buffer in
                let buffer = try contender.backend.makeBuffer(count: count)
                try contender.backend.upload(random.uniforms(count, 0, 1), to: buffer)
                return buffer
            }
            try contender.workload.run(contender.backend, buffers)  // warm-up: builds programs, faults pages in
            try contender.backend.synchronize()
            return buffers
        }
        try validate(contenders, inputs)
        var times = [[Double]](repeating: [], count: contenders.count)
        for _ in 0..<repeats {
            for (index, contender) in contenders.enumerated() { times[index].append(try time(contender, inputs[index])) }
        }
        return zip(contenders, times).map { contender, times in
            let median = times.sorted()[times.count / 2], workload = contender.workload
            return BenchRecord(op: workload.op.name, shape: workload.shape, backend: contender.label, device: contender.device,
                               medianMs: median * 1e3, gflops: workload.flops / median * 1e-9,
                               gbps: workload.bytes / median * 1e-9)
        }
    }

    /// Validates before it times (llm.c's `validate_result` before `benchmark_kernel`): every
    /// contender ran its warm-up once on the same inputs, so every buffer must now hold what the
    /// first contender's (the CPU backend's, where it is one) holds, within the parity tolerance.
    /// A contender that computes something else is named, and nothing is timed.
    private func validate(_ contenders: [Contender], _ buffers: [[Buffer]]) throws {
        guard let reference = contenders.first else { return }
        let expected = try buffers[0].map { try reference.backend.download($0) }
        for (contender, own) in zip(contenders, buffers).dropFirst() {
            for (index, (want, buffer)) in zip(expected, own).enumerated() {
                let got = try contender.backend.download(buffer)
                guard let bad = want.indices.first(where: { !Tolerance.parity.accepts(got[$0], reference: want[$0]) }) else { continue }
                throw ComputeError.invalidArgument(
                    "bench \(contender.workload.op.name) \(contender.workload.shape): \(contender.label) disagrees with \(reference.label) "
                    + "(buffer \(index), element \(bad): \(got[bad]) against \(want[bad]); \(Tolerance.parity)); nothing was timed")
            }
        }
    }

    /// Seconds of one run. OpenCL rows use profiling events unless `wallClock`: CLBlast's GEMM
    /// may run several kernels (pad, transpose, GEMM) but returns the event of its last one
    /// only, so it is timed from enqueue to `clFinish` (which slightly favours our kernels by
    /// the launch overhead, microseconds against milliseconds here).
    private func time(_ contender: Contender, _ buffers: [Buffer]) throws -> Double {
        let (backend, workload) = (contender.backend, contender.workload)
        if let cl = backend as? OpenCLBackend, !contender.wallClock {
            return try cl.kernelTime { try workload.run(cl, buffers) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        try workload.run(backend, buffers)
        try backend.synchronize()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
}

/// `MxNxK TT` parsed back from a GEMM record's shape.
struct GEMMShape {
    let m, n, k: Int
    let transA, transB: Bool

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
        self.m = m; self.n = n; self.k = k; self.transA = transA; self.transB = transB
    }

    init?(_ text: String) {
        let parts = text.split(separator: " ")
        let dims = parts.first?.split(separator: "x").compactMap { Int($0) } ?? []
        guard dims.count == 3, parts.count == 2, parts[1].count == 2 else { return nil }
        self.init(m: dims[0], n: dims[1], k: dims[2], transA: parts[1].first == "T", transB: parts[1].last == "T")
    }

    var description: String { "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N")" }
}
