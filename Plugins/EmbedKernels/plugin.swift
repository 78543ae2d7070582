import Foundation
import PackagePlugin

/// Runs EmbedKernelsTool over every `.cl` file of the target it is attached to.
/// Attached to the Kernels target itself, so SwiftPM re-runs it when a kernel file
/// is added, removed or edited.
@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let kernels = target.sourceFiles
            .filter { $0.url.pathExtension == "cl" }
            .map(\.url)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKernels.swift")
        return [.buildCommand(
            displayName: "Embedding \(kernels.count) OpenCL kernel files",
            executable: try context.tool(named: "EmbedKernelsTool").url,
            arguments: [output.path] + kernels.map(\.path),
            inputFiles: kernels,
            outputFiles: [output])]
    }
}
