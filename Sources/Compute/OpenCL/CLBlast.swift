import COpenCL
import Foundation

/// CLBlast's SGEMM, loaded at run time when libclblast is installed: the tuned-library
/// baseline the bench puts beside our GEMM kernels (as llm.c benches cuBLAS beside its own).
/// AEKit never needs it to train, so it is not a link-time dependency.
public final class CLBlastGEMM: @unchecked Sendable {
    // Thread-safety: immutable after init; calls go through OpenCLBackend.withQueue.
    private typealias Sgemm = @convention(c) (
        Int32, Int32, Int32, Int, Int, Int, Float, cl_mem?, Int, Int, cl_mem?, Int, Int, Float,
        cl_mem?, Int, Int, UnsafeMutablePointer<cl_command_queue?>?, UnsafeMutablePointer<cl_event?>?) -> Int32
    private let library: UnsafeMutableRawPointer
    private let sgemm: Sgemm
    /// The file that was loaded.
    public let path: String

    /// Nil when no libclblast can be loaded.
    public init?() {
        for name in ["libclblast.so.1", "libclblast.so"] {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "CLBlastSgemm") {
                library = handle
                sgemm = unsafeBitCast(symbol, to: Sgemm.self)
                path = name
                return
            }
        }
        return nil
    }

    deinit { dlclose(library) }

    /// Row-major C = alpha·op(A)·op(B) + beta·C on `backend`'s queue, as `Backend.gemm`.
    public func gemm(on backend: OpenCLBackend, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        try backend.checkGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
        let (memA, memB, memC) = (try backend.memory(a), try backend.memory(b), try backend.memory(c))
        let (rowMajor, no, yes): (Int32, Int32, Int32) = (101, 111, 112)
        let status = try backend.withQueue { queue -> Int32 in
            var queue: cl_command_queue? = queue
            return sgemm(rowMajor, transA ? yes : no, transB ? yes : no, m, n, k, alpha,
                         memA, 0, transA ? m : k, memB, 0, transB ? k : n, beta, memC, 0, n, &queue, nil)
        }
        guard status == 0 else {
            throw ComputeError.openCL(OpenCLError(code: status, operation: "CLBlastSgemm \(m)x\(n)x\(k)", buildLog: nil))
        }
    }
}
