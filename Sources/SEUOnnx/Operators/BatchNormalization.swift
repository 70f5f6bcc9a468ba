/// BatchNormalization (opsets 1, 6, 7, 9, 14, 15) over N×C×spatial row-major tensors.
///
/// Inference: y = a·x + b per channel with a = scale / √(var + ε) and b = B − mean·a (the form
/// PyTorch's CPU kernel uses), computed from the inputs on every run because fault injection
/// may change them.
///
/// Version differences: before opset 9 a `spatial` attribute (default 1) exists; `spatial` = 0
/// gives one set of statistics per (channel, position), i.e. scale/B/mean/var of shape
/// C×D1×…×Dn. Training mode (statistics from the batch; running statistics updated with
/// `momentum`) is `training_mode` = 1 from opset 14, and before that the presence of the
/// optional outputs (with `is_test` = 0 where that attribute exists). Training outputs are
/// Y, running_mean, running_var from opset 14 and Y, mean, var, saved_mean, saved_var before.
enum BatchNormalizationOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("BatchNormalization") { context in
            let x = try context.expect(0, [.float])
            guard x.rank >= 2 else { throw context.error("input must be N×C×…", kind: .shapeMismatch) }
            let node = context.node
            let spatial = context.opset < 9 ? try node.int("spatial", default: 1) != 0 : true
            let channels = x.shape[1]
            let size = x.shape[2...].reduce(1, *)
            let parameters = spatial ? channels : channels * size
            for i in 1...4 {
                let t = try context.expect(i, [.float])
                guard t.count == parameters else {
                    throw context.error("input \(i) has shape \(t.shape); expected \(parameters) values", kind: .shapeMismatch)
                }
            }
            let requested = node.outputs.dropFirst().filter { !$0.isEmpty }.count
            let training: Bool
            if context.opset >= 14 {
                training = try node.int("training_mode", default: 0) != 0
            } else {
                training = try requested > 0 && node.int("is_test", default: 0) == 0
            }
            let epsilon = try node.float("epsilon", default: 1e-5)
            let momentum = try node.float("momentum", default: 0.9)
            // Per-parameter layout: `parameters` channels, each over `inner` contiguous elements.
            let inner = spatial ? size : 1
            var types = [x]
            if training {
                let statistic = ValueType(.float, [parameters])
                types += context.opset >= 14 ? [statistic, statistic] : [statistic, statistic, statistic, statistic]
                types = Array(types.prefix(max(1, node.outputs.count)))
            }
            let kernel = BatchNormKernel(batch: x.shape[0], parameters: parameters, inner: inner, epsilon: epsilon,
                                         momentum: momentum, training: training, legacyOutputs: context.opset < 14)
            kernel.perChannel = spatial
            return KernelBuild(kernel: kernel, outputTypes: types)
        })
    }
}

final class BatchNormKernel: Kernel {
    let batch: Int, parameters: Int, inner: Int
    let epsilon: Float, momentum: Float
    let training: Bool
    /// Training outputs in the pre-14 order (mean, var, saved_mean, saved_var).
    let legacyOutputs: Bool
    /// One set of statistics per channel (not the legacy `spatial` = 0 form).
    var perChannel = true
    /// Per-parameter a and b of y = a·x + b, rebuilt on every run.
    private let coefficients: UnsafeMutablePointer<Float>
    /// Batch mean and variance (training mode).
    private let statistics: UnsafeMutablePointer<Float>

    init(batch: Int, parameters: Int, inner: Int, epsilon: Float, momentum: Float, training: Bool, legacyOutputs: Bool) {
        self.batch = batch; self.parameters = parameters; self.inner = inner
        self.epsilon = epsilon; self.momentum = momentum
        self.training = training; self.legacyOutputs = legacyOutputs
        coefficients = .allocate(capacity: max(2 * parameters, 1))
        statistics = .allocate(capacity: max(2 * parameters, 1))
    }

    deinit {
        coefficients.deallocate()
        statistics.deallocate()
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], inputs[1] != nil, inputs[2] != nil, let mean = inputs[3], let variance = inputs[4] else { return }
        if training { computeBatchStatistics(x.floats) }
        computeCoefficients(inputs)
        let source = x.floats, target = outputs[0].floats
        Parallel.forEach(batch * parameters, minimumPerThread: max(1, 32_768 / max(inner, 1))) { range in
            for plane in range { normalize(source, target, plane: plane) }
        }
        if training { writeTrainingOutputs(outputs, mean: mean.floats, variance: variance.floats) }
    }

    /// a and b of every parameter from the inputs (or the batch statistics in training mode).
    func computeCoefficients(_ inputs: [Tensor?]) {
        guard let scale = inputs[1], let bias = inputs[2], let mean = inputs[3], let variance = inputs[4] else { return }
        let p = parameters
        var meanSource = UnsafePointer(mean.floats), varianceSource = UnsafePointer(variance.floats)
        if training {
            meanSource = UnsafePointer(statistics)
            varianceSource = UnsafePointer(statistics + p)
        }
        let a = coefficients, b = coefficients + p
        for c in 0..<p {
            a[c] = scale.floats[c] / (varianceSource[c] + epsilon).squareRoot()
            b[c] = bias.floats[c] - meanSource[c] * a[c]
        }
    }

    /// One plane (index over N × parameters) with the current coefficients.
    @inline(__always)
    func normalize(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, plane: Int) {
        let c = plane % parameters
        let scaleC = coefficients[c], shiftC = coefficients[parameters + c]
        let input = source + plane * inner, output = target + plane * inner
        for i in 0..<inner { output[i] = input[i] * scaleC + shiftC }
    }

    /// Biased mean and variance of every parameter over the batch (and positions).
    private func computeBatchStatistics(_ x: UnsafePointer<Float>) {
        let p = parameters, inner = self.inner
        let count = Float(batch * inner)
        for c in 0..<p {
            var sum: Float = 0
            for n in 0..<batch {
                let plane = x + (n * p + c) * inner
                for i in 0..<inner { sum += plane[i] }
            }
            let m = sum / count
            var squares: Float = 0
            for n in 0..<batch {
                let plane = x + (n * p + c) * inner
                for i in 0..<inner { squares += (plane[i] - m) * (plane[i] - m) }
            }
            statistics[c] = m
            statistics[p + c] = squares / count
        }
    }

    private func writeTrainingOutputs(_ outputs: [Tensor], mean: UnsafePointer<Float>, variance: UnsafePointer<Float>) {
        let p = parameters
        var values: [(Int) -> Float] = [
            { mean[$0] * self.momentum + self.statistics[$0] * (1 - self.momentum) },
            { variance[$0] * self.momentum + self.statistics[p + $0] * (1 - self.momentum) },
        ]
        if legacyOutputs { values += [{ self.statistics[$0] }, { self.statistics[p + $0] }] }
        for (j, value) in values.enumerated() where j + 1 < outputs.count {
            let out = outputs[j + 1].floats
            for c in 0..<p { out[c] = value(c) }
        }
    }
}
