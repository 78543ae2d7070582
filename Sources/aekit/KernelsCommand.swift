import ArgumentParser
import Compute
import Foundation

struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "List the OpenCL programs AEKit builds and the options it builds them with.",
        discussion: "--emit DIR writes each program's source exactly as AEKit hands it to a driver (the prelude, "
            + "then Kernels/NAME.cl) as DIR/NAME.cl, and the build options as DIR/build-options.txt: what "
            + "scripts/ptx-report compiles for NVIDIA's assembler.")

    @Option(help: "Write each program's source and the build options into this folder.")
    var emit: String?

    func run() throws {
        let options = KernelConstants.defaults.buildOptions
        if let emit {
            try createFolders(emit)
            for file in OpenCLBackend.kernelFiles {
                try writeAtomically(Data(try OpenCLBackend.programSource(file).utf8), to: Paths.join(emit, "\(file).cl"))
            }
            try writeAtomically(Data((options + "\n").utf8), to: Paths.join(emit, "build-options.txt"))
            print("\(OpenCLBackend.kernelFiles.count) programs and build-options.txt written to \(emit)")
            return
        }
        print("programs: \(OpenCLBackend.kernelFiles.joined(separator: " "))")
        print("build options (defaults; `aekit tune` stores a device's own): \(options)")
    }
}
