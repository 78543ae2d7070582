import ArgumentParser

/// `--json` of the bench commands that time a list of cases: their records alone on standard
/// output (progress goes to standard error), for scripts such as `scripts/gpu-host-check`.
struct JSONOutputOption: ParsableArguments {
    @Flag(help: "Print only a JSON array of records on standard output.")
    var json = false
}
