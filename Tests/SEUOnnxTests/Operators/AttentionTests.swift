import XCTest
@testable import SEUOnnx

/// ONNX Attention (opset 23/24): hand-computed scores, masks, causal offsets with a past,
/// grouped-query heads in 3-D layout against the 4-D layout, fully hidden rows and NaN.
final class AttentionTests: XCTestCase {
    private func attention(_ inputs: [Tensor?], _ attributes: [String: AttributeValue] = [:], outputs: Int = 1, opset: Int = 23) throws -> [Tensor] {
        try GraphRunner.run("Attention", inputs: inputs, attributes: attributes, outputCount: outputs, opset: opset)
    }

    func testHandComputedSingleHead() throws {
        // One query [1, 0] against keys [1, 0] and [0, 1], scale 1: scores [1, 0];
        // p = [e/(e+1), 1/(e+1)] = [0.7310586, 0.2689414]; values [10, 20] → 12.689414.
        let q = Tensor(shape: [1, 1, 1, 2], floats: [1, 0]), k = Tensor(shape: [1, 1, 2, 2], floats: [1, 0, 0, 1])
        let v = Tensor(shape: [1, 1, 2, 1], floats: [10, 20])
        let out = try attention([q, k, v], ["scale": .float(1)], outputs: 4)
        assertTensor(out[0], shape: [1, 1, 1, 1], [12.689414], tolerance: 1e-4)
        assertTensor(out[1], shape: [1, 1, 2, 2], [1, 0, 0, 1])
        assertTensor(out[3], shape: [1, 1, 1, 2], [1, 0])
        // Default scale 1/√2, softcap 0.5: 0.5·tanh(0.7071/0.5) = 0.44415; scores [0.44415, 0].
        let capped = try attention([q, k, v], ["softcap": .float(0.5), "qk_matmul_output_mode": .int(3)], outputs: 4)
        let p0 = 1 / (1 + exp(-0.5 * tanh(Float(0.5).squareRoot() * 2)))
        assertTensor(capped[3], shape: [1, 1, 1, 2], [p0, 1 - p0], tolerance: 1e-5)
        // A bool mask hiding key 0 leaves value 20; hiding both gives 0, not NaN.
        let hideFirst = try attention([q, k, v, Tensor(shape: [1, 2], elements: [false, true])])[0]
        assertTensor(hideFirst, shape: [1, 1, 1, 1], [20])
        let hideAll = try attention([q, k, v, Tensor(shape: [1, 2], elements: [false, false])])[0]
        assertTensor(hideAll, shape: [1, 1, 1, 1], [0])
        // A NaN in Q (a faulty projection weight) makes the output NaN.
        let poisoned = try attention([Tensor(shape: [1, 1, 1, 2], floats: [.nan, 0]), k, v])[0]
        XCTAssertTrue(poisoned.floatValues()[0].isNaN)
    }

    func testCausalWithPastHidesOnlyLaterKeys() throws {
        // Past of 1 key and 2 new keys; 2 queries: query 0 sees keys 0-1, query 1 sees 0-2.
        // All scores equal (Q = 0), so each output is the mean of the visible values.
        let q = Tensor(shape: [1, 1, 2, 2], floats: [0, 0, 0, 0])
        let k = Tensor(shape: [1, 1, 2, 2], floats: [1, 2, 3, 4]), v = Tensor(shape: [1, 1, 2, 1], floats: [4, 7])
        let pastK = Tensor(shape: [1, 1, 1, 2], floats: [5, 6]), pastV = Tensor(shape: [1, 1, 1, 1], floats: [1])
        let out = try attention([q, k, v, nil, pastK, pastV], ["is_causal": .int(1)], outputs: 3)
        assertTensor(out[0], shape: [1, 1, 2, 1], [2.5, 4])
        assertTensor(out[1], shape: [1, 1, 3, 2], [5, 6, 1, 2, 3, 4])
        assertTensor(out[2], shape: [1, 1, 3, 1], [1, 4, 7])
        // Opset 24: keys from nonpad_kv_seqlen on are padding; without a past the causal
        // frontier is nonpad − q_seq = 0 here.
        let padded = try attention([q, k, Tensor(shape: [1, 1, 2, 1], floats: [4, 7]), nil, nil, nil, Tensor(shape: [1], elements: [Int64(2)])],
                                   ["is_causal": .int(1)], opset: 24)[0]
        assertTensor(padded, shape: [1, 1, 2, 1], [4, 5.5])
    }

    func testGroupedQueryThreeDMatchesFourD() throws {
        var random = TestRandom(seed: 5)
        let batch = 2, qHeads = 4, kvHeads = 2, qSeq = 3, kvSeq = 5, head = 4, vHead = 3
        let q4 = random.tensor([batch, qHeads, qSeq, head]), k4 = random.tensor([batch, kvHeads, kvSeq, head])
        let v4 = random.tensor([batch, kvHeads, kvSeq, vHead]), mask = random.tensor([qSeq, kvSeq])
        func toThreeD(_ t: Tensor) throws -> Tensor {
            let s = t.shape
            let moved = try GraphRunner.run("Transpose", inputs: [t], attributes: ["perm": .ints([0, 2, 1, 3])])[0]
            return Tensor(shape: [s[0], s[2], s[1] * s[3]], floats: moved.floatValues())
        }
        let four = try attention([q4, k4, v4, mask])[0]
        let three = try attention([toThreeD(q4), toThreeD(k4), toThreeD(v4), mask],
                                  ["q_num_heads": .int(qHeads), "kv_num_heads": .int(kvHeads)])[0]
        XCTAssertEqual(three.shape, [batch, qSeq, qHeads * vHead])
        assertClose(three.floatValues(), try toThreeD(four).floatValues(), tolerance: 1e-5)
        // Query head 3 reads kv head 1: the same as single-head attention on those slices.
        func slice(_ t: Tensor, _ b: Int, _ h: Int) -> Tensor {
            let s = t.shape, n = s[2] * s[3]
            return Tensor(shape: [1, 1, s[2], s[3]], floats: Array(t.floatValues()[((b * s[1] + h) * n)..<((b * s[1] + h + 1) * n)]))
        }
        let single = try attention([slice(q4, 1, 3), slice(k4, 1, 1), slice(v4, 1, 1), mask])[0]
        assertClose(slice(four, 1, 3).floatValues(), single.floatValues(), tolerance: 1e-6)
    }

    func testBadShapesAreErrors() {
        let q = Tensor(shape: [1, 3, 2, 4], floats: Array(repeating: 0, count: 24))
        let k = Tensor(shape: [1, 2, 2, 4], floats: Array(repeating: 0, count: 16))
        assertThrowsKind(.shapeMismatch) { _ = try self.attention([q, k, k]) }  // 3 heads over 2
        let q3 = Tensor(shape: [1, 2, 8], floats: Array(repeating: 0, count: 16))
        assertThrowsKind(.invalidNode) { _ = try self.attention([q3, q3, q3]) }  // no head counts
        let wide = Tensor(shape: [2, 9], floats: Array(repeating: 0, count: 18))
        let q1 = Tensor(shape: [1, 1, 2, 4], floats: Array(repeating: 0, count: 8))
        assertThrowsKind(.shapeMismatch) { _ = try self.attention([q1, q1, q1, wide]) }  // mask longer than keys
    }
}
