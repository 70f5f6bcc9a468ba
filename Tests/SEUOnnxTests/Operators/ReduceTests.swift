import XCTest
@testable import SEUOnnx

/// Reductions and ArgMax/ArgMin: axes as attribute (older opsets) and as input, keepdims,
/// noop_with_empty_axes, empty sets, integer and bool types, NaN propagation.
final class ReduceTests: XCTestCase {
    /// [[[1,2],[3,4]], [[5,6],[7,8]], [[9,10],[11,12]]].
    let r = Tensor(shape: [3, 2, 2], floats: (1...12).map(Float.init))

    func testAxesAttributeBeforeTheOpsetThatMovedIt() throws {
        let sum = try GraphRunner.run("ReduceSum", inputs: [r], attributes: ["axes": .ints([1]), "keepdims": .int(0)], opset: 11)[0]
        assertTensor(sum, shape: [3, 2], [4, 6, 12, 14, 20, 22])
        let l2 = try GraphRunner.run("ReduceL2", inputs: [r], attributes: ["axes": .ints([0, 2])], opset: 13)[0]
        assertTensor(l2, shape: [1, 2, 1], [15.716233, 20.07486], tolerance: 1e-4)
        let lse = try GraphRunner.run("ReduceLogSumExp", inputs: [r], attributes: ["axes": .ints([-1])], opset: 11)[0]
        assertTensor(lse, shape: [3, 2, 1], [2.3132617, 4.3132615, 6.3132615, 8.313262, 10.313262, 12.313262], tolerance: 1e-5)
        let mean = try GraphRunner.run("ReduceMean", inputs: [r], opset: 13)[0]
        assertTensor(mean, shape: [1, 1, 1], [6.5])
    }

    func testAxesInput() throws {
        let prod = try GraphRunner.run("ReduceProd", inputs: [r, Tensor(shape: [1], elements: [Int64(2)])],
                                       attributes: ["keepdims": .int(0)], opset: 18)[0]
        assertTensor(prod, shape: [3, 2], [2, 12, 30, 56, 90, 132])
        let sum = try GraphRunner.run("ReduceSum", inputs: [r, Tensor(shape: [2], elements: [Int64(0), -1])], opset: 13)[0]
        assertTensor(sum, shape: [1, 2, 1], [1 + 2 + 5 + 6 + 9 + 10, 3 + 4 + 7 + 8 + 11 + 12])
        let maxima = try GraphRunner.run("ReduceMax", inputs: [r, Tensor(shape: [1], elements: [Int64(1)])], opset: 18)[0]
        assertTensor(maxima, shape: [3, 1, 2], [3, 4, 7, 8, 11, 12])
    }

    func testEmptyAxesReduceAllOrNothing() throws {
        let empty = Tensor(shape: [0], elements: [Int64]())
        let all = try GraphRunner.run("ReduceSum", inputs: [r, empty], attributes: ["keepdims": .int(0)], opset: 13)[0]
        assertTensor(all, shape: [], [78])
        let noop = try GraphRunner.run("ReduceSumSquare", inputs: [r, empty], attributes: ["noop_with_empty_axes": .int(1)], opset: 18)[0]
        assertTensor(noop, shape: [3, 2, 2], (1...12).map(Float.init))
        let omitted = try GraphRunner.run("ReduceMin", inputs: [r, nil], attributes: ["noop_with_empty_axes": .int(1)], opset: 18)[0]
        XCTAssertEqual(omitted.shape, [3, 2, 2])
    }

    func testReductionsOverAnEmptySetGiveIdentities() throws {
        let x = Tensor(dataType: .float, shape: [2, 0, 3])
        let axes = Tensor(shape: [1], elements: [Int64(1)])
        let expected: [(String, Float)] = [("ReduceSum", 0), ("ReduceProd", 1), ("ReduceMax", -.infinity), ("ReduceMin", .infinity),
                                           ("ReduceL1", 0), ("ReduceL2", 0), ("ReduceSumSquare", 0),
                                           ("ReduceLogSum", -.infinity), ("ReduceLogSumExp", -.infinity)]
        for (op, value) in expected {
            let y = try GraphRunner.run(op, inputs: [x, axes], opset: 18)[0]
            assertTensor(y, shape: [2, 1, 3], [Float](repeating: value, count: 6))
        }
    }

    func testIntegerAndBoolReductions() throws {
        let ints = Tensor(shape: [3, 2, 2], elements: (1...12).map(Int64.init))
        let sum = try GraphRunner.run("ReduceSum", inputs: [ints, Tensor(shape: [1], elements: [Int64(0)])], opset: 13)[0]
        XCTAssertEqual(sum.elements(as: Int64.self), [15, 18, 21, 24])
        let bytes = Tensor(shape: [2, 2], elements: [Int8(-3), 5, 7, -9])
        let minimum = try GraphRunner.run("ReduceMin", inputs: [bytes], attributes: ["axes": .ints([1])], opset: 13)[0]
        XCTAssertEqual(minimum.elements(as: Int8.self), [-3, -9])
        let flags = Tensor(shape: [2, 2], elements: [true, false, true, true])
        let any = try GraphRunner.run("ReduceMax", inputs: [flags, Tensor(shape: [1], elements: [Int64(1)])], opset: 20)[0]
        XCTAssertEqual(any.elements(as: Bool.self), [true, true])
        let all = try GraphRunner.run("ReduceMin", inputs: [flags, Tensor(shape: [1], elements: [Int64(1)])], opset: 20)[0]
        XCTAssertEqual(all.elements(as: Bool.self), [false, true])
    }

    func testMaxAndMinPropagateNaN() throws {
        let x = Tensor(shape: [2, 3], floats: [1, .nan, 3, -1, -2, -3])
        let maxima = try GraphRunner.run("ReduceMax", inputs: [x], attributes: ["axes": .ints([1])], opset: 13)[0].floatValues()
        XCTAssertTrue(maxima[0].isNaN)
        XCTAssertEqual(maxima[1], -1)
        let minima = try GraphRunner.run("ReduceMin", inputs: [x], attributes: ["axes": .ints([1])], opset: 13)[0].floatValues()
        XCTAssertTrue(minima[0].isNaN)
        XCTAssertEqual(minima[1], -3)
    }

    func testReduceRejectsBadAxes() {
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("ReduceSum", inputs: [self.r], attributes: ["axes": .ints([3])], opset: 11)
        }
    }

    func testArgMaxArgMin() throws {
        let x = Tensor(shape: [2, 3], floats: [1, 3, 3, 2, 2, 1])
        let first = try GraphRunner.run("ArgMax", inputs: [x], attributes: ["axis": .int(-1), "keepdims": .int(0)], opset: 11)[0]
        XCTAssertEqual(first.shape, [2])
        XCTAssertEqual(first.elements(as: Int64.self), [1, 0])
        let last = try GraphRunner.run("ArgMax", inputs: [x], attributes: ["axis": .int(1), "select_last_index": .int(1)], opset: 12)[0]
        XCTAssertEqual(last.shape, [2, 1])
        XCTAssertEqual(last.elements(as: Int64.self), [2, 1])
        let y = Tensor(shape: [2, 3], floats: [1, 3, 1, 2, 0, 0])
        let minLast = try GraphRunner.run("ArgMin", inputs: [y], attributes: ["axis": .int(1), "select_last_index": .int(1)], opset: 12)[0]
        XCTAssertEqual(minLast.elements(as: Int64.self), [2, 2])
        let axis0 = try GraphRunner.run("ArgMin", inputs: [y], opset: 13)[0]
        XCTAssertEqual(axis0.shape, [1, 3])
        XCTAssertEqual(axis0.elements(as: Int64.self), [0, 1, 1])
    }

    func testArgMaxPointsAtNaN() throws {
        let x = Tensor(shape: [4], floats: [1, .nan, 5, .nan])
        XCTAssertEqual(try GraphRunner.run("ArgMax", inputs: [x])[0].elements(as: Int64.self), [1])
        XCTAssertEqual(try GraphRunner.run("ArgMin", inputs: [x])[0].elements(as: Int64.self), [1])
        XCTAssertEqual(try GraphRunner.run("ArgMax", inputs: [x], attributes: ["select_last_index": .int(1)])[0].elements(as: Int64.self), [3])
    }
}
