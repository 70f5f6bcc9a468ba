/// MaxPool and GlobalAveragePool over NCHW (1-D and 2-D spatial).
enum PoolingOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("MaxPool") { context in
            let x = try context.expect(0, [.float])
            guard x.rank == 3 || x.rank == 4 else {
                throw context.error("only 1-D and 2-D pooling is supported (input rank \(x.rank))", kind: .unsupportedOperator)
            }
            guard let kernel = try context.node.ints("kernel_shape") else {
                throw context.error("kernel_shape is required", attribute: "kernel_shape")
            }
            let ceil = try context.node.int("ceil_mode", default: 0) != 0
            let geometry = try SpatialGeometry.resolve(node: context.node, inputSpatial: Array(x.shape[2...]),
                                                       kernel: kernel, ceilMode: ceil)
            let storageOrder = try context.node.int("storage_order", default: 0)
            let shape = Conv2DShape(input: x.shape, filters: x.shape[1], group: x.shape[1], geometry: geometry)
            let outputShape = Array(x.shape[0..<2]) + geometry.outputSize
            var types = [ValueType(.float, outputShape)]
            if context.node.outputs.count > 1 && !context.node.outputs[1].isEmpty {
                types.append(ValueType(.int64, outputShape))
            }
            return KernelBuild(kernel: MaxPoolKernel(shape, columnMajorIndices: storageOrder == 1), outputTypes: types)
        })
        registry.register(OperatorSpec("GlobalAveragePool") { context in
            let x = try context.expect(0, [.float])
            guard x.rank >= 3 else { throw context.error("input must be N×C×spatial", kind: .shapeMismatch) }
            let planes = x.shape[0] * x.shape[1], size = x.shape[2...].reduce(1, *)
            let outputShape = Array(x.shape[0..<2]) + [Int](repeating: 1, count: x.rank - 2)
            let kernel = ClosureKernel { inputs, outputs in
                guard let input = inputs[0] else { return }
                let source = input.floats, out = outputs[0].floats
                let scale = 1 / Float(size)
                for p in 0..<planes {
                    var sum: Float = 0
                    let plane = source + p * size
                    for i in 0..<size { sum += plane[i] }
                    out[p] = sum * scale
                }
            }
            return KernelBuild(kernel: kernel, outputType: ValueType(.float, outputShape))
        })
    }
}

/// Max pooling. A NaN in a window wins (as in PyTorch, so faults that produce NaN stay
/// visible); windows entirely in padding produce -inf.
final class MaxPoolKernel: Kernel {
    let shape: Conv2DShape
    let columnMajorIndices: Bool

    init(_ shape: Conv2DShape, columnMajorIndices: Bool) {
        self.shape = shape
        self.columnMajorIndices = columnMajorIndices
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let s = shape
        let source = x.floats, out = outputs[0].floats
        let indices = outputs.count > 1 ? outputs[1].pointer(as: Int64.self) : nil
        let planeSize = s.height * s.width
        Parallel.forEach(s.batch * s.channels, minimumPerThread: max(1, 16_384 / max(s.outputPixels, 1))) { range in
            for plane in range {
                let input = source + plane * planeSize
                let output = out + plane * s.outputPixels
                for oh in 0..<s.outH {
                    for ow in 0..<s.outW {
                        var best = -Float.infinity
                        var bestIndex = -1
                        for kh in 0..<s.kernelH {
                            let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                            guard ih >= 0 && ih < s.height else { continue }
                            for kw in 0..<s.kernelW {
                                let iw = ow * s.strideW - s.padLeft + kw * s.dilationW
                                guard iw >= 0 && iw < s.width else { continue }
                                let v = input[ih * s.width + iw]
                                if bestIndex < 0 || (!best.isNaN && (v > best || v.isNaN)) {
                                    best = v
                                    bestIndex = ih * s.width + iw
                                }
                            }
                        }
                        output[oh * s.outW + ow] = best
                        if let indices {
                            var flat = max(bestIndex, 0)
                            if self.columnMajorIndices { flat = (flat % s.width) * s.height + flat / s.width }
                            indices[plane * s.outputPixels + oh * s.outW + ow] = Int64(plane * planeSize + flat)
                        }
                    }
                }
            }
        }
    }
}
