import CPUKernels
import Foundation

extension CPUBackend {
    public func sgdStep(parameter: Buffer, gradient: Buffer, velocity: Buffer?, learningRate: Float,
                        momentum: Float, nesterov: Bool, weightDecay: Float) throws {
        try checkSameCount("sgd", parameter, gradient, velocity)
        let w = try pointer(parameter), g = try pointer(gradient)
        let v = try velocity.map { try pointer($0) }
        parallelChunks(parameter.count) { r in
            for i in r {
                var d = g[i] + weightDecay * w[i]
                if let v {
                    v[i] = momentum * v[i] + d
                    d = nesterov ? d + momentum * v[i] : v[i]
                }
                w[i] -= learningRate * d
            }
        }
    }

    public func adamStep(parameter: Buffer, gradient: Buffer, firstMoment: Buffer, secondMoment: Buffer,
                         learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                         weightDecay: Float, step: Int) throws {
        try checkSameCount("adam", parameter, gradient, firstMoment, secondMoment)
        let w = try pointer(parameter), g = try pointer(gradient)
        let m = try pointer(firstMoment), v = try pointer(secondMoment)
        let c = AdamCorrection(beta1: beta1, beta2: beta2, step: step)
        // `adam_step` (CPUKernels/optimizer.c): this loop in Swift ran one parameter at a time.
        parallelChunks(parameter.count) { r in
            let o = r.lowerBound
            adam_step(w + o, g + o, m + o, v + o, Int64(r.count), learningRate, beta1, beta2, epsilon, weightDecay,
                      c.first, c.second)
        }
    }
}
