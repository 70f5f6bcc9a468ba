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
            try WindowLimits.check(context.node)
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
            let kernel = MaxPoolKernel(shape, dataType: x.dataType, columnMajorIndices: storageOrder == 1)
            return KernelBuild(kernel: kernel, outputTypes: types)
        })
    }
}

/// Element types MaxPool handles, with their NaN-aware "replaces the current maximum" test.
protocol MaxPoolElement: Comparable {
    static var lowest: Self { get }
    /// 1 when the value is NaN, else 0 (branch-free, for vectorised loops).
    var nanFlag: UInt8 { get }
    /// True when `count` elements from `x` include a NaN.
    static func containsNaN(_ x: UnsafePointer<Self>, _ count: Int) -> Bool
    /// True when `self` should replace `best` as the window maximum (NaN wins and then stays).
    func beats(_ best: Self) -> Bool
}

extension Float: MaxPoolElement {
    static var lowest: Float { -.infinity }
    static func containsNaN(_ x: UnsafePointer<Float>, _ count: Int) -> Bool { NaNScan.contains(x, count) }
    @inline(__always) func beats(_ best: Float) -> Bool { !best.isNaN && !(self <= best) }
    @inline(__always) var nanFlag: UInt8 { self != self ? 1 : 0 }
}

extension Double: MaxPoolElement {
    static var lowest: Double { -.infinity }
    static func containsNaN(_ x: UnsafePointer<Double>, _ count: Int) -> Bool { NaNScan.contains(x, count) }
    @inline(__always) func beats(_ best: Double) -> Bool { !best.isNaN && !(self <= best) }
    @inline(__always) var nanFlag: UInt8 { self != self ? 1 : 0 }
}

extension Int8: MaxPoolElement {
    static var lowest: Int8 { .min }
    static func containsNaN(_ x: UnsafePointer<Int8>, _ count: Int) -> Bool { false }
    @inline(__always) func beats(_ best: Int8) -> Bool { self > best }
    var nanFlag: UInt8 { 0 }
}

extension UInt8: MaxPoolElement {
    static var lowest: UInt8 { .min }
    static func containsNaN(_ x: UnsafePointer<UInt8>, _ count: Int) -> Bool { false }
    @inline(__always) func beats(_ best: UInt8) -> Bool { self > best }
    var nanFlag: UInt8 { 0 }
}

/// Not generic itself: `run` dispatches to a generic method with a concrete type, so the loop
/// is specialised (methods of a generic class called through `Kernel` would not be).
final class MaxPoolKernel: Kernel {
    let shape: ConvShape
    let dataType: DataType
    let columnMajorIndices: Bool
    let windows: (d: PoolingWindows, h: PoolingWindows, w: PoolingWindows)
    let widthTaps: [(first: Int, last: Int, offset: Int)]
    /// Every input position lies in some window: a NaN read by the row loop is then exactly "the
    /// plane holds a NaN", so the loop's own NaN flag replaces a separate scan.
    let windowsCoverInput: Bool
    /// 2-D 2×2 windows with stride 2, no padding or dilation, covering the input.
    let isTwoByTwo: Bool

    init(_ shape: ConvShape, dataType: DataType, columnMajorIndices: Bool) {
        self.shape = shape
        windows = PoolingWindows.axes(shape)
        widthTaps = PoolingWindows.widthTaps(shape)
        windowsCoverInput = shape.strideD <= shape.kD * shape.dilationD && shape.strideH <= shape.kH * shape.dilationH
            && shape.strideW <= shape.kW * shape.dilationW && shape.dilationD == 1 && shape.dilationH == 1 && shape.dilationW == 1
            && (shape.outD - 1) * shape.strideD + shape.kD - shape.padFront >= shape.inD
            && (shape.outH - 1) * shape.strideH + shape.kH - shape.padTop >= shape.inH
            && (shape.outW - 1) * shape.strideW + shape.kW - shape.padLeft >= shape.inW
        isTwoByTwo = windowsCoverInput && shape.kD == 1 && shape.inD == 1 && shape.kH == 2 && shape.kW == 2
            && shape.strideH == 2 && shape.strideW == 2 && shape.padTop == 0 && shape.padLeft == 0
            && shape.inH == 2 * shape.outH && shape.inW == 2 * shape.outW
        self.dataType = dataType
        self.columnMajorIndices = columnMajorIndices
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let indices = outputs.count > 1 ? outputs[1].pointer(as: Int64.self) : nil
        switch dataType {
        case .double: pool(x.pointer(as: Double.self), outputs[0].pointer(as: Double.self), indices)
        case .int8: pool(x.pointer(as: Int8.self), outputs[0].pointer(as: Int8.self), indices)
        case .uint8: pool(x.pointer(as: UInt8.self), outputs[0].pointer(as: UInt8.self), indices)
        default: pool(x.floats, outputs[0].floats, indices)
        }
    }

    /// Without indices: row at a time, one kernel tap after the other, so the inner loop over
    /// output columns is a branch-free maximum that vectorises. A plane holding a NaN takes the
    /// exact per-window path instead (NaN must win, which a plain `>` select does not ensure).
    private func poolRows<T: MaxPoolElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        let s = shape
        let work = s.outputPixels * s.kernelSize
        Parallel.forEach(s.batch * s.channels, minimumPerThread: max(1, 65_536 / max(work, 1))) { range in
            poolRows(source, out, planes: range)
        }
    }

    /// Planes `planes` (indices over N × C) of the row-at-a-time path.
    @inline(__always)
    func poolRows<T: MaxPoolElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, planes: Range<Int>) {
        guard isTwoByTwo else {
            for plane in planes { poolRows(source, out, plane: plane) }
            return
        }
        // 2×2 windows, stride 2, no padding: consecutive planes are one tall image, each output
        // row reading two input rows. Same maxima in the same order as the general loop.
        let s = shape
        let rows = planes.count * s.outH
        let input = source + planes.lowerBound * s.inputPixels, output = out + planes.lowerBound * s.outputPixels
        // A NaN must win, which the plain maximum does not ensure: in a window holding one, the
        // first NaN in window order (row-major) is the result, as `poolWindows` gives. Faults
        // often make NaN planes, so this is a per-row fix-up, not a plane rescan.
        func fixNaNs(_ row: Int) {
            let top = input + 2 * row * s.inW, bottom = top + s.inW, line = output + row * s.outW
            for ow in 0..<s.outW {
                let a = top[2 &* ow], b = top[2 &* ow &+ 1], c = bottom[2 &* ow], d = bottom[2 &* ow &+ 1]
                if a.nanFlag != 0 { line[ow] = a } else if b.nanFlag != 0 { line[ow] = b }
                else if c.nanFlag != 0 { line[ow] = c } else if d.nanFlag != 0 { line[ow] = d }
            }
        }
        var first = 0
        if T.self == Float.self, s.outW <= 2 {
            // Rows of 1 or 2 outputs (4×4 and 2×2 maps): several rows per vector.
            let perVector = 4 / s.outW
            while first + perVector <= rows {
                if Self.narrowVector(UnsafeRawPointer(input + 2 * first * s.inW), UnsafeMutableRawPointer(output + first * s.outW),
                                     width: s.outW) {
                    for row in first..<first + perVector { fixNaNs(row) }
                }
                first += perVector
            }
        }
        for row in first..<rows {
            let top = input + 2 * row * s.inW, bottom = top + s.inW, line = output + row * s.outW
            var nan: UInt8 = 0
            var ow = 0
            if T.self == Float.self {
                ow = Self.twoByTwoVector(UnsafeRawPointer(top), UnsafeRawPointer(bottom), UnsafeMutableRawPointer(line),
                                         count: s.outW, nan: &nan)
            }
            while ow < s.outW {
                let a = top[2 &* ow], b = top[2 &* ow &+ 1], c = bottom[2 &* ow], d = bottom[2 &* ow &+ 1]
                line[ow] = Swift.max(Swift.max(Swift.max(Swift.max(T.lowest, a), b), c), d)
                nan |= a.nanFlag | b.nanFlag | c.nanFlag | d.nanFlag
                ow += 1
            }
            if nan != 0 { fixNaNs(row) }
        }
    }

    /// The 2×2 window chain on four windows at once: `m = a`, then each of b, c, d replaces m
    /// when `>= m` (i.e. `Swift.max`, as the scalar loop), lane by lane; true when one holds NaN.
    @inline(__always)
    static func window<V: SIMD>(_ a: V, _ b: V, _ c: V, _ d: V) -> (V, Bool) where V.Scalar == Float {
        var m = a
        m.replace(with: b, where: b .>= m)
        m.replace(with: c, where: c .>= m)
        m.replace(with: d, where: d .>= m)
        return (m, any((a .!= a) .| (b .!= b) .| (c .!= c) .| (d .!= d)))
    }

    /// 2×2 pooling of 16 consecutive input floats into 4 outputs, for output rows of `width` 1
    /// (4 rows: each pair of 2-wide input rows is one window) or 2 (2 rows of 4-wide input
    /// rows). Returns true when a window holds NaN (the caller fixes those rows up).
    @inline(__always)
    static func narrowVector(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, width: Int) -> Bool {
        let v = input.loadUnaligned(as: SIMD16<Float>.self)
        let even = v.evenHalf, odd = v.oddHalf
        let (m, nan): (SIMD4<Float>, Bool)
        if width == 1 {
            // [a b c d] per window: a, c are the even lanes' even and odd lanes, b, d the odd's.
            (m, nan) = window(even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
        } else {
            // Two rows of [t0 t1 t2 t3 b0 b1 b2 b3]: the top pairs are lanes 0, 1 (and 4, 5) of
            // the even/odd halves, the bottom pairs lanes 2, 3 (and 6, 7).
            let top = { (x: SIMD8<Float>) in SIMD4(lowHalf: x.lowHalf.lowHalf, highHalf: x.highHalf.lowHalf) }
            let bottom = { (x: SIMD8<Float>) in SIMD4(lowHalf: x.lowHalf.highHalf, highHalf: x.highHalf.highHalf) }
            (m, nan) = window(top(even), top(odd), bottom(even), bottom(odd))
        }
        output.storeBytes(of: m, as: SIMD4<Float>.self)
        return nan
    }

    /// float32 2×2 windows of one output row, 8 then 4 at a time (`window`'s chain) on the
    /// even and odd halves of two input rows (the compiler does not vectorise the
    /// scalar loop's stride-2 reads). NaN windows are only flagged (the caller fixes them up).
    /// Returns how many outputs it wrote; the caller does the rest (rows narrower than 4).
    @inline(__always)
    static func twoByTwoVector(_ top: UnsafeRawPointer, _ bottom: UnsafeRawPointer, _ line: UnsafeMutableRawPointer,
                               count: Int, nan: inout UInt8) -> Int {
        var ow = 0
        while ow + 8 <= count {
            let t = top.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self)
            let u = bottom.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self)
            let (m, hasNaN) = window(t.evenHalf, t.oddHalf, u.evenHalf, u.oddHalf)
            line.storeBytes(of: m, toByteOffset: 4 * ow, as: SIMD8<Float>.self)
            if hasNaN { nan = 1 }
            ow += 8
        }
        while ow + 4 <= count {
            let t = top.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD8<Float>.self)
            let u = bottom.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD8<Float>.self)
            let (m, hasNaN) = window(t.evenHalf, t.oddHalf, u.evenHalf, u.oddHalf)
            line.storeBytes(of: m, toByteOffset: 4 * ow, as: SIMD4<Float>.self)
            if hasNaN { nan = 1 }
            ow += 4
        }
        return ow
    }

    /// float32, stride 2: `line[ow] = Swift.max(line[ow], row[2·ow])` for outputs `taps`, 8 at a
    /// time on the even lanes of 16 loaded values (the scalar stride-2 loop does not
    /// vectorise). Stops while a full load still ends inside the tap's range; returns where the
    /// caller's scalar loop takes over.
    @inline(__always)
    static func stridedMax(_ row: UnsafeRawPointer, _ line: UnsafeMutableRawPointer, taps: Range<Int>, nan: inout UInt8) -> Int {
        var ow = taps.lowerBound
        var sawNaN = false
        // Lane 15 reads row[2·ow + 15] < row[2·(ow + 8)], inside the range while ow + 8 < upperBound.
        while ow + 8 < taps.upperBound {
            let v = row.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self).evenHalf
            var m = line.loadUnaligned(fromByteOffset: 4 * ow, as: SIMD8<Float>.self)
            m.replace(with: v, where: v .>= m)
            line.storeBytes(of: m, toByteOffset: 4 * ow, as: SIMD8<Float>.self)
            sawNaN = sawNaN || any(v .!= v)
            ow += 8
        }
        if sawNaN { nan = 1 }
        return ow
    }

    /// One plane (index over N × C) of the row-at-a-time path.
    @inline(__always)
    func poolRows<T: MaxPoolElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, plane: Int) {
        let s = shape
        let (wd, wh) = (windows.d, windows.h)
        let taps = widthTaps
        let input = source + plane * s.inputPixels
        let output = out + plane * s.outputPixels
        if !windowsCoverInput && T.containsNaN(input, s.inputPixels) {
            poolWindows(input, output, plane: plane, indices: nil)
            return
        }
        var nan: UInt8 = 0
        for od in 0..<s.outD {
            for oh in 0..<s.outH {
                let line = output + (od * s.outH + oh) * s.outW
                line.update(repeating: T.lowest, count: s.outW)
                for kd in wd.first[od]..<wd.last[od] {
                    let id = wd.start[od] + kd * s.dilationD
                    for kh in wh.first[oh]..<wh.last[oh] {
                        let row = input + (id * s.inH + wh.start[oh] + kh * s.dilationH) * s.inW
                        for tap in taps {
                            let shifted = row + tap.offset
                            switch s.strideW {
                            case 1:
                                for ow in tap.first..<tap.last { let v = shifted[ow]; line[ow] = Swift.max(line[ow], v); nan |= v.nanFlag }
                            case 2:
                                var ow = tap.first
                                if T.self == Float.self {
                                    ow = Self.stridedMax(UnsafeRawPointer(shifted), UnsafeMutableRawPointer(line), taps: tap.first..<tap.last, nan: &nan)
                                }
                                while ow < tap.last { let v = shifted[ow &* 2]; line[ow] = Swift.max(line[ow], v); nan |= v.nanFlag; ow += 1 }
                            default:
                                for ow in tap.first..<tap.last { let v = shifted[ow &* s.strideW]; line[ow] = Swift.max(line[ow], v); nan |= v.nanFlag }
                            }
                        }
                    }
                }
            }
        }
        // A NaN must win, which the plain maximum does not ensure: redo the plane exactly.
        if nan != 0 { poolWindows(input, output, plane: plane, indices: nil) }
    }

    private func pool<T: MaxPoolElement>(_ source: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
                                         _ indices: UnsafeMutablePointer<Int64>?) {
        guard let indices else {
            poolRows(source, out)
            return
        }
        let s = shape
        let work = s.outputPixels * s.kernelSize
        Parallel.forEach(s.batch * s.channels, minimumPerThread: max(1, 65_536 / max(work, 1))) { range in
            for plane in range {
                poolWindows(source + plane * s.inputPixels, out + plane * s.outputPixels, plane: plane, indices: indices)
            }
        }
    }

    /// One plane, window by window, tracking the position of the maximum (first one on ties;
    /// a NaN wins and then stays).
    func poolWindows<T: MaxPoolElement>(_ input: UnsafePointer<T>, _ output: UnsafeMutablePointer<T>,
                                                plane: Int, indices: UnsafeMutablePointer<Int64>?) {
        let s = shape
        let (wd, wh, ww) = (windows.d, windows.h, windows.w)
        for od in 0..<s.outD {
            for oh in 0..<s.outH {
                for ow in 0..<s.outW {
                    var best = T.lowest
                    var bestIndex = -1
                    for kd in wd.first[od]..<wd.last[od] {
                        let id = wd.start[od] + kd * s.dilationD
                        for kh in wh.first[oh]..<wh.last[oh] {
                            let row = (id * s.inH + wh.start[oh] + kh * s.dilationH) * s.inW + ww.start[ow]
                            for kw in ww.first[ow]..<ww.last[ow] {
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
                    guard let indices else { continue }
                    var flat = max(bestIndex, 0)
                    if columnMajorIndices {
                        let w = flat % s.inW, h = (flat / s.inW) % s.inH, d = flat / (s.inW * s.inH)
                        flat = h + w * s.inH + d * s.inH * s.inW
                    }
                    indices[plane * s.outputPixels + o] = Int64(plane * s.inputPixels + flat)
                }
            }
        }
    }
}
