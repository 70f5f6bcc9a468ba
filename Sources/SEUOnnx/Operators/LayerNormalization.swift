/// LayerNormalization (opset 17): normalises over the trailing axes `axis...` (default -1),
/// y = (x − mean) · invStdDev · Scale + B with invStdDev = 1/√(var + ε) (biased variance,
/// two passes). Scale and B broadcast to the normalised shape. The optional outputs Mean and
/// InvStdDev have the input's shape with the normalised axes set to 1. Statistics are computed
/// in float32 (`stash_type` 1, the only value ONNX defines).
enum LayerNormalizationOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("LayerNormalization") { context in
            let x = try context.expect(0, [.float])
            var axis = try context.node.int("axis", default: -1)
            guard x.rank > 0, axis >= -x.rank && axis < x.rank else {
                throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axis")
            }
            if axis < 0 { axis += x.rank }
            let normalized = Array(x.shape[axis...])
            let scale = try context.expect(1, [.float])
            var maps: [[Int]?] = []
            for i in [1, 2] where i == 1 || context.hasInput(i) {
                let t = i == 1 ? scale : try context.expect(i, [.float])
                guard let shape = Broadcast.shape([t.shape, normalized]), shape == normalized else {
                    throw context.error("input \(i) \(t.shape) does not broadcast to \(normalized)", kind: .shapeMismatch)
                }
                maps.append(t.count == Tensor.elementCount(normalized) ? nil : broadcastIndices(t.shape, normalized))
            }
            let epsilon = try context.node.float("epsilon", default: 1e-5)
            let statisticShape = Array(x.shape[..<axis]) + [Int](repeating: 1, count: x.rank - axis)
            let statistic = ValueType(.float, statisticShape)
            let types = [x, statistic, statistic].prefix(max(1, min(3, context.node.outputs.count)))
            let kernel = LayerNormKernel(rows: x.shape[..<axis].reduce(1, *), size: Tensor.elementCount(normalized),
                                         epsilon: epsilon, scaleMap: maps[0], biasMap: maps.count > 1 ? maps[1] : nil)
            return KernelBuild(kernel: kernel, outputTypes: Array(types))
        })
    }

    /// For every element of `target` (row-major), the index of the element of `shape` that
    /// broadcasts onto it.
    static func broadcastIndices(_ shape: [Int], _ target: [Int]) -> [Int] {
        let strides = Broadcast.strides(of: shape, in: target)
        var result: [Int] = []
        result.reserveCapacity(Tensor.elementCount(target))
        var index = [Int](repeating: 0, count: target.count)
        for _ in 0..<Tensor.elementCount(target) {
            result.append(zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 })
            var axis = target.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < target[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}

final class LayerNormKernel: Kernel {
    let rows: Int, size: Int
    let epsilon: Float
    /// Index of the Scale/B element for each normalised position, when they are broadcast.
    let scaleMap: [Int]?, biasMap: [Int]?

    init(rows: Int, size: Int, epsilon: Float, scaleMap: [Int]?, biasMap: [Int]?) {
        self.rows = rows; self.size = size
        self.epsilon = epsilon
        self.scaleMap = scaleMap; self.biasMap = biasMap
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let scale = inputs[1] else { return }
        let bias = inputs.count > 2 ? inputs[2]?.floats : nil
        let source = x.floats, target = outputs[0].floats, gamma = scale.floats
        let meanOut = outputs.count > 1 ? outputs[1].floats : nil
        let invOut = outputs.count > 2 ? outputs[2].floats : nil
        let size = self.size, epsilon = self.epsilon
        let scaleMap = self.scaleMap, biasMap = self.biasMap
        guard size > 0 else { return }
        Parallel.forEach(rows, minimumPerThread: max(1, 16_384 / size)) { range in
            for row in range {
                let values = source + row * size, out = target + row * size
                var sum: Float = 0
                for i in 0..<size { sum += values[i] }
                let mean = sum / Float(size)
                var squares: Float = 0
                for i in 0..<size { squares += (values[i] - mean) * (values[i] - mean) }
                let inverse = 1 / (squares / Float(size) + epsilon).squareRoot()
                meanOut?[row] = mean
                invOut?[row] = inverse
                if scaleMap == nil && biasMap == nil {
                    if let bias {
                        for i in 0..<size { out[i] = (values[i] - mean) * inverse * gamma[i] + bias[i] }
                    } else {
                        for i in 0..<size { out[i] = (values[i] - mean) * inverse * gamma[i] }
                    }
                } else {
                    for i in 0..<size {
                        let g = gamma[scaleMap?[i] ?? i]
                        let b = bias.map { $0[biasMap?[i] ?? i] } ?? 0
                        out[i] = (values[i] - mean) * inverse * g + b
                    }
                }
            }
        }
    }
}
