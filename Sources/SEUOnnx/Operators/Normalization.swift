/// InstanceNormalization (opsets 1, 6, 22) and LRN (opsets 1, 13) over N×C×spatial row-major
/// tensors. (BatchNormalization and LayerNormalization have their own files.)
///
/// InstanceNormalization: per (n, c) plane, y = scale[c]·(x − mean)/√(var + ε) + B[c] with the
/// biased variance of the plane (two passes, for accuracy). Opset 1 had a legacy
/// `consumed_inputs` attribute, ignored here.
///
/// LRN: y = x / (bias + alpha/size · Σ x²)^beta, the sum over channels
/// [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] clipped to the valid channels.
enum NormalizationOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("InstanceNormalization") { context in
            let x = try context.expect(0, [.float])
            guard x.rank >= 2 else { throw context.error("input must be N×C×…", kind: .shapeMismatch) }
            for i in 1...2 {
                let t = try context.expect(i, [.float])
                guard t.count == x.shape[1] else {
                    throw context.error("input \(i) has shape \(t.shape); expected \(x.shape[1]) values", kind: .shapeMismatch)
                }
            }
            let epsilon = try context.node.float("epsilon", default: 1e-5)
            let channels = x.shape[1], size = x.shape[2...].reduce(1, *)
            let kernel = ClosureKernel { inputs, outputs in
                guard let input = inputs[0], let scale = inputs[1], let bias = inputs[2] else { return }
                let source = input.floats, target = outputs[0].floats
                let gamma = scale.floats, beta = bias.floats
                Parallel.forEach(x.shape[0] * channels, minimumPerThread: max(1, 16_384 / max(size, 1))) { range in
                    for plane in range {
                        let c = plane % channels
                        let values = source + plane * size, out = target + plane * size
                        var sum: Float = 0
                        for i in 0..<size { sum += values[i] }
                        let mean = sum / Float(size)
                        var squares: Float = 0
                        for i in 0..<size { squares += (values[i] - mean) * (values[i] - mean) }
                        let a = gamma[c] / (squares / Float(size) + epsilon).squareRoot()
                        let b = beta[c]
                        for i in 0..<size { out[i] = (values[i] - mean) * a + b }
                    }
                }
            }
            return KernelBuild(kernel: kernel, outputType: x)
        })
        registry.register(OperatorSpec("LRN") { context in
            let x = try context.expect(0, [.float])
            guard x.rank >= 2 else { throw context.error("input must be N×C×…", kind: .shapeMismatch) }
            guard let size = try context.node.int("size"), size > 0 else {
                throw context.error("size must be a positive integer", attribute: "size")
            }
            let alpha = try context.node.float("alpha", default: 1e-4)
            let beta = try context.node.float("beta", default: 0.75)
            let bias = try context.node.float("bias", default: 1)
            let channels = x.shape[1], pixels = x.shape[2...].reduce(1, *)
            let below = (size - 1) / 2, above = size - 1 - below
            let kernel = ClosureKernel { inputs, outputs in
                guard let input = inputs[0] else { return }
                let source = input.floats, target = outputs[0].floats
                let scale = alpha / Float(size)
                Parallel.forEach(x.shape[0] * channels, minimumPerThread: max(1, 16_384 / max(pixels * size, 1))) { range in
                    for plane in range {
                        let n = plane / channels, c = plane % channels
                        let first = max(0, c - below), last = min(channels - 1, c + above)
                        let image = source + n * channels * pixels
                        for p in 0..<pixels {
                            var squares: Float = 0
                            for k in first...last { squares += image[k * pixels + p] * image[k * pixels + p] }
                            target[plane * pixels + p] = image[c * pixels + p] / Float.pow(bias + scale * squares, beta)
                        }
                    }
                }
            }
            return KernelBuild(kernel: kernel, outputType: x)
        })
    }
}
