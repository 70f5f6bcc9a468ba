/// QLinearConv and ConvInteger (opset 10): 1-D and 2-D convolutions (NCHW / NCW) of 8-bit
/// integers with groups, strides, dilations, pads and auto_pad, accumulated exactly in int32.
///
/// Both subtract the zero points first (`x_zero_point` per tensor, `w_zero_point` per tensor
/// or per output channel), so padding contributes zero, as in the ONNX reference. ConvInteger
/// returns the int32 sums; QLinearConv adds its int32 bias `B` and requantizes:
/// `y = saturate(round(sum · x_scale · w_scale[f] / y_scale) + y_zero_point)` (scale product
/// in the scales' precision, applied to the exact sum in double precision).
enum QLinearConvOperators {
    static let integerTypes: Set<DataType> = [.int8, .uint8]

    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("ConvInteger", since: 10, halfPrecision: .native) { context in
            let x = try context.expect(0, integerTypes), w = try context.expect(1, integerTypes)
            let shape = try IntegerConvShape(context, x: x, w: w)
            try checkZeroPoint(context, 2, type: x.dataType, counts: [1])
            try checkZeroPoint(context, 3, type: w.dataType, counts: [1, shape.filters])
            return KernelBuild(kernel: ConvIntegerKernel(IntegerConv(shape)), outputType: ValueType(.int32, shape.outputShape))
        })
        registry.register(OperatorSpec("QLinearConv", since: 10, halfPrecision: .native) { context in
            let x = try context.expect(0, integerTypes), w = try context.expect(3, integerTypes)
            let shape = try IntegerConvShape(context, x: x, w: w)
            let xScale = try context.expect(1, Quantized.scaleTypes)
            let wScale = try context.expect(4, Quantized.scaleTypes)
            let yScale = try context.expect(6, Quantized.scaleTypes)
            guard xScale.count == 1, yScale.count == 1 else {
                throw context.error("x_scale and y_scale must be scalars", kind: .shapeMismatch)
            }
            guard wScale.count == 1 || wScale.count == shape.filters else {
                throw context.error("w_scale has \(wScale.count) values; expected 1 or one per output channel (\(shape.filters))", kind: .shapeMismatch)
            }
            try checkZeroPoint(context, 2, type: x.dataType, counts: [1])
            try checkZeroPoint(context, 5, type: w.dataType, counts: [1, shape.filters])
            var outputType = x.dataType
            if context.hasInput(7) {
                outputType = try context.expect(7, integerTypes).dataType
                try checkZeroPoint(context, 7, type: outputType, counts: [1])
            }
            if context.hasInput(8) {
                let bias = try context.expect(8, [.int32])
                guard bias.count == shape.filters else {
                    throw context.error("bias has \(bias.count) values, expected \(shape.filters)", kind: .shapeMismatch)
                }
            }
            let kernel = QLinearConvKernel(IntegerConv(shape), precision: xScale.dataType, range: Quantized.range(outputType))
            return KernelBuild(kernel: kernel, outputType: ValueType(outputType, shape.outputShape))
        })
    }

    static func checkZeroPoint(_ context: NodeContext, _ input: Int, type: DataType, counts: Set<Int>) throws {
        guard context.hasInput(input) else { return }
        let zero = try context.type(input)
        guard zero.dataType == type else {
            throw context.error("zero point (input \(input)) has type \(zero.dataType), expected \(type)", kind: .unsupportedDataType)
        }
        guard counts.contains(zero.count), zero.rank <= 1 else {
            throw context.error("zero point (input \(input)) has shape \(zero.shape); expected \(counts.sorted().map(String.init).joined(separator: " or ")) value(s)", kind: .shapeMismatch)
        }
    }
}

/// A convolution's sizes, 1-D problems expressed as 2-D with height 1.
struct IntegerConvShape {
    let batch: Int, channels: Int, height: Int, width: Int
    let filters: Int, group: Int
    let kernelH: Int, kernelW: Int
    let strideH: Int, strideW: Int, dilationH: Int, dilationW: Int
    let padTop: Int, padLeft: Int
    let outH: Int, outW: Int
    let outputShape: [Int]

    init(_ context: NodeContext, x: ValueType, w: ValueType) throws {
        guard x.rank == 3 || x.rank == 4 else {
            throw context.error("only 1-D and 2-D convolutions are supported (input rank \(x.rank))", kind: .unsupportedOperator)
        }
        guard w.rank == x.rank else {
            throw context.error("weight rank \(w.rank) does not match input rank \(x.rank)", kind: .shapeMismatch)
        }
        let group = try context.node.int("group", default: 1)
        guard group > 0, x.shape[1] % group == 0, w.shape[0] % group == 0, w.shape[1] == x.shape[1] / group else {
            throw context.error("weight \(w.shape) does not fit input \(x.shape) with group \(group)", kind: .shapeMismatch)
        }
        let kernel = try context.node.ints("kernel_shape") ?? Array(w.shape[2...])
        guard kernel == Array(w.shape[2...]) else {
            throw context.error("kernel_shape \(kernel) does not match weight \(w.shape)", attribute: "kernel_shape")
        }
        let g = try SpatialGeometry.resolve(node: context.node, inputSpatial: Array(x.shape[2...]), kernel: kernel)
        let twoD = x.rank == 4
        batch = x.shape[0]; channels = x.shape[1]
        height = twoD ? x.shape[2] : 1; width = x.shape[twoD ? 3 : 2]
        filters = w.shape[0]; self.group = group
        kernelH = twoD ? g.kernel[0] : 1; kernelW = g.kernel[twoD ? 1 : 0]
        strideH = twoD ? g.strides[0] : 1; strideW = g.strides[twoD ? 1 : 0]
        dilationH = twoD ? g.dilations[0] : 1; dilationW = g.dilations[twoD ? 1 : 0]
        padTop = twoD ? g.padsBegin[0] : 0; padLeft = g.padsBegin[twoD ? 1 : 0]
        outH = twoD ? g.outputSize[0] : 1; outW = g.outputSize[twoD ? 1 : 0]
        outputShape = [batch, filters] + g.outputSize
    }

    var channelsPerGroup: Int { channels / group }
    var filtersPerGroup: Int { filters / group }
    var patchSize: Int { channelsPerGroup * kernelH * kernelW }
    var pixels: Int { outH * outW }
}

/// The exact int32 core: zero-point-shifted im2col and an integer matrix product per image
/// and group.
final class IntegerConv {
    let shape: IntegerConvShape
    private let input: UnsafeMutablePointer<Int32>
    private let weights: UnsafeMutablePointer<Int32>
    private let columns: UnsafeMutablePointer<Int32>
    /// The sums, [batch, filters, pixels].
    let sums: UnsafeMutablePointer<Int32>

    init(_ shape: IntegerConvShape) {
        self.shape = shape
        input = .allocate(capacity: max(shape.batch * shape.channels * shape.height * shape.width, 1))
        weights = .allocate(capacity: max(shape.filters * shape.patchSize, 1))
        columns = .allocate(capacity: max(shape.patchSize * shape.pixels, 1))
        sums = .allocate(capacity: max(shape.batch * shape.filters * shape.pixels, 1))
    }

    deinit {
        input.deallocate()
        weights.deallocate()
        columns.deallocate()
        sums.deallocate()
    }

    /// Fills `sums` (plus `bias[f]` when given). Accumulation wraps on int32 overflow.
    func compute(x: Tensor, xZeroPoint: Tensor?, w: Tensor, wZeroPoint: Tensor?, bias: Tensor?) {
        let s = shape
        Quantized.widen(x, into: input)
        Quantized.widen(w, into: weights)
        let xZero = Quantized.values(xZeroPoint)[0]
        let wZeros = Quantized.values(wZeroPoint)
        for i in 0..<x.count { input[i] &-= xZero }
        for f in 0..<s.filters {
            let zero = wZeros[wZeros.count > 1 ? f : 0]
            let row = weights + f * s.patchSize
            for j in 0..<s.patchSize { row[j] &-= zero }
        }
        let biases = bias.map { $0.pointer(as: Int32.self) }
        let imageSize = s.channels * s.height * s.width
        for n in 0..<s.batch {
            for g in 0..<s.group {
                fillColumns(from: input + n * imageSize + g * s.channelsPerGroup * s.height * s.width)
                for f in 0..<s.filtersPerGroup {
                    let filter = g * s.filtersPerGroup + f
                    let result = sums + (n * s.filters + filter) * s.pixels
                    result.update(repeating: biases?[filter] ?? 0, count: s.pixels)
                    let row = weights + filter * s.patchSize
                    for j in 0..<s.patchSize {
                        let factor = row[j]
                        if factor == 0 { continue }
                        let column = columns + j * s.pixels
                        for p in 0..<s.pixels { result[p] &+= factor &* column[p] }
                    }
                }
            }
        }
    }

    /// im2col of one image and group: row (c, kh, kw), column (oh, ow); padding reads 0.
    private func fillColumns(from image: UnsafePointer<Int32>) {
        let s = shape
        var row = 0
        for c in 0..<s.channelsPerGroup {
            let plane = image + c * s.height * s.width
            for kh in 0..<s.kernelH {
                for kw in 0..<s.kernelW {
                    let line = columns + row * s.pixels
                    for oh in 0..<s.outH {
                        let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                        for ow in 0..<s.outW {
                            let iw = ow * s.strideW - s.padLeft + kw * s.dilationW
                            let inside = ih >= 0 && ih < s.height && iw >= 0 && iw < s.width
                            line[oh * s.outW + ow] = inside ? plane[ih * s.width + iw] : 0
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

final class ConvIntegerKernel: Kernel {
    let core: IntegerConv
    init(_ core: IntegerConv) { self.core = core }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let w = inputs[1] else { return }
        core.compute(x: x, xZeroPoint: inputs.count > 2 ? inputs[2] : nil, w: w,
                     wZeroPoint: inputs.count > 3 ? inputs[3] : nil, bias: nil)
        outputs[0].pointer(as: Int32.self).update(from: core.sums, count: outputs[0].count)
    }
}

final class QLinearConvKernel: Kernel {
    let core: IntegerConv
    let precision: DataType
    let range: ClosedRange<Int32>
    private let results: UnsafeMutablePointer<Int32>

    init(_ core: IntegerConv, precision: DataType, range: ClosedRange<Int32>) {
        self.core = core
        self.precision = precision
        self.range = range
        results = .allocate(capacity: max(core.shape.batch * core.shape.filters * core.shape.pixels, 1))
    }

    deinit { results.deallocate() }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let xScale = inputs[1], let w = inputs[3], let wScale = inputs[4],
              let yScale = inputs[6] else { return }
        core.compute(x: x, xZeroPoint: inputs[2], w: w, wZeroPoint: inputs[5], bias: inputs.count > 8 ? inputs[8] : nil)
        let s = core.shape
        let inputScale = Quantized.scales(xScale)[0], outputScale = Quantized.scales(yScale)[0]
        let weightScales = Quantized.scales(wScale)
        let yZero = Quantized.values(inputs.count > 7 ? inputs[7] : nil)[0]
        let multipliers = (0..<s.filters).map { f -> Double in
            let product = Quantized.round(inputScale * weightScales[weightScales.count > 1 ? f : 0], to: precision)
            return Double(Quantized.round(product / outputScale, to: precision))
        }
        for n in 0..<s.batch {
            for f in 0..<s.filters {
                let base = (n * s.filters + f) * s.pixels
                let multiplier = multipliers[f]
                for p in 0..<s.pixels {
                    results[base + p] = Quantized.saturate(Double(core.sums[base + p]) * multiplier, zeroPoint: yZero, range: range)
                }
            }
        }
        Quantized.store(results, into: outputs[0])
    }
}
