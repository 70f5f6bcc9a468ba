import XCTest
@testable import SEUOnnx

/// Gemm and MatMul: attribute combinations, C broadcasting, the sgemv path, batched
/// broadcasting and 1-D operands, checked against hand values, onnxruntime and the reference loops.
final class GemmMatMulTests: XCTestCase {
    let a = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], floats: [1, 0, 0, 1, 1, 1])

    func testGemmAlphaBetaAndVectorC() throws {
        // A·B = [[4, 5], [10, 11]]; 2·AB + 0.5·[10, 20] (onnxruntime, opset 7).
        let y = try GraphRunner.run("Gemm", inputs: [a, b, Tensor(shape: [2], floats: [10, 20])],
                                    attributes: ["alpha": .float(2), "beta": .float(0.5)], opset: 7)[0]
        assertTensor(y, shape: [2, 2], [13, 20, 25, 32])
    }

    func testGemmTransposedWithColumnC() throws {
        let at = Tensor(shape: [3, 2], floats: [1, 4, 2, 5, 3, 6]), bt = Tensor(shape: [2, 3], floats: [1, 0, 1, 0, 1, 1])
        let y = try GraphRunner.run("Gemm", inputs: [at, bt, Tensor(shape: [2, 1], floats: [1, 2])],
                                    attributes: ["transA": .int(1), "transB": .int(1)])[0]
        assertTensor(y, shape: [2, 2], [5, 6, 12, 13])
    }

    func testGemmScalarAndSingleElementCAndNoC() throws {
        let scalar = try GraphRunner.run("Gemm", inputs: [a, b, Tensor(scalar: Float(1))])[0]
        assertTensor(scalar, shape: [2, 2], [5, 6, 11, 12])
        let single = try GraphRunner.run("Gemm", inputs: [a, b, Tensor(shape: [1], floats: [-1])], attributes: ["beta": .float(3)])[0]
        assertTensor(single, shape: [2, 2], [1, 2, 7, 8])
        let none = try GraphRunner.run("Gemm", inputs: [a, b], attributes: ["alpha": .float(-1)])[0]
        assertTensor(none, shape: [2, 2], [-4, -5, -10, -11])
        // Before opset 7, `broadcast` = 1 asked for C broadcasting; it is always on here.
        let legacy = try GraphRunner.run("Gemm", inputs: [a, b, Tensor(shape: [2], floats: [1, 1])],
                                         attributes: ["broadcast": .int(1)], opset: 6)[0]
        assertTensor(legacy, shape: [2, 2], [5, 6, 11, 12])
    }

    func testGemmSingleRowUsesGemvAndMatchesReference() throws {
        for transB in [false, true] {
            var random = TestRandom(seed: transB ? 7 : 8)
            let x = random.tensor([1, 37]), w = random.tensor(transB ? [29, 37] : [37, 29]), c = random.tensor([29])
            let y = try GraphRunner.run("Gemm", inputs: [x, w, c],
                                        attributes: ["transB": .int(transB ? 1 : 0), "alpha": .float(0.5), "beta": .float(2)])[0]
            let expected = Tensor(dataType: .float, shape: [1, 29])
            for j in 0..<29 { expected.floats[j] = 2 * c.floats[j] }
            BLAS.referenceSgemm(transposeB: transB, m: 1, n: 29, k: 37, alpha: 0.5, a: x.floats, lda: 37,
                                b: w.floats, ldb: transB ? 37 : 29, beta: 1, c: expected.floats, ldc: 29)
            XCTAssertLessThan(relativeError(y.floatValues(), expected.floatValues()), 1e-5)
        }
    }

    func testGemmRejectsMismatchedShapes() {
        assertThrowsKind(.shapeMismatch) { _ = try GraphRunner.run("Gemm", inputs: [self.a, self.a]) }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("Gemm", inputs: [self.a, self.b, Tensor(dataType: .float, shape: [3])])
        }
    }

    func testMatMulOneDimensionalOperands() throws {
        let v = Tensor(shape: [2], floats: [1, 2])
        let stack = Tensor(shape: [3, 2, 2], floats: (0..<12).map(Float.init))
        assertTensor(try GraphRunner.run("MatMul", inputs: [v, stack])[0], shape: [3, 2], [4, 7, 16, 19, 28, 31])
        assertTensor(try GraphRunner.run("MatMul", inputs: [stack, v])[0], shape: [3, 2], [2, 8, 14, 20, 26, 32])
        assertTensor(try GraphRunner.run("MatMul", inputs: [v, v])[0], shape: [], [5])
    }

    func testMatMulIntegerBroadcast() throws {
        // onnxruntime values.
        let x = Tensor(shape: [1, 2, 3], elements: (0..<6).map(Int32.init))
        let y = Tensor(shape: [2, 3, 2], elements: (0..<12).map(Int32.init))
        let z = try GraphRunner.run("MatMul", inputs: [x, y])[0]
        XCTAssertEqual(z.shape, [2, 2, 2])
        XCTAssertEqual(z.elements(as: Int32.self), [10, 13, 28, 40, 28, 31, 100, 112])
    }

    func testBatchedBroadcastMatMulMatchesReference() throws {
        let cases: [([Int], [Int])] = [([2, 3, 4, 5], [5, 6]), ([2, 1, 4, 5], [3, 5, 6]), ([4, 5], [2, 3, 5, 6]),
                                       ([3, 1, 5], [3, 5, 7]), ([2, 3, 1, 5], [1, 3, 5, 2]), ([6, 0], [0, 3])]
        for (index, (sa, sb)) in cases.enumerated() {
            var random = TestRandom(seed: UInt64(40 + index))
            let x = random.tensor(sa), y = random.tensor(sb)
            let z = try GraphRunner.run("MatMul", inputs: [x, y])[0]
            let batch = Broadcast.shape([Array(sa.dropLast(2)), Array(sb.dropLast(2))]) ?? []
            let plan = MatMulPlan(m: sa[sa.count - 2], n: sb[sb.count - 1], k: sa[sa.count - 1], batch: batch,
                                  aBatch: Array(sa.dropLast(2)), bBatch: Array(sb.dropLast(2)))
            let expected = Tensor(dataType: .float, shape: batch + [plan.m, plan.n])
            MatMulReference.run(plan, x.floats, y.floats, expected.floats, +, *)
            XCTAssertEqual(z.shape, expected.shape, "case \(index)")
            XCTAssertLessThan(relativeError(z.floatValues(), expected.floatValues()), 1e-5, "case \(index)")
        }
    }

    func testMatMulRejectsMismatchedShapes() {
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("MatMul", inputs: [Tensor(dataType: .float, shape: [2, 3]), Tensor(dataType: .float, shape: [2, 3])])
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("MatMul", inputs: [Tensor(dataType: .float, shape: [2, 2, 3]), Tensor(dataType: .float, shape: [3, 3, 1])])
        }
    }
}
