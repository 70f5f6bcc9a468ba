import CSupport

/// Gemm (opsets 1, 6, 7, 9, 11, 13): Y = alpha · op(A) · op(B) + beta · C, with C broadcast
/// (unidirectionally) to [M, N].
///
/// Version differences: before opset 7 a `broadcast` attribute enabled C broadcasting (C is
/// always broadcast here, a superset); C is optional from opset 11.
enum GemmOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Gemm") { context in
            let a = try context.expect(0, [.float]), b = try context.expect(1, [.float])
            guard a.rank == 2, b.rank == 2 else {
                throw context.error("A and B must be matrices (got \(a.shape) and \(b.shape))", kind: .shapeMismatch)
            }
            let node = context.node
            let transA = try node.int("transA", default: 0) != 0
            let transB = try node.int("transB", default: 0) != 0
            let alpha = try node.float("alpha", default: 1), beta = try node.float("beta", default: 1)
            let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
            let n = transB ? b.shape[0] : b.shape[1], kb = transB ? b.shape[1] : b.shape[0]
            guard k == kb else {
                throw context.error("inner dimensions differ: A \(a.shape) transA=\(transA), B \(b.shape) transB=\(transB)", kind: .shapeMismatch)
            }
            var walk: Broadcast.Walk?
            if context.hasInput(2) {
                let c = try context.expect(2, [.float])
                guard let shape = Broadcast.shape([c.shape, [m, n]]), shape == [m, n] else {
                    throw context.error("C \(c.shape) does not broadcast to [\(m), \(n)]", kind: .shapeMismatch)
                }
                walk = Broadcast.Walk(outputShape: [m, n], inputShapes: [c.shape, [m, n]])
            }
            let kernel = GemmKernel(m: m, n: n, k: k, transA: transA, transB: transB,
                                    alpha: alpha, beta: beta, biasWalk: walk,
                                    biasShape: context.hasInput(2) ? try context.type(2).shape : nil)
            return KernelBuild(kernel: kernel, outputType: ValueType(.float, [m, n]))
        })
    }
}

/// Gemm on float32 with seu-onnx's GEMM (fixed per-element fma chain, see `GEMM`).
///
/// Orientation: Y = op(A)·op(B) as rows of op(A) times op(B); or, for a few rows with B stored
/// N×K (`transB`, PyTorch's Linear), Yᵀ = op(B)ᵀ·op(A)ᵀ so that the long weight rows feed the
/// kernel's row blocks. Both give every element the same chain over k, so the choice is free.
/// C is fused into the epilogue when it is one value per output column with alpha = beta = 1;
/// otherwise Y = alpha·(A·B) + beta·C in a second pass.
final class GemmKernel: Kernel {
    let m: Int, n: Int, k: Int
    let transA: Bool, transB: Bool
    let alpha: Float, beta: Float
    /// How C maps onto the output, when C is given.
    let biasWalk: Broadcast.Walk?
    /// C is a vector of n values (shape [n] or [1, n]) added with alpha = beta = 1.
    let columnBias: Bool
    /// Strides of C broadcast to [m, n] (row, column).
    let cStrides: (Int, Int)
    /// ReLU applied to the output (a Gemm → Relu pair fused at plan time).
    var fusedRelu = false
    /// op(A) copied row-major when A is stored transposed (the GEMM reads A by rows).
    private let transposedA: UnsafeMutablePointer<Float>?

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float, beta: Float, biasWalk: Broadcast.Walk?,
         biasShape: [Int]? = nil) {
        self.m = m; self.n = n; self.k = k
        self.transA = transA; self.transB = transB
        self.alpha = alpha; self.beta = beta
        self.biasWalk = biasWalk
        let strides = biasShape.map { Broadcast.strides(of: $0, in: [m, n]) } ?? [0, 0]
        cStrides = (strides[0], strides[1])
        columnBias = biasShape.map { Tensor.elementCount($0) == n && ($0 == [n] || $0 == [1, n]) } == true && alpha == 1 && beta == 1
        transposedA = transA && m * k > 0 ? .allocate(capacity: m * k) : nil
    }

    deinit { transposedA?.deallocate() }

    /// Rows of op(A) below which Yᵀ = op(B)ᵀ·op(A)ᵀ is computed instead (B stored N×K).
    static let transposedOutputRows = 8

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        try run(inputs: inputs, output: outputs[0], rows: 0..<m, columns: 0..<n)
    }

    /// Computes Y[rows, columns] only, bit-identical to the same elements of a full run.
    func run(inputs: [Tensor?], output: Tensor, rows: Range<Int>, columns: Range<Int>) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let y = output.floats
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let c = inputs.count > 2 ? inputs[2] : nil
        let fuseBias = columnBias && c != nil
        var x = UnsafePointer(a.floats)
        if let transposedA {
            // op(A)(i, p) = A[p, i]; only the rows asked for are needed.
            for i in rows { for p in 0..<k { transposedA[i * k + p] = a.floats[p * m + i] } }
            x = UnsafePointer(transposedA)
        }
        if alpha == 0 {
            // No product at all (as before: 0 · inf would otherwise make NaN).
            for i in rows { for j in columns { y[i * n + j] = 0 } }
            return finish(c, y, rows, columns, skipAlpha: true)
        }
        var args: seu_gemm_args
        if transB && m < Self.transposedOutputRows {
            // Yᵀ (n × m) = B (n × k, rows contiguous) · op(A)ᵀ; Yᵀ(j, i) = y[i·n + j].
            args = GEMM.dense(m: n, n: m, k: k, a: b.floats, lda: k, b: x, bRowStride: 1, bColumnStride: k,
                              c: y, cRowStride: 1, cColumnStride: n)
            if fuseBias, let c { args.row_bias = UnsafePointer(c.floats) }
            args.relu = fusedRelu && (fuseBias || c == nil) && alpha == 1 ? 1 : 0
            try GEMM.run(&args, rows: columns, columns: rows)
        } else {
            args = GEMM.dense(m: m, n: n, k: k, a: x, lda: k, b: b.floats,
                              bRowStride: transB ? 1 : n, bColumnStride: transB ? k : 1, c: y, cRowStride: n)
            if fuseBias, let c { args.col_bias = UnsafePointer(c.floats) }
            args.relu = fusedRelu && (fuseBias || c == nil) && alpha == 1 ? 1 : 0
            try GEMM.run(&args, rows: rows, columns: columns)
        }
        if args.relu != 0 || (fuseBias && !fusedRelu) || (c == nil && alpha == 1 && !fusedRelu) { return }
        finish(c, y, rows, columns, skipAlpha: false)
    }

    /// Whether `run(column:...)` applies: the epilogue is fused (alpha = 1, C absent or one value
    /// per column) and A is stored row-major.
    var computesColumns: Bool { !transA && alpha == 1 && (biasWalk == nil || columnBias) }

    /// Computes output column `j` for every row with op(B)'s column j taken from `column` (k
    /// values) and C[j] from `bias` — a faulty copy, so the shared weights are never written.
    /// Bit-identical to a full run with those values (requires `computesColumns`).
    func run(column j: Int, values column: UnsafePointer<Float>, bias: Float?, a: Tensor, output: Tensor) throws {
        guard computesColumns, m > 0, j >= 0, j < n else { return }
        var biasValue = bias ?? 0
        try withUnsafePointer(to: &biasValue) { b in
            var args = GEMM.dense(m: m, n: 1, k: k, a: a.floats, lda: k, b: column, bRowStride: 1, bColumnStride: 1,
                                  c: output.floats + j, cRowStride: n)
            args.col_bias = bias == nil ? nil : b
            args.relu = fusedRelu ? 1 : 0
            try GEMM.run(&args, rows: 0..<m, columns: 0..<1)
        }
    }

    /// The epilogue when it is not fused: Y = alpha·acc + beta·C, then ReLU.
    private func finish(_ c: Tensor?, _ y: UnsafeMutablePointer<Float>, _ rows: Range<Int>, _ columns: Range<Int>,
                        skipAlpha: Bool) {
        let alpha = skipAlpha ? 1 : self.alpha, beta = self.beta
        let fused = columnBias && c != nil && !skipAlpha
        var betaC: ((Int, Int) -> Float)? = nil
        if biasWalk != nil, let c, beta != 0, !fused {
            let values = c.floats, strides = cStrides
            betaC = { i, j in beta * values[i * strides.0 + j * strides.1] }
        }
        for i in rows {
            let line = y + i * n
            for j in columns {
                var v = line[j]
                if alpha != 1 { v = alpha * v }
                if let betaC { v = v + betaC(i, j) }
                if fusedRelu && v < 0 { v = 0 }
                line[j] = v
            }
        }
    }
}
