import ArgumentParser
import Compute

/// `--only`, for the commands that go through the ops one by one (`parity`, `bench kernels`).
struct OpFilterOptions: ParsableArguments {
    @Option(help: "Only the ops whose names contain this text (gemm, conv, pool, …); see `aekit parity` for the names.")
    var only: String?

    /// A text that names no op is refused here, with the names, rather than matching nothing.
    func validate() throws {
        do { _ = try Op.matching(only) } catch { throw ValidationError("--only: \(error)") }
    }

    /// The ops `--only` names, every op without it.
    func ops() throws -> [Op] { try Op.matching(only) }
}
