import Compute

/// Every parameter of a model in one flat buffer and every gradient in another, each
/// `Parameter`'s value and gradient being a view of its slot. An optimizer then updates the
/// whole model in one launch (and keeps its moments flat the same way), where stepping each
/// tensor on its own costs a launch per tensor (a dozen for a small conv autoencoder).
///
/// A collection of its parameters with their names: `for (name, parameter) in model.parameters`.
///
/// Slots start on the backend's `viewAlignment`; the gaps between them are zeros in every
/// flat buffer, which no layer writes and which every update rule leaves at zero.
public final class ParameterStore: RandomAccessCollection {
    /// Parameters with their PyTorch state_dict names, in order.
    public let named: [(name: String, parameter: Parameter)]
    /// Where each parameter's slot starts, in `named`'s order.
    let offsets: [Int]
    /// The flat buffers (padding included).
    public let values: Buffer, gradients: Buffer
    let backend: any Backend
    /// Whether an optimizer steps the flat buffers in one launch (true) or each parameter's
    /// views in a launch of its own (`--no-fuse`, for comparison).
    public let stepsTogether: Bool

    public var startIndex: Int { named.startIndex }
    public var endIndex: Int { named.endIndex }
    public subscript(position: Int) -> (name: String, parameter: Parameter) { named[position] }

    /// Moves `named`'s values into the flat buffer (a copy on the device) and makes every
    /// parameter a view of its slot.
    init(_ named: [(name: String, parameter: Parameter)], backend: any Backend, stepsTogether: Bool) throws {
        let alignment = backend.viewAlignment
        var end = 0
        offsets = named.map { _, p in
            defer { end += (p.value.count + alignment - 1) / alignment * alignment }
            return end
        }
        values = try backend.makeBuffer(count: Swift.max(end, 1))
        gradients = try backend.makeBuffer(count: Swift.max(end, 1))
        try backend.fill(values, with: 0)
        try backend.fill(gradients, with: 0)
        self.named = named; self.backend = backend; self.stepsTogether = stepsTogether
        for ((_, p), offset) in zip(named, offsets) {
            let value = try backend.view(values, offset: offset, count: p.value.count)
            try backend.copy(p.value.buffer, to: value)
            p.rebind(value: Tensor(shape: p.shape, buffer: value),
                     gradient: Tensor(shape: p.shape, buffer: try backend.view(gradients, offset: offset, count: p.value.count)))
        }
    }

    /// A zero buffer laid out as `values` (an optimizer's moment).
    func makeFlatBuffer() throws -> Buffer {
        let buffer = try backend.makeBuffer(count: values.count)
        try backend.fill(buffer, with: 0)
        return buffer
    }

    /// Parameter `index`'s slot in a buffer laid out as `values`.
    func slot(_ index: Int, of flat: Buffer) throws -> Buffer {
        try backend.view(flat, offset: offsets[index], count: named[index].parameter.value.count)
    }
}
