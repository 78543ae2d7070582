/// Pooling and upsampling, each direction. A backward case runs its forward first where the
/// backward pass needs what the forward wrote (max pooling's indices), as a layer does.
extension OpCase {
    /// Max pooling on coarse values (whole numbers 0–4), so ties are likely and the rule "the
    /// first maximum wins" is checked too.
    static func maxPool(_ op: Op, _ g: PoolGeometry, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: op, shape: "\(g)", outputs: [g.outputCount, g.outputCount, g.inputCount], flops: Double(g.inputCount),
               bytes: floatBytes * Double(g.inputCount + 2 * g.outputCount), random: &random,
               inputs: { r in [(0..<g.inputCount).map { _ in Float(r.next() % 5) }, r.uniforms(g.outputCount)] }) { backend, i, o in
            try backend.maxPool2dForward(g, input: i[0], output: o[0], indices: o[1])
            switch op {
            case .maxPool2dForward: return [o[0], o[1]]
            case .maxPool2dBackward:
                try backend.maxPool2dBackward(g, outputGrad: i[1], indices: o[1], inputGrad: o[2])
                return [o[2]]
            default: notInFamily(op, "max pooling")
            }
        }
    }

    static func avgPool(_ op: Op, _ g: PoolGeometry, countIncludePad: Bool, _ random: inout SeededRandom) -> OpCase {
        OpCase(op: op, shape: "\(g)\(countIncludePad ? "" : " exclude pad")", outputs: [g.outputCount, g.inputCount],
               flops: Double(g.outputCount * g.kernel * g.kernel), bytes: floatBytes * Double(g.inputCount + g.outputCount),
               random: &random, inputs: { r in [r.uniforms(g.inputCount), r.uniforms(g.outputCount)] }) { backend, i, o in
            switch op {
            case .avgPool2dForward:
                try backend.avgPool2dForward(g, countIncludePad: countIncludePad, input: i[0], output: o[0])
                return [o[0]]
            case .avgPool2dBackward:
                try backend.avgPool2dBackward(g, countIncludePad: countIncludePad, outputGrad: i[1], inputGrad: o[1])
                return [o[1]]
            default: notInFamily(op, "average pooling")
            }
        }
    }

    /// Nearest-neighbour upsampling of `planes` planes of h × w by `factor`.
    static func upsample(_ op: Op, planes: Int, height h: Int, width w: Int, factor f: Int,
                         _ random: inout SeededRandom) -> OpCase {
        let small = planes * h * w, large = small * f * f
        return OpCase(op: op, shape: "\(planes)x\(h)x\(w) x\(f)", outputs: [large, small],
                      flops: op == .upsampleBackward ? Double(large) : 0, bytes: floatBytes * Double(small + large),
                      random: &random, inputs: { r in [r.uniforms(small), r.uniforms(large)] }) { backend, i, o in
            switch op {
            case .upsampleForward:
                try backend.upsampleForward(planes: planes, height: h, width: w, factor: f, input: i[0], output: o[0])
                return [o[0]]
            case .upsampleBackward:
                try backend.upsampleBackward(planes: planes, height: h, width: w, factor: f, outputGrad: i[1], inputGrad: o[1])
                return [o[1]]
            default: notInFamily(op, "upsampling")
            }
        }
    }

    /// Bilinear upsampling: four reads and three multiply-adds an output, each way.
    static func upsampleBilinear(_ op: Op, planes: Int, height h: Int, width w: Int, factor f: Int, alignCorners: Bool,
                                 _ random: inout SeededRandom) -> OpCase {
        let small = planes * h * w, large = small * f * f
        return OpCase(op: op, shape: "\(planes)x\(h)x\(w) x\(f)\(alignCorners ? " align_corners" : "")", outputs: [large, small],
                      flops: 6 * Double(large), bytes: floatBytes * Double(small + large), random: &random,
                      inputs: { r in [r.uniforms(small), r.uniforms(large)] }) { backend, i, o in
            switch op {
            case .upsampleBilinearForward:
                try backend.upsampleBilinearForward(planes: planes, height: h, width: w, factor: f, alignCorners: alignCorners,
                                                    input: i[0], output: o[0])
                return [o[0]]
            case .upsampleBilinearBackward:
                try backend.upsampleBilinearBackward(planes: planes, height: h, width: w, factor: f, alignCorners: alignCorners,
                                                     outputGrad: i[1], inputGrad: o[1])
                return [o[1]]
            default: notInFamily(op, "bilinear upsampling")
            }
        }
    }
}
