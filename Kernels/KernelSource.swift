/// The OpenCL C sources of `Kernels/*.cl`, embedded at build time by the EmbedKernels plugin.
public enum KernelSource {
    /// The names of the embedded files, without `.cl`, sorted.
    public static var names: [String] { embeddedKernelSources.keys.sorted() }

    /// The source of `Kernels/<name>.cl`, or nil if there is no such file.
    public static func source(named name: String) -> String? { embeddedKernelSources[name] }
}
