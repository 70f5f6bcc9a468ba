/// MatMul (opsets 1, 9, 13 — same semantics; later versions add element types): NumPy
/// `matmul` with broadcast batch dimensions. A 1-D first operand is a row vector and a 1-D
/// second operand a column vector; the added dimension is removed from the output.
///
/// float32 runs on seu-onnx's GEMM (fixed per-element fma chain, see `GEMM`): when B has no
/// batch dimensions, A's batch folds into one product (M' = batch·M); otherwise one product per
/// output batch element. float64 and the integer types use a plain loop (integers wrap on
/// overflow).
enum MatMulOperators {
    static let types: Set<DataType> = [.float, .double, .int32, .int64, .uint32, .uint64]

    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("MatMul") { context in
            let a = try context.expect(0, types), b = try context.expect(1, types)
            guard a.dataType == b.dataType else {
                throw context.error("inputs have different types (\(a.dataType), \(b.dataType))", kind: .shapeMismatch)
            }
            guard a.rank >= 1, b.rank >= 1 else {
                throw context.error("MatMul needs operands of rank 1 or more (got \(a.shape), \(b.shape))", kind: .shapeMismatch)
            }
            let aShape = a.rank == 1 ? [1] + a.shape : a.shape
            let bShape = b.rank == 1 ? b.shape + [1] : b.shape
            let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
            let kb = bShape[bShape.count - 2], n = bShape[bShape.count - 1]
            guard k == kb else {
                throw context.error("inner dimensions differ: \(a.shape) × \(b.shape)", kind: .shapeMismatch)
            }
            let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
            guard let batch = Broadcast.shape([aBatch, bBatch]) else {
                throw context.error("batch dimensions of \(a.shape) and \(b.shape) do not broadcast", kind: .shapeMismatch)
            }
            var outputShape = batch
            if a.rank > 1 { outputShape.append(m) }
            if b.rank > 1 { outputShape.append(n) }
            let plan = MatMulPlan(m: m, n: n, k: k, batch: batch, aBatch: aBatch, bBatch: bBatch)
            return KernelBuild(kernel: MatMulKernel(plan, a.dataType), outputType: ValueType(a.dataType, outputShape))
        })
    }
}

/// Sizes and per-batch operand offsets (in elements) of a batched matrix product.
struct MatMulPlan {
    let m: Int, n: Int, k: Int
    /// Offsets of A's and B's matrix for each output batch element.
    let aOffsets: [Int], bOffsets: [Int]
    /// B is one matrix shared by every batch element and A's batch is contiguous: one GEMM.
    let foldsBatch: Bool

    init(m: Int, n: Int, k: Int, batch: [Int], aBatch: [Int], bBatch: [Int]) {
        self.m = m; self.n = n; self.k = k
        let aStrides = Broadcast.strides(of: aBatch, in: batch).map { $0 * m * k }
        let bStrides = Broadcast.strides(of: bBatch, in: batch).map { $0 * k * n }
        var aOffsets: [Int] = [], bOffsets: [Int] = []
        let count = Tensor.elementCount(batch)
        var index = [Int](repeating: 0, count: batch.count)
        for _ in 0..<count {
            aOffsets.append(zip(index, aStrides).reduce(0) { $0 + $1.0 * $1.1 })
            bOffsets.append(zip(index, bStrides).reduce(0) { $0 + $1.0 * $1.1 })
            var axis = batch.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < batch[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        self.aOffsets = aOffsets
        self.bOffsets = bOffsets
        foldsBatch = bOffsets.allSatisfy { $0 == 0 } && aOffsets.enumerated().allSatisfy { $0.element == $0.offset * m * k }
    }

    var batchCount: Int { aOffsets.count }
}

final class MatMulKernel: Kernel {
    let plan: MatMulPlan
    let dataType: DataType

    init(_ plan: MatMulPlan, _ dataType: DataType) {
        self.plan = plan
        self.dataType = dataType
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let y = outputs[0]
        switch dataType {
        case .float: try float(a.floats, b.floats, y.floats)
        case .double: MatMulReference.run(plan, a.pointer(as: Double.self), b.pointer(as: Double.self), y.pointer(as: Double.self), +, *)
        case .int32: MatMulReference.run(plan, a.pointer(as: Int32.self), b.pointer(as: Int32.self), y.pointer(as: Int32.self), &+, &*)
        case .int64: MatMulReference.run(plan, a.pointer(as: Int64.self), b.pointer(as: Int64.self), y.pointer(as: Int64.self), &+, &*)
        case .uint32: MatMulReference.run(plan, a.pointer(as: UInt32.self), b.pointer(as: UInt32.self), y.pointer(as: UInt32.self), &+, &*)
        default: MatMulReference.run(plan, a.pointer(as: UInt64.self), b.pointer(as: UInt64.self), y.pointer(as: UInt64.self), &+, &*)
        }
    }

    private func float(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) throws {
        let p = plan
        guard p.m > 0, p.n > 0, p.batchCount > 0 else { return }
        guard p.k > 0 else {
            y.update(repeating: 0, count: p.batchCount * p.m * p.n)
            return
        }
        if p.foldsBatch {
            try gemm(m: p.batchCount * p.m, a, b, y)
            return
        }
        for i in 0..<p.batchCount {
            try gemm(m: p.m, a + p.aOffsets[i], b + p.bOffsets[i], y + i * p.m * p.n)
        }
    }

    @inline(__always)
    private func gemm(m: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) throws {
        let p = plan
        var args = GEMM.dense(m: m, n: p.n, k: p.k, a: a, lda: p.k, b: b, bRowStride: p.n, bColumnStride: 1,
                              c: y, cRowStride: p.n)
        try GEMM.run(&args, rows: 0..<m, columns: 0..<p.n)
    }
}

/// Plain triple loop over a `MatMulPlan`: the kernel for float64 and integers, and the
/// reference the float32 path is tested against.
enum MatMulReference {
    static func run<T: Numeric>(_ p: MatMulPlan, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                _ add: (T, T) -> T, _ multiply: (T, T) -> T) {
        for batch in 0..<p.batchCount {
            let pa = a + p.aOffsets[batch], pb = b + p.bOffsets[batch], py = y + batch * p.m * p.n
            for i in 0..<p.m {
                for j in 0..<p.n {
                    var sum: T = 0
                    for t in 0..<p.k { sum = add(sum, multiply(pa[i * p.k + t], pb[t * p.n + j])) }
                    py[i * p.n + j] = sum
                }
            }
        }
    }
}
