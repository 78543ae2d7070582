extension OpenCLBackend {
    public func sgdStep(parameter: Buffer, gradient: Buffer, velocity: Buffer?, learningRate: Float,
                        momentum: Float, nesterov: Bool, weightDecay: Float) throws {
        try checkSameCount("sgd", parameter, gradient, velocity)
        // Without momentum the kernel never touches `v`; the gradient stands in for it.
        try launch(.sgdStep, global: [parameter.count],
                   [.int(parameter.count), .float(learningRate), .float(momentum), .int(nesterov ? 1 : 0),
                    .float(weightDecay), .int(velocity == nil ? 0 : 1), .buffer(parameter), .buffer(gradient),
                    .buffer(velocity ?? gradient)])
    }

    public func adamStep(parameter: Buffer, gradient: Buffer, firstMoment: Buffer, secondMoment: Buffer,
                         learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                         weightDecay: Float, step: Int) throws {
        try checkSameCount("adam", parameter, gradient, firstMoment, secondMoment)
        let c = AdamCorrection(beta1: beta1, beta2: beta2, step: step)
        try launch(.adamStep, global: [parameter.count],
                   [.int(parameter.count), .float(learningRate), .float(beta1), .float(beta2), .float(epsilon),
                    .float(weightDecay), .float(c.first), .float(c.second), .buffer(parameter),
                    .buffer(gradient), .buffer(firstMoment), .buffer(secondMoment)])
    }
}
