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

    /// One backend (or forced kernel) timed on a case: a row of the table.
    struct Contender {
        let label: String, device: String
        let backend: any Backend
        let workload: OpCase
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
            let isConvolution = workload.convolution != nil
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
    private func gemmVariants(_ workload: OpCase, _ cl: OpenCLBackend) -> [Contender] {
        guard let dims = workload.product else { return [] }
        var rows: [Contender] = []
        if let untuned {
            rows.append(Contender(label: "opencl-untuned", device: cl.device.name, backend: untuned, workload: workload))
        }
        for kernel in [OpenCLBackend.GEMMKernel.tiled, .direct, .vector] {
            // The direct kernel at 1024³ takes seconds on a CPU device and teaches nothing new.
            if kernel == .direct && dims.m * dims.n * dims.k > 200_000_000 { continue }
            let forced = workload.calling { backend, b, _ in
                try (backend as! OpenCLBackend).gemm(transA: dims.transA, transB: dims.transB, m: dims.m, n: dims.n,
                                                     k: dims.k, alpha: 1, a: b[0], b: b[1], beta: 0, c: b[2], kernel: kernel)
                return [b[2]]
            }
            rows.append(Contender(label: "opencl-\(kernel.rawValue)", device: cl.device.name, backend: cl, workload: forced))
        }
        if let clblast {
            let baseline = workload.calling { backend, b, _ in
                try clblast.gemm(on: backend as! OpenCLBackend, transA: dims.transA, transB: dims.transB,
                                 m: dims.m, n: dims.n, k: dims.k, alpha: 1, a: b[0], b: b[1], beta: 0, c: b[2])
                return [b[2]]
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
        let prepared = try contenders.map { contender -> Prepared in
            let (inputs, outputs) = try contender.workload.buffers(on: contender.backend)
            // The warm-up (builds programs, faults pages in), whose results are validated.
            let results = try contender.workload.call(contender.backend, inputs, outputs)
            try contender.backend.synchronize()
            return Prepared(inputs: inputs, outputs: outputs, results: results)
        }
        try validate(contenders, prepared)
        var times = [[Double]](repeating: [], count: contenders.count)
        for _ in 0..<repeats {
            for (index, contender) in contenders.enumerated() { times[index].append(try time(contender, prepared[index])) }
        }
        return zip(contenders, times).map { contender, times in
            let median = times.sorted()[times.count / 2], workload = contender.workload
            return BenchRecord(op: workload.op.name, shape: workload.shape, backend: contender.label, device: contender.device,
                               medianMs: median * 1e3, gflops: workload.flops / median * 1e-9,
                               gbps: workload.bytes / median * 1e-9)
        }
    }

    /// A contender's buffers on its backend, and which of them its warm-up run left results in.
    struct Prepared {
        let inputs: [Buffer], outputs: [Buffer], results: [Buffer]
    }

    /// Validates before it times (llm.c's `validate_result` before `benchmark_kernel`): every
    /// contender ran its warm-up once on the same inputs, so its results must equal the first
    /// contender's (the CPU backend's, where it is one). A contender that computes something else
    /// is named, and nothing is timed. The tolerance is the parity one taken against the
    /// result's largest element rather than each element's own: the report-sized weight
    /// gradients sum 196 000 signed products into values near zero, where two correct summation
    /// orders differ by more than an element's tolerance (seen: 0.3414 against 0.3421 at batch
    /// 1000), while a wrong index or a missed term is off by the size of the terms.
    private func validate(_ contenders: [Contender], _ prepared: [Prepared]) throws {
        guard let reference = contenders.first else { return }
        let expected = try prepared[0].results.map { try reference.backend.download($0) }
        for (contender, own) in zip(contenders, prepared).dropFirst() {
            for (index, (want, buffer)) in zip(expected, own.results).enumerated() {
                let got = try contender.backend.download(buffer)
                let scale = want.lazy.map(abs).max() ?? 0
                let allowed = Tolerance.parity.absolute + Tolerance.parity.relative * scale
                guard let bad = want.indices.first(where: { !(abs(got[$0] - want[$0]) <= allowed) && got[$0] != want[$0] })
                else { continue }
                throw ComputeError.invalidArgument(
                    "bench \(contender.workload.op.name) \(contender.workload.shape): \(contender.label) disagrees with \(reference.label) "
                    + "(result \(index), element \(bad): \(got[bad]) against \(want[bad]); allowed \(allowed), the parity "
                    + "tolerance against the result's largest element); nothing was timed")
            }
        }
    }

    /// Seconds of one run. OpenCL rows use profiling events unless `wallClock`: CLBlast's GEMM
    /// may run several kernels (pad, transpose, GEMM) but returns the event of its last one
    /// only, so it is timed from enqueue to `clFinish` (which slightly favours our kernels by
    /// the launch overhead, microseconds against milliseconds here).
    private func time(_ contender: Contender, _ buffers: Prepared) throws -> Double {
        let (backend, workload) = (contender.backend, contender.workload)
        if let cl = backend as? OpenCLBackend, !contender.wallClock {
            return try cl.kernelTime { _ = try workload.call(cl, buffers.inputs, buffers.outputs) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try workload.call(backend, buffers.inputs, buffers.outputs)
        try backend.synchronize()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
}

/// A product's sizes and transposes, written `MxNxK TT` (C = A·B, A is M×K).
struct GEMMShape: Sendable, CustomStringConvertible {
    let m, n, k: Int
    let transA, transB: Bool

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
        self.m = m; self.n = n; self.k = k; self.transA = transA; self.transB = transB
    }

    /// Parsed back from that form (`aekit tune --shape`).
    init?(_ text: String) {
        let parts = text.split(separator: " ")
        let dims = parts.first?.split(separator: "x").compactMap { Int($0) } ?? []
        guard dims.count == 3, parts.count == 2, parts[1].count == 2 else { return nil }
        self.init(m: dims[0], n: dims[1], k: dims[2], transA: parts[1].first == "T", transB: parts[1].last == "T")
    }

    var description: String { "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N")" }
}
