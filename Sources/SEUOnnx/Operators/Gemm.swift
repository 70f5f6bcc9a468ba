/// Gemm (opsets 1, 6, 7, 9, 11, 13): Y = alpha · op(A) · op(B) + beta · C, with C broadcast
/// (unidirectionally) to [M, N]; OpenBLAS sgemm, or sgemv when M == 1 (a fully connected layer
/// at batch 1 is a memory-bound matrix-vector product).
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
                                    alpha: alpha, beta: beta, biasWalk: walk)
            return KernelBuild(kernel: kernel, outputType: ValueType(.float, [m, n]))
        })
    }
}

final class GemmKernel: Kernel {
    let m: Int, n: Int, k: Int
    let transA: Bool, transB: Bool
    let alpha: Float, beta: Float
    /// How C maps onto the output, when C is given.
    let biasWalk: Broadcast.Walk?

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float, beta: Float, biasWalk: Broadcast.Walk?) {
        self.m = m; self.n = n; self.k = k
        self.transA = transA; self.transB = transB
        self.alpha = alpha; self.beta = beta
        self.biasWalk = biasWalk
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let y = outputs[0].floats
        guard m > 0, n > 0 else { return }
        var accumulate: Float = 0
        if let walk = biasWalk, beta != 0, inputs.count > 2, let c = inputs[2] {
            // Y starts as beta · C (broadcast); the product is then accumulated into it.
            let beta = self.beta
            ElementwiseLoops.binary(walk, c.floats, y, y) { cv, _ in beta * cv }
            accumulate = 1
        }
        guard k > 0, alpha != 0 else {
            if accumulate == 0 { y.update(repeating: 0, count: m * n) }
            return
        }
        if m == 1 {
            // op(A) is one row (contiguous whatever transA says); y = alpha · op(B)ᵀ · a.
            if transB {
                BLAS.sgemv(m: n, n: k, alpha: alpha, a: b.floats, lda: k, x: a.floats, beta: accumulate, y: y)
            } else {
                BLAS.sgemv(transposeA: true, m: k, n: n, alpha: alpha, a: b.floats, lda: n, x: a.floats, beta: accumulate, y: y)
            }
            return
        }
        BLAS.sgemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
                   a: a.floats, lda: transA ? m : k, b: b.floats, ldb: transB ? k : n,
                   beta: accumulate, c: y, ldc: n)
    }
}
