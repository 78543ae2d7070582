import ArgumentParser

/// `--no-fuse`, shared by the commands that train: the model's layers each on their own and
/// one optimizer launch per parameter, to compare with the fused step (same numbers).
struct FusionOption: ParsableArguments {
    @Flag(name: .customLong("no-fuse"),
          help: "Run every layer on its own and step each parameter separately (the fused step's numbers, more launches).")
    var noFuse = false

    var fused: Bool { !noFuse }
}
