import ArgumentParser
import Compute

/// `--threads`, for every command that runs the CPU backend.
struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "How many threads the CPU backend uses.",
        discussion: "Default: \(ThreadBudget.environmentVariable) if set, else the cores this process may use "
            + "(its CPU affinity, lowered by a cgroup CPU quota). `aekit devices` shows the count and where it came from."))
    var threads: Int?

    func validate() throws {
        if let threads, !(1...ThreadBudget.maximum).contains(threads) {
            throw ValidationError("--threads must be a thread count in 1...\(ThreadBudget.maximum), not \(threads)")
        }
    }

    /// The budget these options and the environment give.
    func budget() throws -> ThreadBudget { try ThreadBudget.resolve(option: threads) }
}
