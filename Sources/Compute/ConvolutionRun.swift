/// A convolution's geometry as the layers, the parity cases and the gradient checks use it: its
/// sizes, and the three ops that run it forward and back. `ConvGeometry` runs the conv2d ops;
/// `ConvTransposeGeometry` runs the transposed ones (the same ops, with the roles of input and
/// output exchanged), so code written against this protocol serves both.
public protocol ConvolutionRun: CustomStringConvertible, Sendable {
    var batch: Int { get }
    var outHeight: Int { get }
    var outWidth: Int { get }
    var inputCount: Int { get }
    var outputCount: Int { get }
    var weightCount: Int { get }
    /// Multiply-adds of the forward pass (each backward pass has as many).
    var multiplyAdds: Int { get }
    func forward(_ b: any Backend, input: Buffer, weight: Buffer, output: Buffer) throws
    func backwardData(_ b: any Backend, outputGrad: Buffer, weight: Buffer, inputGrad: Buffer) throws
    func backwardWeights(_ b: any Backend, input: Buffer, outputGrad: Buffer, weightGrad: Buffer) throws
}

extension ConvGeometry: ConvolutionRun {
    public func forward(_ b: any Backend, input: Buffer, weight: Buffer, output: Buffer) throws {
        try b.conv2dForward(self, input: input, weight: weight, output: output)
    }
    public func backwardData(_ b: any Backend, outputGrad: Buffer, weight: Buffer, inputGrad: Buffer) throws {
        try b.conv2dBackwardData(self, outputGrad: outputGrad, weight: weight, inputGrad: inputGrad)
    }
    public func backwardWeights(_ b: any Backend, input: Buffer, outputGrad: Buffer, weightGrad: Buffer) throws {
        try b.conv2dBackwardWeights(self, input: input, outputGrad: outputGrad, weightGrad: weightGrad)
    }
}

extension ConvTransposeGeometry: ConvolutionRun {
    public func forward(_ b: any Backend, input: Buffer, weight: Buffer, output: Buffer) throws {
        try b.convTranspose2dForward(self, input: input, weight: weight, output: output)
    }
    public func backwardData(_ b: any Backend, outputGrad: Buffer, weight: Buffer, inputGrad: Buffer) throws {
        try b.convTranspose2dBackwardData(self, outputGrad: outputGrad, weight: weight, inputGrad: inputGrad)
    }
    public func backwardWeights(_ b: any Backend, input: Buffer, outputGrad: Buffer, weightGrad: Buffer) throws {
        try b.convTranspose2dBackwardWeights(self, input: input, outputGrad: outputGrad, weightGrad: weightGrad)
    }
}
