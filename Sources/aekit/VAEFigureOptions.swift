import AEKit
import ArgumentParser
import Compute

/// What `aekit sample` and `aekit interpolate` share: a trained variational autoencoder,
/// the device it runs on, and the PNG file the figure goes to.
struct VAEFigureOptions: ParsableArguments {
    @OptionGroup var savedModel: SavedModelOptions

    @Option(help: "The PNG file to write.")
    var out: String

    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        guard out.lowercased().hasSuffix(".png") else { throw ValidationError("--out must name a .png file (got '\(out)')") }
    }

    /// The checkpoint's model on the chosen device, refused as content (exit 65) unless it is a
    /// variational autoencoder; `command` names who needs one.
    func model(for command: String) throws -> Sequential {
        let model = try savedModel.load(deviceOptions)
        guard model.bottleneckIndex != nil else {
            throw contentError("\(savedModel.name) holds \(model.spec.name), which has no Reparameterize layer: `aekit \(command)` "
                               + "needs a variational autoencoder (train one with `aekit train --recipe vae`)")
        }
        return model
    }
}
