import Foundation

/// One line of `aekit bench kernels`.
public struct BenchRecord: Codable, Sendable {
    public var op: String
    /// GEMM as `MxNxK` (C = A·B, A is M×K) plus the transposes; images as N×C×H×W.
    public var shape: String
    /// `cpu`, `opencl` (the kernels `auto` picks), `opencl-tiled`, `opencl-direct`,
    /// `opencl-vector` (GEMM kernels forced), `opencl-direct`/`opencl-im2col` (convolution
    /// algorithms forced), `clblast`.
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
        let op: String, shape: String, flops: Double, bytes: Double
        let inputs: [Int]
        let run: (any Backend, [Buffer]) throws -> Void
    }

    public func run(filter: String? = nil) throws -> [BenchRecord] {
        var records: [BenchRecord] = []
        for workload in KernelBench.workloads() where filter.map({ workload.op.contains($0) }) ?? true {
            progress("\(workload.op) \(workload.shape)")
            if includeCPU {
                records.append(try measure(workload, backend: cpu, label: "cpu", device: "CPU (OpenBLAS)"))
            }
            if let cl = openCL {
                records.append(try measure(workload, backend: cl, label: "opencl", device: cl.device.name))
                if workload.op == "gemm" { records += try gemmVariants(workload, cl) }
                if workload.op.hasPrefix("conv2d") {
                    for variant in convolutionVariants {
                        records.append(try measure(workload, backend: variant, label: "opencl-\(variant.convolution.rawValue)",
                                                   device: cl.device.name))
                    }
                }
            }
        }
        return records
    }

    /// Our two GEMM kernels forced, and CLBlast, on the same shape.
    private func gemmVariants(_ workload: Workload, _ cl: OpenCLBackend) throws -> [BenchRecord] {
        guard let dims = GEMMShape(workload.shape) else { return [] }
        var rows: [BenchRecord] = []
        for kernel in [OpenCLBackend.GEMMKernel.tiled, .direct, .vector] {
            // The direct kernel at 1024³ takes seconds on a CPU device and teaches nothing new.
            if kernel == .direct && dims.m * dims.n * dims.k > 200_000_000 { continue }
            let forced = Workload(op: "gemm", shape: workload.shape, flops: workload.flops, bytes: workload.bytes,
                                  inputs: workload.inputs) { backend, b in
                try (backend as! OpenCLBackend).gemm(transA: dims.transA, transB: dims.transB, m: dims.m, n: dims.n,
                                                     k: dims.k, alpha: 1, a: b[0], b: b[1], beta: 0, c: b[2], kernel: kernel)
            }
            rows.append(try measure(forced, backend: cl, label: "opencl-\(kernel.rawValue)", device: cl.device.name))
        }
        if let clblast {
            let baseline = Workload(op: "gemm", shape: workload.shape, flops: workload.flops, bytes: workload.bytes,
                                    inputs: workload.inputs) { backend, b in
                try clblast.gemm(on: backend as! OpenCLBackend, transA: dims.transA, transB: dims.transB,
                                 m: dims.m, n: dims.n, k: dims.k, alpha: 1, a: b[0], b: b[1], beta: 0, c: b[2])
            }
            rows.append(try measure(baseline, backend: cl, label: "clblast", device: cl.device.name, wallClock: true))
        }
        return rows
    }

    /// The median of `repeats` timed runs. OpenCL rows use profiling events unless `wallClock`:
    /// CLBlast's GEMM may run several kernels (pad, transpose, GEMM) but returns the event of
    /// its last one only, so it is timed from enqueue to `clFinish` (which slightly favours
    /// our kernels by the launch overhead, microseconds against milliseconds here).
    private func measure(_ workload: Workload, backend: any Backend, label: String, device: String,
                         wallClock: Bool = false) throws -> BenchRecord {
        var random = SeededRandom(seed: 7)
        let buffers = try workload.inputs.map { count -> Buffer in
            let buffer = try backend.makeBuffer(count: count)
            try backend.upload(random.uniforms(count, 0, 1), to: buffer)
            return buffer
        }
        try workload.run(backend, buffers)  // warm-up: builds programs, faults pages in
        try backend.synchronize()
        var times: [Double] = []
        for _ in 0..<repeats {
            if let cl = backend as? OpenCLBackend, !wallClock {
                times.append(try cl.kernelTime { try workload.run(cl, buffers) })
            } else {
                let start = DispatchTime.now().uptimeNanoseconds
                try workload.run(backend, buffers)
                try backend.synchronize()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            }
        }
        let median = times.sorted()[times.count / 2]
        return BenchRecord(op: workload.op, shape: workload.shape, backend: label, device: device,
                           medianMs: median * 1e3, gflops: workload.flops / median * 1e-9,
                           gbps: workload.bytes / median * 1e-9)
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
