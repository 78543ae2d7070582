import COpenBLAS
import CPUKernels
import Foundation

/// The BLAS behind the CPU backend and what it runs on, as `aekit devices` and the benches
/// report it: a GEMM figure means little without the library, its version and the kernels
/// (the "core") it picked.
public struct BLASInfo: Sendable, Codable {
    public let library: String
    public let version: String
    /// The core whose kernels OpenBLAS runs (`openblas_get_corename`), e.g. `Haswell`, `SkylakeX`.
    public let core: String
    /// Threads OpenBLAS itself uses per call (1: the backend runs one call per thread).
    public let threadsPerCall: Int
    /// The widest vector units of this CPU, named as OpenBLAS names the cores that use them.
    public let cpuVectors: String
    /// Set when OpenBLAS runs older kernels than the CPU can: held there by `OPENBLAS_CORETYPE`,
    /// or fallen back to them on a CPU it does not recognise.
    public let warning: String?

    /// Read now: after the CPU backend has set OpenBLAS to one thread per call.
    public static var current: BLASInfo { BLASInfo() }

    private init() {
        _ = CPUBackend.serialBLAS
        library = "OpenBLAS"
        // openblas_get_config: "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
        let config = String(cString: openblas_get_config()).split(separator: " ")
        version = config.count > 1 && config[0] == "OpenBLAS" ? String(config[1]) : "unknown version"
        core = String(cString: openblas_get_corename())
        threadsPerCall = Int(openblas_get_num_threads())
        let level = Int(cpu_vector_level())
        cpuVectors = BLASInfo.vectorNames[level]
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if let coreLevel = BLASInfo.level(ofCore: core), coreLevel < level {
            let held = "its \(core) kernels (\(BLASInfo.vectorNames[coreLevel])) on a CPU with \(cpuVectors): its GEMM runs well "
                + "below this machine's speed."
            if let forced {
                warning = "OPENBLAS_CORETYPE=\(forced) holds OpenBLAS to \(held) Unset OPENBLAS_CORETYPE "
                    + "(and OPENBLAS_L2_SIZE) to let OpenBLAS choose."
            } else {
                // An OpenBLAS older than the CPU does not recognise it and falls back to its
                // most basic kernels (0.3.21 on a Xeon "Emerald Rapids" picks Prescott's SSE3).
                warning = "OpenBLAS \(version) does not recognise this CPU and runs \(held) Set "
                    + "OPENBLAS_CORETYPE=\(BLASInfo.coreNames[level]) to run its \(cpuVectors) kernels."
            }
        } else {
            warning = nil
        }
    }

    /// One line: `OpenBLAS 0.3.21, SkylakeX kernels, 1 thread per call (CPU: AVX-512)`.
    public var description: String {
        "\(library) \(version), \(core) kernels, \(threadsPerCall) thread\(threadsPerCall == 1 ? "" : "s") per call (CPU: \(cpuVectors))"
    }

    private static let vectorNames = ["SSE", "AVX", "AVX2", "AVX-512"]
    /// The OpenBLAS core to ask for at each vector level (`OPENBLAS_CORETYPE`).
    private static let coreNames = ["Prescott", "SandyBridge", "Haswell", "SkylakeX"]

    /// The vector level of an OpenBLAS x86 core (`vectorNames`' index); nil for a core not listed.
    private static func level(ofCore core: String) -> Int? {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": 3
        case "haswell", "zen", "excavator", "steamroller": 2
        case "sandybridge", "bulldozer", "piledriver": 1
        case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "opteron", "barcelona", "bobcat",
             "katmai", "coppermine", "northwood", "banias", "nano": 0
        default: nil
        }
    }
}
