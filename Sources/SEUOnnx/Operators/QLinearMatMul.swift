/// QLinearMatMul (opsets 10, 21) and MatMulInteger (opset 10): NumPy-style matrix products of
/// 8-bit integers with exact int32 accumulation of `(a - a_zero_point) · (b - b_zero_point)`.
///
/// MatMulInteger returns the int32 sums. QLinearMatMul requantizes them:
/// `y = saturate(round(sum · a_scale · b_scale / y_scale) + y_zero_point)`, where the scale
/// product is formed in the scales' precision (float32, or float16/bfloat16 rounded after each
/// operation as in the ONNX reference) and applied to the exact sum in double precision.
/// `a`'s parameters are per tensor or per row, `b`'s per tensor or per column.
enum QLinearMatMulOperators {
    static let integerTypes: Set<DataType> = [.int8, .uint8]

    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("MatMulInteger", since: 10, halfPrecision: .native) { context in
            let a = try context.expect(0, integerTypes), b = try context.expect(1, integerTypes)
            let shape = try IntegerMatMulShape(a: a.shape, b: b.shape, node: context.node)
            let aZero = try zeroPointIndex(context, 2, a.dataType, rows: shape, isA: true)
            let bZero = try zeroPointIndex(context, 3, b.dataType, rows: shape, isA: false)
            let kernel = MatMulIntegerKernel(IntegerMatMul(shape, aZero: aZero, bZero: bZero))
            return KernelBuild(kernel: kernel, outputType: ValueType(.int32, shape.outputShape))
        })
        registry.register(OperatorSpec("QLinearMatMul", since: 10, halfPrecision: .native) { context in
            let a = try context.expect(0, integerTypes), b = try context.expect(3, integerTypes)
            let shape = try IntegerMatMulShape(a: a.shape, b: b.shape, node: context.node)
            let aScale = try context.expect(1, Quantized.scaleTypes)
            let bScale = try context.expect(4, Quantized.scaleTypes)
            let yScale = try context.expect(6, Quantized.scaleTypes)
            guard yScale.count == 1 else { throw context.error("y_scale must be a scalar (got \(yScale.shape))", kind: .shapeMismatch) }
            let aIndex = try parameterIndex(aScale.count, rows: shape, isA: true, name: "a_scale", context)
            let bIndex = try parameterIndex(bScale.count, rows: shape, isA: false, name: "b_scale", context)
            let aZero = try zeroPointIndex(context, 2, a.dataType, rows: shape, isA: true)
            let bZero = try zeroPointIndex(context, 5, b.dataType, rows: shape, isA: false)
            var outputType = a.dataType
            if context.hasInput(7) {
                outputType = try context.expect(7, integerTypes).dataType
                guard try context.type(7).count == 1 else { throw context.error("y_zero_point must be a scalar", kind: .shapeMismatch) }
            }
            let kernel = QLinearMatMulKernel(IntegerMatMul(shape, aZero: aZero, bZero: bZero), aScale: aIndex, bScale: bIndex,
                                             precision: aScale.dataType, range: Quantized.range(outputType))
            return KernelBuild(kernel: kernel, outputType: ValueType(outputType, shape.outputShape))
        })
    }

    /// How a per-tensor / per-row (a) or per-column (b) parameter of `count` values is indexed.
    static func parameterIndex(_ count: Int, rows shape: IntegerMatMulShape, isA: Bool, name: String,
                               _ context: NodeContext) throws -> IntegerMatMul.ParameterIndex {
        let lines = isA ? shape.m : shape.n
        let batches = isA ? shape.aBatches : shape.bBatches
        if count == 1 { return .perTensor }
        if count == lines { return .perLine }
        if count == lines * batches { return .perBatchLine }
        throw context.error("\(name) has \(count) values; expected 1 or one per \(isA ? "row of a" : "column of b") (\(lines))", kind: .shapeMismatch)
    }

    static func zeroPointIndex(_ context: NodeContext, _ input: Int, _ type: DataType, rows shape: IntegerMatMulShape,
                               isA: Bool) throws -> IntegerMatMul.ParameterIndex {
        guard context.hasInput(input) else { return .perTensor }
        let zero = try context.type(input)
        guard zero.dataType == type else {
            throw context.error("zero point (input \(input)) has type \(zero.dataType), expected \(type)", kind: .unsupportedDataType)
        }
        return try parameterIndex(zero.count, rows: shape, isA: isA, name: "zero point (input \(input))", context)
    }
}

/// Sizes of a batched matrix product with NumPy broadcasting of the batch axes; a 1-D `a` is a
/// row vector and a 1-D `b` a column vector whose unit axis is dropped from the output.
struct IntegerMatMulShape {
    let m: Int, k: Int, n: Int
    let outputShape: [Int]
    let aBatches: Int, bBatches: Int
    /// For each output batch: the batch index in `a` and in `b`.
    let pairs: [(a: Int, b: Int)]

    init(a: [Int], b: [Int], node: Node) throws {
        guard !a.isEmpty, !b.isEmpty else { throw node.error(.shapeMismatch, "matrix product of a scalar (\(a), \(b))") }
        let a2 = a.count == 1 ? [1] + a : a, b2 = b.count == 1 ? b + [1] : b
        m = a2[a2.count - 2]; k = a2[a2.count - 1]; n = b2[b2.count - 1]
        guard b2[b2.count - 2] == k else {
            throw node.error(.shapeMismatch, "inner dimensions differ: \(a) × \(b)")
        }
        let aBatch = Array(a2.dropLast(2)), bBatch = Array(b2.dropLast(2))
        guard let batch = Broadcast.shape([aBatch, bBatch]) else {
            throw node.error(.shapeMismatch, "batch dimensions of \(a) and \(b) do not broadcast")
        }
        aBatches = aBatch.reduce(1, *); bBatches = bBatch.reduce(1, *)
        var shape = batch
        if a.count > 1 { shape.append(m) }
        if b.count > 1 { shape.append(n) }
        outputShape = shape
        let aStrides = Broadcast.strides(of: aBatch, in: batch), bStrides = Broadcast.strides(of: bBatch, in: batch)
        var pairs: [(Int, Int)] = []
        let total = batch.reduce(1, *)
        pairs.reserveCapacity(total)
        for index in 0..<total {
            var rest = index, ai = 0, bi = 0
            for axis in stride(from: batch.count - 1, through: 0, by: -1) {
                let coordinate = rest % batch[axis]
                rest /= batch[axis]
                ai += coordinate * aStrides[axis]
                bi += coordinate * bStrides[axis]
            }
            pairs.append((ai, bi))
        }
        self.pairs = pairs
    }
}

/// The exact int32 core: shifts both operands by their zero points and multiplies.
final class IntegerMatMul {
    /// How a parameter tensor (zero point, scale) is indexed by row of `a` or column of `b`.
    enum ParameterIndex { case perTensor, perLine, perBatchLine
        @inline(__always) func index(batch: Int, line: Int, lines: Int) -> Int {
            switch self {
            case .perTensor: return 0
            case .perLine: return line
            case .perBatchLine: return batch * lines + line
            }
        }
    }

    let shape: IntegerMatMulShape
    let aZero: ParameterIndex, bZero: ParameterIndex
    let a: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Int32>
    /// The sums, [output batches, m, n].
    let sums: UnsafeMutablePointer<Int32>

    init(_ shape: IntegerMatMulShape, aZero: ParameterIndex, bZero: ParameterIndex) {
        self.shape = shape
        self.aZero = aZero
        self.bZero = bZero
        a = .allocate(capacity: max(shape.aBatches * shape.m * shape.k, 1))
        b = .allocate(capacity: max(shape.bBatches * shape.k * shape.n, 1))
        sums = .allocate(capacity: max(shape.pairs.count * shape.m * shape.n, 1))
    }

    deinit {
        a.deallocate()
        b.deallocate()
        sums.deallocate()
    }

    /// Fills `sums`. Accumulation wraps around on int32 overflow, as ONNX allows.
    func compute(a aTensor: Tensor, aZeroPoint: Tensor?, b bTensor: Tensor, bZeroPoint: Tensor?) {
        let (m, k, n) = (shape.m, shape.k, shape.n)
        Quantized.widen(aTensor, into: a)
        Quantized.widen(bTensor, into: b)
        let aZeros = Quantized.values(aZeroPoint), bZeros = Quantized.values(bZeroPoint)
        for batch in 0..<shape.aBatches {
            for row in 0..<m {
                let zero = aZeros[aZero.index(batch: batch, line: row, lines: m)]
                let line = a + (batch * m + row) * k
                for j in 0..<k { line[j] &-= zero }
            }
        }
        for batch in 0..<shape.bBatches {
            for row in 0..<k {
                let line = b + (batch * k + row) * n
                for column in 0..<n { line[column] &-= bZeros[bZero.index(batch: batch, line: column, lines: n)] }
            }
        }
        for (index, pair) in shape.pairs.enumerated() {
            let aBase = a + pair.a * m * k, bBase = b + pair.b * k * n, out = sums + index * m * n
            for row in 0..<m {
                let result = out + row * n
                result.update(repeating: 0, count: n)
                for j in 0..<k {
                    let factor = aBase[row * k + j]
                    if factor == 0 { continue }
                    let bRow = bBase + j * n
                    for column in 0..<n { result[column] &+= factor &* bRow[column] }
                }
            }
        }
    }
}

final class MatMulIntegerKernel: Kernel {
    let core: IntegerMatMul
    init(_ core: IntegerMatMul) { self.core = core }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        core.compute(a: a, aZeroPoint: inputs.count > 2 ? inputs[2] : nil, b: b, bZeroPoint: inputs.count > 3 ? inputs[3] : nil)
        outputs[0].pointer(as: Int32.self).update(from: core.sums, count: outputs[0].count)
    }
}

final class QLinearMatMulKernel: Kernel {
    let core: IntegerMatMul
    let aScale: IntegerMatMul.ParameterIndex, bScale: IntegerMatMul.ParameterIndex
    let precision: DataType
    let range: ClosedRange<Int32>
    private let results: UnsafeMutablePointer<Int32>

    init(_ core: IntegerMatMul, aScale: IntegerMatMul.ParameterIndex, bScale: IntegerMatMul.ParameterIndex,
         precision: DataType, range: ClosedRange<Int32>) {
        self.core = core
        self.aScale = aScale
        self.bScale = bScale
        self.precision = precision
        self.range = range
        results = .allocate(capacity: max(core.shape.pairs.count * core.shape.m * core.shape.n, 1))
    }

    deinit { results.deallocate() }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let aScaleTensor = inputs[1], let b = inputs[3], let bScaleTensor = inputs[4],
              let yScaleTensor = inputs[6] else { return }
        core.compute(a: a, aZeroPoint: inputs[2], b: b, bZeroPoint: inputs[5])
        let aScales = Quantized.scales(aScaleTensor), bScales = Quantized.scales(bScaleTensor)
        let yScale = Quantized.scales(yScaleTensor)[0]
        let yZero = Quantized.values(inputs.count > 7 ? inputs[7] : nil)[0]
        let s = core.shape
        for (index, pair) in s.pairs.enumerated() {
            for row in 0..<s.m {
                let rowScale = aScales[aScale.index(batch: pair.a, line: row, lines: s.m)]
                let base = (index * s.m + row) * s.n
                for column in 0..<s.n {
                    let product = Quantized.round(rowScale * bScales[bScale.index(batch: pair.b, line: column, lines: s.n)], to: precision)
                    let multiplier = Quantized.round(product / yScale, to: precision)
                    results[base + column] = Quantized.saturate(Double(core.sums[base + column]) * Double(multiplier),
                                                                zeroPoint: yZero, range: range)
                }
            }
        }
        Quantized.store(results, into: outputs[0])
    }
}
