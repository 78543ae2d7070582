import Foundation

/// Named instants of an epoch's commit where `scripts/kill-test` has the process kill itself
/// (SIGKILL, as `kill -9` would), so every window of the protocol in `TrainingRun` is tested
/// on every run of that script, not only the windows random kills happen to hit. Set
/// `AEKIT_KILL_AT=<point>:<epoch>`, e.g. `committed:2`; unset, `reach` does nothing.
enum KillPoint: String, CaseIterable {
    /// The model is in the staging folder, the optimizer state not yet.
    case modelStaged = "model-staged"
    /// `checkpoint/epoch-N/` is whole; `state.json` still names epoch N − 1.
    case staged
    /// `state.json` names epoch N; `model.safetensors` and `metrics.csv` are still N − 1's.
    case committed
    /// Everything is epoch N's but epoch N − 1's checkpoint folder is still there.
    case published

    static let environmentVariable = "AEKIT_KILL_AT"

    private static let target: (point: KillPoint, epoch: Int)? = {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let point = KillPoint(rawValue: String(parts[0])), let epoch = Int(parts[1]) else { return nil }
        return (point, epoch)
    }()

    static func reach(_ point: KillPoint, epoch: Int) {
        if let target, target.point == point, target.epoch == epoch { kill(getpid(), SIGKILL) }
    }
}
