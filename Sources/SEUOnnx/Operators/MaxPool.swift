/// MaxPool (opsets 1, 8, 10, 11, 12, 22) over N×C×spatial (1-D to 3-D) row-major tensors.
///
/// Version differences are additive attributes, read whenever present: opset 8 adds the
/// optional Indices output and `storage_order`, opset 10 `ceil_mode` and `dilations`, opset 12
/// int8/uint8 inputs. Indices are flat positions in the whole input tensor (N and C included),
/// with the spatial part row-major (`storage_order` 0) or column-major (1).
///
/// NaN semantics follow PyTorch: a NaN in a window wins, so faults that produce NaN stay
/// visible. Ties keep the first position. A window entirely in padding yields the type's
/// lowest value (-inf for floats).
enum MaxPoolOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("MaxPool") { context in
            let x = try context.expect(0, [.float, .double, .int8, .uint8])
            guard (3...5).contains(x.rank) else {
                throw context.error("only 1-D, 2-D and 3-D pooling is supported (input rank \(x.rank))", kind: .unsupportedOperator)
            }
            guard let kernelShape = try context.node.ints("kernel_shape") else {
                throw context.error("kernel_shape is required", attribute: "kernel_shape")
            }
            let ceil = try context.node.int("ceil_mode", default: 0) != 0
            let geometry = try SpatialGeometry.resolve(node: context.node, inputSpatial: Array(x.shape[2...]),
                                                       kernel: kernelShape, ceilMode: ceil)
            let storageOrder = try context.node.int("storage_order", default: 0)
            guard storageOrder == 0 || storageOrder == 1 else {
                throw context.error("storage_order must be 0 or 1", attribute: "storage_order")
            }
            let shape = ConvShape(input: x.shape, filters: x.shape[1], group: x.shape[1], geometry: geometry)
            let outputShape = Array(x.shape[0..<2]) + geometry.outputSize
            var types = [ValueType(x.dataType, outputShape)]
            if context.node.outputs.count > 1 && !context.node.outputs[1].isEmpty {
                types.append(ValueType(.int64, outputShape))
            }
            let columnMajor = storageOrder == 1
            let kernel: Kernel
            switch x.dataType {
            case .double: kernel = MaxPoolKernel<Double>(shape, columnMajorIndices: columnMajor)
            case .int8: kernel = MaxPoolKernel<Int8>(shape, columnMajorIndices: columnMajor)
            case .uint8: kernel = MaxPoolKernel<UInt8>(shape, columnMajorIndices: columnMajor)
            default: kernel = MaxPoolKernel<Float>(shape, columnMajorIndices: columnMajor)
            }
            return KernelBuild(kernel: kernel, outputTypes: types)
        })
    }
}

/// Element types MaxPool handles, with their NaN-aware "replaces the current maximum" test.
protocol MaxPoolElement: Comparable {
    static var lowest: Self { get }
    /// True when `self` should replace `best` as the window maximum (NaN wins and then stays).
    func beats(_ best: Self) -> Bool
}

extension Float: MaxPoolElement {
    static var lowest: Float { -.infinity }
    @inline(__always) func beats(_ best: Float) -> Bool { !best.isNaN && !(self <= best) }
}

extension Double: MaxPoolElement {
    static var lowest: Double { -.infinity }
    @inline(__always) func beats(_ best: Double) -> Bool { !best.isNaN && !(self <= best) }
}

extension Int8: MaxPoolElement {
    static var lowest: Int8 { .min }
    @inline(__always) func beats(_ best: Int8) -> Bool { self > best }
}

extension UInt8: MaxPoolElement {
    static var lowest: UInt8 { .min }
    @inline(__always) func beats(_ best: UInt8) -> Bool { self > best }
}

final class MaxPoolKernel<T: MaxPoolElement>: Kernel {
    let shape: ConvShape
    let columnMajorIndices: Bool

    init(_ shape: ConvShape, columnMajorIndices: Bool) {
        self.shape = shape
        self.columnMajorIndices = columnMajorIndices
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let s = shape
        let source = x.pointer(as: T.self), out = outputs[0].pointer(as: T.self)
        let indices = outputs.count > 1 ? outputs[1].pointer(as: Int64.self) : nil
        let columnMajor = columnMajorIndices
        let work = s.outputPixels * s.kernelSize
        Parallel.forEach(s.batch * s.channels, minimumPerThread: max(1, 65_536 / max(work, 1))) { range in
            for plane in range {
                let input = source + plane * s.inputPixels
                let output = out + plane * s.outputPixels
                for od in 0..<s.outD {
                    let d0 = od * s.strideD - s.padFront
                    let (kd0, kd1) = validOutputRange(offset: d0, stride: s.dilationD, size: s.inD, outputs: s.kD)
                    for oh in 0..<s.outH {
                        let h0 = oh * s.strideH - s.padTop
                        let (kh0, kh1) = validOutputRange(offset: h0, stride: s.dilationH, size: s.inH, outputs: s.kH)
                        for ow in 0..<s.outW {
                            let w0 = ow * s.strideW - s.padLeft
                            let (kw0, kw1) = validOutputRange(offset: w0, stride: s.dilationW, size: s.inW, outputs: s.kW)
                            var best = T.lowest
                            var bestIndex = -1
                            for kd in kd0..<kd1 {
                                let id = d0 + kd * s.dilationD
                                for kh in kh0..<kh1 {
                                    let row = (id * s.inH + h0 + kh * s.dilationH) * s.inW + w0
                                    for kw in kw0..<kw1 {
                                        let position = row + kw * s.dilationW
                                        let v = input[position]
                                        if bestIndex < 0 || v.beats(best) {
                                            best = v
                                            bestIndex = position
                                        }
                                    }
                                }
                            }
                            let o = (od * s.outH + oh) * s.outW + ow
                            output[o] = best
                            if let indices {
                                var flat = max(bestIndex, 0)
                                if columnMajor {
                                    let w = flat % s.inW, h = (flat / s.inW) % s.inH, d = flat / (s.inW * s.inH)
                                    flat = h + w * s.inH + d * s.inH * s.inW
                                }
                                indices[plane * s.outputPixels + o] = Int64(plane * s.inputPixels + flat)
                            }
                        }
                    }
                }
            }
        }
    }
}
