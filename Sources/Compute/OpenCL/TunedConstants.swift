import Foundation

/// `aekit tune`'s results, one file per device and driver in the cache folder
/// (`<cache>/tuning-<key>.json`): the constants found best, with the device they were found on.
/// A backend on that device loads them; a new driver version is a new key, so it starts from
/// the defaults until tuned again.
public enum TunedConstants {
    struct Record: Codable {
        var device: String, platform: String, driver: String
        var constants: KernelConstants
    }

    static func key(_ device: OpenCLDevice) -> String {
        String(fnv1a64("\(device.name)|\(device.platform)|\(device.driverVersion)"), radix: 16)
    }

    public static func file(for device: OpenCLDevice, directory: String) -> String {
        Paths.join(directory, "tuning-\(key(device)).json")
    }

    /// The stored constants for `device`, or nil where none are stored or the file does not
    /// belong to this device (a file that cannot be read is ignored: the defaults still work).
    public static func load(for device: OpenCLDevice, directory: String) -> KernelConstants? {
        guard let data = try? readRegularFile(file(for: device, directory: directory), limit: 1 << 20),
              let record = try? JSONDecoder().decode(Record.self, from: data),
              record.device == device.name, record.platform == device.platform, record.driver == device.driverVersion,
              record.constants.isSound
        else { return nil }
        return record.constants
    }

    /// Stores `constants` for `device`, atomically.
    public static func save(_ constants: KernelConstants, for device: OpenCLDevice, directory: String) throws {
        try createFolders(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let record = Record(device: device.name, platform: device.platform, driver: device.driverVersion, constants: constants)
        try writeAtomically(encoder.encode(record), to: file(for: device, directory: directory))
    }
}
