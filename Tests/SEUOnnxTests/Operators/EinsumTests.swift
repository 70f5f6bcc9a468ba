import XCTest
@testable import SEUOnnx

/// Einsum: hand-computed cases, the planned kernel (in-place and transposed operands, copies,
/// diagonals, broadcasting, several operands) against `EinsumReference`, integers, and errors.
final class EinsumTests: XCTestCase {
    private func einsum(_ equation: String, _ inputs: [Tensor]) throws -> Tensor {
        try GraphRunner.run("Einsum", inputs: inputs, attributes: ["equation": .string(equation)], opset: 12)[0]
    }

    func testHandComputed() throws {
        let a = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], floats: [1, 0, 0, 1, 1, 1])
        assertTensor(try einsum("ij,jk->ik", [a, b]), shape: [2, 2], [4, 5, 10, 11])
        assertTensor(try einsum("ij,jk", [a, b]), shape: [2, 2], [4, 5, 10, 11])  // implicit output
        assertTensor(try einsum("ij->ji", [a]), shape: [3, 2], [1, 4, 2, 5, 3, 6])
        assertTensor(try einsum("ij->", [a]), shape: [], [21])
        assertTensor(try einsum("ij->j", [a]), shape: [3], [5, 7, 9])
        let square = Tensor(shape: [3, 3], floats: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        assertTensor(try einsum("ii->i", [square]), shape: [3], [1, 5, 9])
        assertTensor(try einsum("ii", [square]), shape: [], [15])  // trace
        let u = Tensor(shape: [2], floats: [1, 2]), v = Tensor(shape: [3], floats: [1, 10, 100])
        assertTensor(try einsum("i,j->ij", [u, v]), shape: [2, 3], [1, 10, 100, 2, 20, 200])
        // k is summed inside the second operand before the product: [1+10+100] · u.
        assertTensor(try einsum("i,k->i", [u, v]), shape: [2], [111, 222])
        // PyTorch's legacy exporter spells MaxViT's attention with capitals and spaces.
        let q = Tensor(shape: [1, 2, 2], floats: [1, 0, 0, 1]), k = Tensor(shape: [1, 3, 2], floats: [1, 2, 3, 4, 5, 6])
        assertTensor(try einsum("B I D, B J D -> B I J", [q, k]), shape: [1, 2, 3], [1, 3, 5, 2, 4, 6])
    }

    func testPlannedKernelMatchesReference() throws {
        let cases: [(String, [[Int]])] = [
            ("bgid,bgjd->bgij", [[2, 3, 4, 5], [2, 3, 6, 5]]),      // B read transposed in place
            ("bgij,bgjd->bgid", [[2, 3, 4, 6], [2, 3, 6, 5]]),      // both in place
            ("kbi,kj->bij", [[4, 2, 3], [4, 5]]),                     // A copied, broadcast over b
            ("ji,jk->ik", [[4, 3], [4, 5]]),                         // A read transposed
            ("...ij,...jk->...ik", [[2, 1, 3, 4], [5, 4, 2]]),       // ellipsis broadcasting
            ("...ii->...i", [[3, 4, 4]]),
            ("ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]]),
            ("abc,cd,bd->ad", [[2, 3, 4], [4, 5], [3, 5]]),
            ("iij,jk->ik", [[3, 3, 4], [4, 2]]),                      // diagonal before the product
            ("i,i", [[7], [7]]),
            ("bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]]),
            ("ab,ab->ba", [[3, 4], [3, 4]]),                          // elementwise, transposed out
        ]
        var random = TestRandom(seed: 11)
        for (equation, shapes) in cases {
            let inputs = shapes.map { random.tensor($0) }
            let parsed = try EinsumEquation(equation, shapes: shapes)
            let expected = EinsumReference.run(parsed, inputs.map { $0.floatValues() }, shapes: shapes)
            let y = try einsum(equation, inputs)
            XCTAssertEqual(y.shape, parsed.outputShape, equation)
            assertClose(y.floatValues(), expected, tolerance: 1e-4)
        }
    }

    /// MaxViT's two attention einsums need no copy: one product, read in place, written to
    /// the output.
    func testAttentionEinsumsRunInPlace() throws {
        func products(_ equation: String, _ shapes: [[Int]]) throws -> [EinsumPlan.Product] {
            let plan = EinsumPlan(try EinsumEquation(equation, shapes: shapes), shapes: shapes)
            return plan.steps.compactMap { if case .product(let p) = $0 { return p } else { return nil } }
                + (plan.steps.count == 1 ? [] : [EinsumPlan.Product(a: .output, b: .output, target: .output, batch: 0, m: 0, n: 0, k: 0,
                                                                    transposeA: false, transposeB: false)])
        }
        let scores = try products("B G H I D, B G H J D -> B G H I J", [[1, 4, 2, 49, 32], [1, 4, 2, 49, 32]])
        XCTAssertEqual(scores.count, 1)
        XCTAssertEqual(scores.first.map { [$0.batch, $0.m, $0.n, $0.k] }, [8, 49, 49, 32])
        XCTAssertEqual(scores.first.map { [$0.transposeA, $0.transposeB] }, [false, true])
        XCTAssertEqual(scores.first?.target, .output)
        let mixed = try products("B G H I J, B G H J D -> B G H I D", [[1, 4, 2, 49, 49], [1, 4, 2, 49, 32]])
        XCTAssertEqual(mixed.count, 1)
        XCTAssertEqual(mixed.first.map { [$0.transposeA, $0.transposeB] }, [false, false])
    }

    func testIntegersAndDoubles() throws {
        let a = Tensor(shape: [2, 2], elements: [Int64(1), 2, 3, 4]), b = Tensor(shape: [2, 2], elements: [Int64(5), 6, 7, 8])
        let y = try einsum("ij,jk->ik", [a, b])
        XCTAssertEqual(y.dataType, .int64)
        XCTAssertEqual(y.intValues(), [19, 22, 43, 50])
        let d = Tensor(shape: [3], elements: [1.5, 2.0, -1.0])
        let dot = try einsum("i,i->", [d, d])
        XCTAssertEqual(dot.dataType, .double)
        XCTAssertEqual(dot.pointer(as: Double.self)[0], 7.25)
    }

    func testBadEquationsAreErrors() {
        let a = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        for equation in ["ij,jk->ik", "ijk->i", "ij->k", "ij->ii", "i1->i", "i.j->i", "ij->i->j", "ii->i"] {
            assertThrowsKind(.shapeMismatch) { _ = try self.einsum(equation, [a]) }
        }
        assertThrowsKind(.shapeMismatch) { _ = try self.einsum("ij,ij->ij", [a, Tensor(shape: [3, 2], floats: [1, 2, 3, 4, 5, 6])]) }
    }
}
