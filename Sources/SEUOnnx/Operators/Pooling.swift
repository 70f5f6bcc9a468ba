/// AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool and GlobalLpPool over N×C×spatial
/// row-major tensors (MaxPool is in MaxPool.swift).
///
/// AveragePool version differences (attributes read whenever present): opset 7 adds
/// `count_include_pad`, opset 10 `ceil_mode`, opset 19 `dilations`. With `count_include_pad`
/// the divisor counts window positions inside the explicitly padded extent (positions a
/// ceil-mode window reaches beyond the end padding are never counted), otherwise only
/// positions inside the input.
enum PoolingOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("AveragePool") { context in
            let (x, shape) = try windowShape(context)
            let includePad = try context.node.int("count_include_pad", default: 0) != 0
            let kernel = WindowPoolKernel(shape, mode: .average(includePad: includePad), double: x.dataType == .double)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, outputShape(x, shape)))
        })
        registry.register(OperatorSpec("LpPool") { context in
            let (x, shape) = try windowShape(context)
            let p = try context.node.int("p", default: 2)
            let kernel = WindowPoolKernel(shape, mode: .lp(p: Double(p)), double: x.dataType == .double)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, outputShape(x, shape)))
        })
        for op in ["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"] {
            registry.register(OperatorSpec(op) { context in
                let x = try context.expect(0, [.float, .double])
                guard x.rank >= 2 else { throw context.error("input must be N×C×spatial", kind: .shapeMismatch) }
                let planes = x.shape[0] * x.shape[1], size = x.shape[2...].reduce(1, *)
                let outputShape = Array(x.shape[0..<2]) + [Int](repeating: 1, count: x.rank - 2)
                let mode: GlobalPoolKernel.Mode
                switch op {
                case "GlobalAveragePool": mode = .average
                case "GlobalMaxPool": mode = .max
                default: mode = .lp(p: Double(try context.node.int("p", default: 2)))
                }
                let kernel = GlobalPoolKernel(planes: planes, size: size, mode: mode, double: x.dataType == .double)
                return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, outputShape))
            })
        }
    }

    /// Input type and window geometry of an AveragePool/LpPool node.
    static func windowShape(_ context: NodeContext) throws -> (ValueType, ConvShape) {
        let x = try context.expect(0, [.float, .double])
        guard (3...5).contains(x.rank) else {
            throw context.error("only 1-D, 2-D and 3-D pooling is supported (input rank \(x.rank))", kind: .unsupportedOperator)
        }
        guard let kernel = try context.node.ints("kernel_shape") else {
            throw context.error("kernel_shape is required", attribute: "kernel_shape")
        }
        let ceil = try context.node.int("ceil_mode", default: 0) != 0
        try WindowLimits.check(context.node)
        let geometry = try SpatialGeometry.resolve(node: context.node, inputSpatial: Array(x.shape[2...]),
                                                   kernel: kernel, ceilMode: ceil)
        return (x, ConvShape(input: x.shape, filters: x.shape[1], group: x.shape[1], geometry: geometry))
    }

    static func outputShape(_ x: ValueType, _ s: ConvShape) -> [Int] {
        let spatial = [s.outD, s.outH, s.outW].suffix(x.rank - 2)
        return Array(x.shape[0..<2]) + spatial
    }
}

/// Average or Lp pooling over windows, for float32 or float64 (a non-generic class whose
/// generic method is called with concrete types, so the loops are specialised).
final class WindowPoolKernel: Kernel {
    enum Mode { case average(includePad: Bool), lp(p: Double) }
    let shape: ConvShape
    let mode: Mode
    let double: Bool
    let windows: (d: PoolingWindows, h: PoolingWindows, w: PoolingWindows)
    let widthTaps: [(first: Int, last: Int, offset: Int)]

    init(_ shape: ConvShape, mode: Mode, double: Bool) {
        self.shape = shape
        windows = PoolingWindows.axes(shape)
        widthTaps = PoolingWindows.widthTaps(shape)
        self.mode = mode
        self.double = double
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        if double {
            pool(x.pointer(as: Double.self), outputs[0].pointer(as: Double.self))
        } else {
            pool(x.floats, outputs[0].floats)
        }
    }

    private func pool<T: FloatElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        let s = shape
        let work = s.outputPixels * s.kernelSize
        Parallel.forEach(s.batch * s.channels, minimumPerThread: max(1, 65_536 / max(work, 1))) { range in
            for plane in range { pool(source, out, plane: plane) }
        }
    }

    /// One plane (index over N × C).
    @inline(__always)
    func pool<T: FloatElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, plane: Int) {
        let s = shape
        let (wd, wh, ww) = (windows.d, windows.h, windows.w)
        let taps = widthTaps
        let input = source + plane * s.inputPixels
        let output = out + plane * s.outputPixels
        for od in 0..<s.outD {
            for oh in 0..<s.outH {
                let line = output + (od * s.outH + oh) * s.outW
                // Accumulate row by row, tap by tap (vectorisable, and each output still
                // sums its window in (kd, kh, kw) order), then apply the power/divisor.
                line.update(repeating: 0, count: s.outW)
                for kd in wd.first[od]..<wd.last[od] {
                    for kh in wh.first[oh]..<wh.last[oh] {
                        let row = input + ((wd.start[od] + kd * s.dilationD) * s.inH + wh.start[oh] + kh * s.dilationH) * s.inW
                        for tap in taps {
                            let shifted = row + tap.offset
                            switch mode {
                            case .average:
                                if s.strideW == 1 {
                                    for ow in tap.first..<tap.last { line[ow] += shifted[ow] }
                                } else {
                                    for ow in tap.first..<tap.last { line[ow] += shifted[ow &* s.strideW] }
                                }
                            case .lp(let p):
                                for ow in tap.first..<tap.last { line[ow] += T.pow(abs(shifted[ow &* s.strideW]), T(p)) }
                            }
                        }
                    }
                }
                switch mode {
                case .average(let includePad):
                    let rows = includePad
                        ? (wd.padLast[od] - wd.padFirst[od]) * (wh.padLast[oh] - wh.padFirst[oh])
                        : (wd.last[od] - wd.first[od]) * (wh.last[oh] - wh.first[oh])
                    for ow in 0..<s.outW {
                        let columns = includePad ? ww.padLast[ow] - ww.padFirst[ow] : ww.last[ow] - ww.first[ow]
                        line[ow] /= T(rows * columns)
                    }
                case .lp(let p):
                    for ow in 0..<s.outW { line[ow] = T.pow(line[ow], T(1 / p)) }
                }
            }
        }
    }
}

/// Pooling over whole planes: mean, max (NaN wins, as in PyTorch) or Lp norm.
final class GlobalPoolKernel: Kernel {
    enum Mode { case average, max, lp(p: Double) }
    let planes: Int, size: Int
    let mode: Mode
    let double: Bool

    init(planes: Int, size: Int, mode: Mode, double: Bool) {
        self.planes = planes; self.size = size
        self.mode = mode; self.double = double
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        if double {
            pool(x.pointer(as: Double.self), outputs[0].pointer(as: Double.self))
        } else {
            pool(x.floats, outputs[0].floats)
        }
    }

    private func pool<T: FloatElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        Parallel.forEach(planes, minimumPerThread: max(1, 65_536 / max(size, 1))) { range in
            for p in range { pool(source, out, plane: p) }
        }
    }

    /// One plane.
    @inline(__always)
    func pool<T: FloatElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, plane p: Int) {
        let size = self.size
        let plane = source + p * size
        switch mode {
        case .average:
            var sum: T = 0
            for i in 0..<size { sum += plane[i] }
            out[p] = sum / T(size)
        case .max:
            var best = -T.infinity
            for i in 0..<size where !best.isNaN && !(plane[i] <= best) { best = plane[i] }
            out[p] = best
        case .lp(let pNorm):
            var sum: T = 0
            for i in 0..<size { sum += T.pow(abs(plane[i]), T(pNorm)) }
            out[p] = T.pow(sum, T(1 / pNorm))
        }
    }
}
