/// A shape (NCHW for images, as PyTorch) and the buffer that holds its elements.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let buffer: Buffer

    public init(shape: [Int], buffer: Buffer) {
        precondition(shape.reduce(1, *) == buffer.count, "shape \(shape) does not fit \(buffer.count) elements")
        self.shape = shape
        self.buffer = buffer
    }

    public var count: Int { buffer.count }

    /// The same elements under another shape with the same count (no copy).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        try require(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, buffer: buffer)
    }
}

extension Backend {
    /// `values` into `buffer`, which holds exactly as many floats.
    public func upload(_ values: [Float], to buffer: Buffer) throws {
        guard values.count == buffer.count else {
            throw ComputeError.invalidArgument("upload of \(values.count) values into \(buffer.count)")
        }
        try values.withUnsafeBytes { try upload(bytes: $0, to: buffer) }
    }

    /// An uninitialised tensor (its buffer may be a recycled one).
    public func tensor(_ shape: [Int]) throws -> Tensor {
        Tensor(shape: shape, buffer: try makeBuffer(count: shape.reduce(1, *)))
    }

    /// A tensor filled with `value`.
    public func tensor(_ shape: [Int], filledWith value: Float) throws -> Tensor {
        let t = try tensor(shape)
        try fill(t.buffer, with: value)
        return t
    }

    /// A tensor holding `values`.
    public func tensor(_ shape: [Int], values: [Float]) throws -> Tensor {
        try require(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        let t = try tensor(shape)
        try upload(values, to: t.buffer)
        return t
    }

    /// The first element of a buffer: how a logged loss is read.
    public func scalar(_ buffer: Buffer) throws -> Float { try download(buffer)[0] }
}
