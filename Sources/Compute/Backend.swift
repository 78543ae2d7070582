/// The op protocol: every operation AEKit's layers, losses and optimizers need, and nothing else.
///
/// Two backends implement it — `CPUBackend` (OpenBLAS + Swift) and `OpenCLBackend`
/// (kernels in `Kernels/*.cl`) — with the same semantics, so any op can be run on both
/// and compared (`aekit parity`), and a layer never knows which device it runs on.
///
/// Conventions: tensors are row-major, images NCHW as in PyTorch; every op writes its
/// output buffer completely (no accumulation) unless its name says `accumulate`;
/// ops are queued in order and `download` waits for everything before it.
public protocol Backend: AnyObject, Sendable {
    /// The name it was selected by: `cpu`, `opencl:0`, …
    var name: String { get }
    /// One line: device, driver.
    var deviceDescription: String { get }
    /// Memory counters (for benchmarks).
    var memoryStatistics: MemoryStatistics { get }
    /// Bytes of memory the device has (the host's RAM or cgroup limit for the CPU,
    /// CL_DEVICE_GLOBAL_MEM_SIZE for OpenCL): what a run's estimate is checked against.
    var memoryCapacity: Int { get }
    /// Launches, transfers and waits so far, where the backend counts them (a device backend);
    /// nil for the CPU backend, whose ops are plain calls on the host.
    var transferCounters: TransferCounters? { get }

    // MARK: Memory
    /// A buffer of `count` floats. Contents are unspecified: it may be a recycled one.
    func makeBuffer(count: Int) throws -> Buffer
    /// Copies `bytes` into the start of `buffer` (four to a float; at most `4 · buffer.count`):
    /// floats (`upload(_:to:)`), or data kept as bytes (a dataset's images) without a copy
    /// of them as floats on the host.
    func upload(bytes: UnsafeRawBufferPointer, to buffer: Buffer) throws
    func download(_ buffer: Buffer) throws -> [Float]
    /// `count` floats of `buffer` from `offset` on: the same memory, not a copy; the view keeps
    /// `buffer` alive. `offset` must be a multiple of `viewAlignment`.
    func view(_ buffer: Buffer, offset: Int, count: Int) throws -> Buffer
    /// The floats a view's offset is a multiple of: the device's base-address alignment
    /// (CL_DEVICE_MEM_BASE_ADDR_ALIGN for OpenCL; a cache line on the CPU).
    var viewAlignment: Int { get }
    /// Waits until every queued op has finished.
    func synchronize() throws

    // MARK: BLAS-like
    /// `c = alpha · op(a) · op(b) + beta · c`, row-major; `op(a)` is m×k, `op(b)` is k×n.
    /// `a` is stored k×m when `transA`, `b` is stored n×k when `transB`.
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
              alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws
    /// `c = dropout(f(op(a) · op(b) + bias))`, the bias one per column (a Linear layer's
    /// forward pass, `c` being exactly m×n): the product and `biasActivationForward` in one
    /// pass where the GEMM kernel allows it (an epilogue), as the two where it does not.
    func gemmBiasActivation(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: Buffer, b: Buffer, bias: Buffer,
                            activation: ActivationFunction, dropout: DropoutDraw?, c: Buffer) throws
    func fill(_ x: Buffer, with value: Float) throws
    func copy(_ x: Buffer, to y: Buffer) throws
    /// `y += alpha · x`
    func axpy(alpha: Float, x: Buffer, y: Buffer) throws
    /// `x *= alpha`
    func scale(_ x: Buffer, by alpha: Float) throws

    // MARK: Convolution (cross-correlation, as PyTorch)
    func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws
    /// `conv2dForward`, then `biasActivationForward` on its output (a bias per output channel),
    /// in one pass where the kernels allow it.
    func conv2dBiasActivationForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, bias: Buffer,
                                     activation: ActivationFunction, dropout: DropoutDraw?, output: Buffer) throws
    /// Gradient with respect to the input; this is also a transposed convolution's forward pass.
    func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer,
                            inputGrad: Buffer) throws
    func conv2dBackwardWeights(_ g: ConvGeometry, input: Buffer, outputGrad: Buffer,
                               weightGrad: Buffer) throws

    // MARK: Pooling and upsampling
    /// Writes the maximum of each window and, in `indices`, its position within the input
    /// plane (`h * inWidth + w`, as a float: exact below 2^24).
    func maxPool2dForward(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws
    func maxPool2dBackward(_ g: PoolGeometry, outputGrad: Buffer, indices: Buffer,
                           inputGrad: Buffer) throws
    /// The mean of each window (PyTorch's AvgPool2d): with `countIncludePad`, a window is
    /// divided by its size within the padded input (smaller only where ceil mode runs it past
    /// the padding), else by the input pixels it covers.
    func avgPool2dForward(_ g: PoolGeometry, countIncludePad: Bool, input: Buffer, output: Buffer) throws
    func avgPool2dBackward(_ g: PoolGeometry, countIncludePad: Bool, outputGrad: Buffer, inputGrad: Buffer) throws
    /// Nearest-neighbour ×`factor` upsampling of `[planes, height, width]`.
    func upsampleForward(planes: Int, height: Int, width: Int, factor: Int,
                         input: Buffer, output: Buffer) throws
    func upsampleBackward(planes: Int, height: Int, width: Int, factor: Int,
                          outputGrad: Buffer, inputGrad: Buffer) throws
    /// Bilinear ×`factor` upsampling of `[planes, height, width]`, as PyTorch's
    /// `Upsample(mode='bilinear', align_corners=…)` computes it.
    func upsampleBilinearForward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                 input: Buffer, output: Buffer) throws
    func upsampleBilinearBackward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                  outputGrad: Buffer, inputGrad: Buffer) throws

    // MARK: Bias (x viewed as [outer, channels, inner]: Linear has inner = 1, Conv2d inner = H·W)
    func biasAdd(_ x: Buffer, bias: Buffer, channels: Int, inner: Int) throws
    func biasGradient(_ outputGrad: Buffer, channels: Int, inner: Int, into biasGrad: Buffer) throws

    // MARK: Activations (`ActivationFunction`: ReLU, sigmoid, tanh, LeakyReLU, ELU, GELU, SiLU, …)
    /// `y = f(x)`, elementwise.
    func activationForward(_ activation: ActivationFunction, _ x: Buffer, output y: Buffer) throws
    /// `dx = dy · f'(x)`, from the forward output `y` where the gradient follows from it, else
    /// (GELU, SiLU) from the input `x`: a layer keeps both, the op reads the one it needs.
    func activationBackward(_ activation: ActivationFunction, input x: Buffer, output y: Buffer, outputGrad: Buffer,
                            inputGrad: Buffer) throws

    // MARK: Bias, activation and dropout in one pass (tensors viewed as the bias ops view them)
    /// `y = dropout(f(x + bias))`, where `dropout` is nil for none: a layer with a bias followed
    /// by its activation and dropout, in one pass over the tensor instead of three. `y` may be `x`.
    func biasActivationForward(_ x: Buffer, bias: Buffer, channels: Int, inner: Int, activation: ActivationFunction,
                               dropout: DropoutDraw?, output y: Buffer) throws
    /// Its backward pass, from its output `y` and `outputGrad`: writes the gradient with respect
    /// to x (dropout's mask and scale, then f' in terms of the output) into `inputGrad`, and that
    /// gradient's sum over each channel into `biasGrad` (the bias's gradient), in one pass. Only
    /// for activations whose gradient follows from the output (`gradientFromOutput`).
    func biasActivationBackward(output y: Buffer, outputGrad: Buffer, channels: Int, inner: Int,
                                activation: ActivationFunction, dropout: DropoutDraw?, inputGrad: Buffer,
                                biasGrad: Buffer) throws

    // MARK: Batch normalisation, one pass per channel each way
    /// `y = (x − mean)·invStd·scale + shift` per channel (scale and shift nil without affine),
    /// the statistics by `mode`; writes the mean and 1/√(var + ε) used into `mean` and `invStd`
    /// (one per channel), which the backward pass reads. `.batch` with a running factor, and
    /// `.running`, need `runningMean` and `runningVar`.
    func batchNormForward(_ x: Buffer, shape: BatchNormShape, scale: Buffer?, shift: Buffer?, epsilon: Float,
                          mode: BatchNormMode, runningMean: Buffer?, runningVar: Buffer?, mean: Buffer, invStd: Buffer,
                          output y: Buffer) throws
    /// The backward pass of a forward pass by the batch's statistics: the input gradient
    /// (through the statistics too) and, with affine, the scale's and shift's gradients.
    func batchNormBackward(_ x: Buffer, outputGrad: Buffer, shape: BatchNormShape, scale: Buffer?, mean: Buffer,
                           invStd: Buffer, inputGrad: Buffer, scaleGrad: Buffer?, shiftGrad: Buffer?) throws

    // MARK: Dropout (inverted: kept values scaled by 1/(1-p)); the mask is a pure function of
    // (seed, step, index) through `DropoutMask`, so every backend draws the same one.
    func dropoutForward(_ x: Buffer, output y: Buffer, p: Float, seed: UInt32, step: UInt32) throws
    func dropoutBackward(outputGrad: Buffer, inputGrad: Buffer, p: Float, seed: UInt32, step: UInt32) throws
    /// Salt-and-pepper noise from the same counter-based draws (`DropoutMask.noiseKey`): element
    /// i becomes 0 when its draw u < amount/2, 1 when amount/2 ≤ u < amount, else stays x[i].
    /// A denoising autoencoder's training input.
    func saltAndPepper(_ x: Buffer, output y: Buffer, amount: Float, seed: UInt32, step: UInt32) throws

    // MARK: A variational autoencoder's Gaussian bottleneck. `stats` holds `rows` rows of
    // 2·`features`: the means μ, then the log-variances log σ² (as one Linear layer makes them).
    /// z = μ + exp(½·log σ²)·ε, ε drawn by `noise` (element r·features + j), or z = μ where
    /// `noise` is nil (evaluation by the mean); z is `[rows, features]`.
    func reparameterizeForward(_ stats: Buffer, rows: Int, features: Int, noise: GaussianDraw?, output z: Buffer) throws
    /// The gradient with respect to `stats` from z's: dμ = dz, d log σ² = ½·dz·σ·ε (the same ε),
    /// written to `inputGrad`.
    func reparameterizeBackward(_ stats: Buffer, outputGrad: Buffer, rows: Int, features: Int, noise: GaussianDraw,
                                inputGrad: Buffer) throws
    /// KL(N(μ, σ²) ‖ N(0, I)) = −½·Σ(1 + log σ² − μ² − σ²) over every row and feature, times
    /// `scale`, added to `lossAccumulator[0]`; with `gradient`, `scale`·(μ, ½·(σ² − 1)) added to it
    /// (not written: the reparameterisation's own gradient is already there).
    func gaussianKL(_ stats: Buffer, rows: Int, features: Int, scale: Float, gradient: Buffer?,
                    lossAccumulator: Buffer) throws

    // MARK: Losses: the mean loss is added to `lossAccumulator[0]`; the gradient of that mean
    // is written to `gradient`.
    func mseLoss(prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws
    /// BCE, BCE on logits or L1 (`PixelLoss`) between a reconstruction and its target, as MSE.
    func pixelLoss(_ loss: PixelLoss, prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws
    /// Softmax cross-entropy over `[rows, classes]` logits with one-hot (or soft) targets.
    func softmaxCrossEntropy(logits: Buffer, target: Buffer, rows: Int, classes: Int,
                             gradient: Buffer, lossAccumulator: Buffer) throws

    // MARK: Reductions: `accumulator[0] += scale · Σ f(x)`
    func sum(_ x: Buffer, scale: Float, into accumulator: Buffer) throws
    func squaredDifferenceSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws
    /// Counts the elements where `a` and `b` round to the same 0/1 value (an autoencoder's binary accuracy).
    func binaryAgreementSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws

    /// Adds each row's (true class, predicted class) to `confusion` ([classes, classes] counts,
    /// row = true class): the true class is the argmax of the row of `target` (one-hot), the
    /// predicted one the argmax of the row of `logits`; ties go to the first maximum.
    func confusionAdd(logits: Buffer, target: Buffer, rows: Int, classes: Int, confusion: Buffer) throws

    // MARK: Data
    /// `output[r] = source[indices[first + r]]` for `r < count`, rows of `rowLength` floats:
    /// a batch gathered on the device from a dataset kept there and the epoch's shuffled order.
    /// `indices` holds row numbers as floats (exact below 2^24).
    func gatherRows(_ source: Buffer, rowLength: Int, indices: Buffer, first: Int, count: Int, output: Buffer) throws
    /// `gatherRows` from a dataset kept as bytes: `source` holds `rows` rows of `rowLength`
    /// bytes (0…255, four to a float of the buffer), and the batch gets each as `byte / 255`.
    /// A set of images stays a quarter of its size as floats until a batch is drawn from it.
    func gatherByteRows(_ source: Buffer, rows: Int, rowLength: Int, indices: Buffer, first: Int, count: Int,
                        output: Buffer) throws

    // MARK: Optimizers (PyTorch's update rules)
    func sgdStep(parameter: Buffer, gradient: Buffer, velocity: Buffer?, learningRate: Float,
                 momentum: Float, nesterov: Bool, weightDecay: Float) throws
    /// `step` counts from 1.
    func adamStep(parameter: Buffer, gradient: Buffer, firstMoment: Buffer, secondMoment: Buffer,
                  learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                  weightDecay: Float, step: Int) throws
}
