import CPUKernels

extension CPUBackend {
    public func maxPool2dForward(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try checkPool(g, input: input, output: output, indices: indices)
        let x = try pointer(input), y = try pointer(output), idx = try pointer(indices)
        let inPlane = g.inHeight * g.inWidth, outPlane = g.outHeight * g.outWidth
        parallelChunks(g.batch * g.channels, grain: max(1, parallelGrain / inPlane)) { planes in
            max_pool2d_forward(x + planes.lowerBound * inPlane, y + planes.lowerBound * outPlane,
                               idx + planes.lowerBound * outPlane, Int64(planes.count),
                               Int64(g.inHeight), Int64(g.inWidth), Int64(g.outHeight), Int64(g.outWidth),
                               Int64(g.kernel), Int64(g.stride))
        }
    }

    public func maxPool2dBackward(_ g: PoolGeometry, outputGrad: Buffer, indices: Buffer,
                                  inputGrad: Buffer) throws {
        try checkPool(g, input: inputGrad, output: outputGrad, indices: indices)
        let dy = try pointer(outputGrad), idx = try pointer(indices), dx = try pointer(inputGrad)
        let outPlane = g.outHeight * g.outWidth, inPlane = g.inHeight * g.inWidth
        // Each plane's gradients land in that plane only, so planes can be split across cores.
        parallelChunks(g.batch * g.channels, grain: max(1, parallelGrain / inPlane)) { planes in
            max_pool2d_backward(dy + planes.lowerBound * outPlane, idx + planes.lowerBound * outPlane,
                                dx + planes.lowerBound * inPlane, Int64(planes.count),
                                Int64(g.inHeight), Int64(g.inWidth), Int64(g.outHeight), Int64(g.outWidth),
                                Int64(g.kernel), Int64(g.stride))
        }
    }

    public func avgPool2dForward(_ g: PoolGeometry, countIncludePad: Bool, input: Buffer, output: Buffer) throws {
        try checkAvgPool(g, input: input, output: output)
        let x = try pointer(input), y = try pointer(output)
        let inPlane = g.inHeight * g.inWidth, outPlane = g.outHeight * g.outWidth
        parallelChunks(g.batch * g.channels, grain: max(1, parallelGrain / inPlane)) { planes in
            avg_pool2d_forward(x + planes.lowerBound * inPlane, y + planes.lowerBound * outPlane, Int64(planes.count),
                               Int64(g.inHeight), Int64(g.inWidth), Int64(g.outHeight), Int64(g.outWidth),
                               Int64(g.kernel), Int64(g.stride), Int64(g.padding), countIncludePad ? 1 : 0)
        }
    }

    public func avgPool2dBackward(_ g: PoolGeometry, countIncludePad: Bool, outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkAvgPool(g, input: inputGrad, output: outputGrad)
        let dy = try pointer(outputGrad), dx = try pointer(inputGrad)
        let inPlane = g.inHeight * g.inWidth, outPlane = g.outHeight * g.outWidth
        parallelChunks(g.batch * g.channels, grain: max(1, parallelGrain / inPlane)) { planes in
            avg_pool2d_backward(dy + planes.lowerBound * outPlane, dx + planes.lowerBound * inPlane, Int64(planes.count),
                                Int64(g.inHeight), Int64(g.inWidth), Int64(g.outHeight), Int64(g.outWidth),
                                Int64(g.kernel), Int64(g.stride), Int64(g.padding), countIncludePad ? 1 : 0)
        }
    }

    public func upsampleForward(planes: Int, height: Int, width: Int, factor: Int,
                                input: Buffer, output: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: input, output: output)
        let x = try pointer(input), y = try pointer(output)
        let inPlane = height * width
        parallelChunks(planes, grain: max(1, parallelGrain / (inPlane * factor * factor))) { r in
            upsample_forward(x + r.lowerBound * inPlane, y + r.lowerBound * inPlane * factor * factor,
                             Int64(r.count), Int64(height), Int64(width), Int64(factor))
        }
    }

    public func upsampleBackward(planes: Int, height: Int, width: Int, factor: Int,
                                 outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor,
                          input: inputGrad, output: outputGrad)
        let dy = try pointer(outputGrad), dx = try pointer(inputGrad)
        let inPlane = height * width
        parallelChunks(planes, grain: max(1, parallelGrain / (inPlane * factor * factor))) { r in
            upsample_backward(dy + r.lowerBound * inPlane * factor * factor, dx + r.lowerBound * inPlane,
                              Int64(r.count), Int64(height), Int64(width), Int64(factor))
        }
    }

    public func upsampleBilinearForward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                        input: Buffer, output: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: input, output: output)
        let x = try pointer(input), y = try pointer(output), inPlane = height * width, outPlane = inPlane * factor * factor
        parallelChunks(planes, grain: max(1, parallelGrain / outPlane)) { r in
            upsample_bilinear_forward(x + r.lowerBound * inPlane, y + r.lowerBound * outPlane, Int64(r.count), Int64(height),
                                      Int64(width), Int64(factor), alignCorners ? 1 : 0)
        }
    }

    public func upsampleBilinearBackward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                         outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: inputGrad, output: outputGrad)
        let dy = try pointer(outputGrad), dx = try pointer(inputGrad), inPlane = height * width, outPlane = inPlane * factor * factor
        parallelChunks(planes, grain: max(1, parallelGrain / outPlane)) { r in
            upsample_bilinear_backward(dy + r.lowerBound * outPlane, dx + r.lowerBound * inPlane, Int64(r.count), Int64(height),
                                       Int64(width), Int64(factor), alignCorners ? 1 : 0)
        }
    }
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
