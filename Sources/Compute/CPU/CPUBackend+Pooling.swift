import CPUKernels

// Pooling and upsampling work plane by plane (an image's channel): an output plane depends on
// its input plane alone, so the planes are cut into chunks that the threads take
// (`forEachPlaneChunk`), each chunk handed to the C kernel as its first plane and count.
extension CPUBackend {
    /// Runs `body(first, count)` over chunks of `planes` planes across the threads, a chunk
    /// about `parallelGrain` values when a plane holds `valuesPerPlane`.
    private func forEachPlaneChunk(_ planes: Int, valuesPerPlane: Int, _ body: (_ first: Int, _ count: Int64) -> Void) {
        parallelChunks(planes, grain: max(1, parallelGrain / max(valuesPerPlane, 1))) { body($0.lowerBound, Int64($0.count)) }
    }

    public func maxPool2dForward(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try checkPool(g, input: input, output: output, indices: indices)
        let x = try pointer(input), y = try pointer(output), idx = try pointer(indices), (i, o) = (g.inPlane, g.outPlane)
        forEachPlaneChunk(g.planes, valuesPerPlane: i) { p, n in
            max_pool2d_forward(x + p * i, y + p * o, idx + p * o, n, g.inH, g.inW, g.outH, g.outW, g.k, g.s)
        }
    }

    public func maxPool2dBackward(_ g: PoolGeometry, outputGrad: Buffer, indices: Buffer, inputGrad: Buffer) throws {
        try checkPool(g, input: inputGrad, output: outputGrad, indices: indices)
        let dy = try pointer(outputGrad), idx = try pointer(indices), dx = try pointer(inputGrad), (i, o) = (g.inPlane, g.outPlane)
        forEachPlaneChunk(g.planes, valuesPerPlane: i) { p, n in
            max_pool2d_backward(dy + p * o, idx + p * o, dx + p * i, n, g.inH, g.inW, g.outH, g.outW, g.k, g.s)
        }
    }

    public func avgPool2dForward(_ g: PoolGeometry, countIncludePad: Bool, input: Buffer, output: Buffer) throws {
        try checkAvgPool(g, input: input, output: output)
        let x = try pointer(input), y = try pointer(output), (i, o) = (g.inPlane, g.outPlane), pad: Int32 = countIncludePad ? 1 : 0
        forEachPlaneChunk(g.planes, valuesPerPlane: i) { p, n in
            avg_pool2d_forward(x + p * i, y + p * o, n, g.inH, g.inW, g.outH, g.outW, g.k, g.s, g.pad, pad)
        }
    }

    public func avgPool2dBackward(_ g: PoolGeometry, countIncludePad: Bool, outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkAvgPool(g, input: inputGrad, output: outputGrad)
        let dy = try pointer(outputGrad), dx = try pointer(inputGrad), (i, o) = (g.inPlane, g.outPlane), pad: Int32 = countIncludePad ? 1 : 0
        forEachPlaneChunk(g.planes, valuesPerPlane: i) { p, n in
            avg_pool2d_backward(dy + p * o, dx + p * i, n, g.inH, g.inW, g.outH, g.outW, g.k, g.s, g.pad, pad)
        }
    }

    /// Upsampling's four ops: checks the sizes, then runs `kernel(source, destination, count)`
    /// over chunks of the planes. Forward reads the small planes and writes the large ones,
    /// backward (the gradient) the other way round.
    private func upsamplePlanes(_ planes: Int, height: Int, width: Int, factor: Int, from source: Buffer, to destination: Buffer,
                                backward: Bool,
                                _ kernel: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int64) -> Void) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor,
                          input: backward ? destination : source, output: backward ? source : destination)
        let small = height * width, large = small * factor * factor, (read, written) = backward ? (large, small) : (small, large)
        let from = try pointer(source), to = try pointer(destination)
        forEachPlaneChunk(planes, valuesPerPlane: large) { p, n in kernel(from + p * read, to + p * written, n) }
    }

    public func upsampleForward(planes: Int, height: Int, width: Int, factor: Int, input: Buffer, output: Buffer) throws {
        try upsamplePlanes(planes, height: height, width: width, factor: factor, from: input, to: output, backward: false) {
            upsample_forward($0, $1, $2, Int64(height), Int64(width), Int64(factor))
        }
    }

    public func upsampleBackward(planes: Int, height: Int, width: Int, factor: Int, outputGrad: Buffer, inputGrad: Buffer) throws {
        try upsamplePlanes(planes, height: height, width: width, factor: factor, from: outputGrad, to: inputGrad, backward: true) {
            upsample_backward($0, $1, $2, Int64(height), Int64(width), Int64(factor))
        }
    }

    public func upsampleBilinearForward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                        input: Buffer, output: Buffer) throws {
        try upsamplePlanes(planes, height: height, width: width, factor: factor, from: input, to: output, backward: false) {
            upsample_bilinear_forward($0, $1, $2, Int64(height), Int64(width), Int64(factor), alignCorners ? 1 : 0)
        }
    }

    public func upsampleBilinearBackward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                         outputGrad: Buffer, inputGrad: Buffer) throws {
        try upsamplePlanes(planes, height: height, width: width, factor: factor, from: outputGrad, to: inputGrad, backward: true) {
            upsample_bilinear_backward($0, $1, $2, Int64(height), Int64(width), Int64(factor), alignCorners ? 1 : 0)
        }
    }
}

/// The sizes the C pooling kernels take, as they take them.
private extension PoolGeometry {
    var planes: Int { batch * channels }
    var inPlane: Int { inHeight * inWidth }
    var outPlane: Int { outHeight * outWidth }
    var inH: Int64 { Int64(inHeight) }
    var inW: Int64 { Int64(inWidth) }
    var outH: Int64 { Int64(outHeight) }
    var outW: Int64 { Int64(outWidth) }
    var k: Int64 { Int64(kernel) }
    var s: Int64 { Int64(stride) }
    var pad: Int64 { Int64(padding) }
}

extension CPUBackend {
    /// `maxPool2dForward` by PyTorch's definition, plain loops over host arrays: the first maximum
    /// wins, and a NaN always wins. What the C kernel's vector steps are checked against.
    public static func maxPool2dForwardDefinition(_ g: PoolGeometry, _ x: [Float]) -> (values: [Float], indices: [Float]) {
        var values: [Float] = [], indices: [Float] = []
        for plane in 0..<(g.batch * g.channels) {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    var best = -Float.infinity, at = -1
                    for h in (oh * g.stride)..<min(oh * g.stride + g.kernel, g.inHeight) {
                        for w in (ow * g.stride)..<min(ow * g.stride + g.kernel, g.inWidth) {
                            let v = x[plane * g.inHeight * g.inWidth + h * g.inWidth + w]
                            if at < 0 || v > best || v.isNaN { best = v; at = h * g.inWidth + w }
                        }
                    }
                    values.append(best); indices.append(Float(at))
                }
            }
        }
        return (values, indices)
    }
}
