import XCTest
@testable import SEUOnnx

/// Transpose, Concat, Split, Slice, Gather, GatherElements, Expand, Tile and Pad with
/// hand-computed values, in each opset form, on several element types.
final class DataMovementOperatorTests: XCTestCase {
    func ints(_ values: [Int]) -> Tensor { Tensor(shape: [values.count], elements: values.map { Int64($0) }) }
    func iota(_ shape: [Int]) -> Tensor { Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map(Float.init)) }

    func testTransposeDefaultReversesAxesAndPermMovesBytesOfAnyType() throws {
        let y = try GraphRunner.run("Transpose", inputs: [iota([2, 3])])[0]
        XCTAssertEqual(y.shape, [3, 2])
        XCTAssertEqual(y.elements(as: Float.self), [0, 3, 1, 4, 2, 5])
        // [2,3,2] int8 with perm (1, 2, 0): y[j,k,i] = x[i,j,k] = 6i + 2j + k.
        let x = Tensor(shape: [2, 3, 2], elements: (0..<12).map { Int8($0) })
        let z = try GraphRunner.run("Transpose", inputs: [x], attributes: ["perm": .ints([1, 2, 0])])[0]
        XCTAssertEqual(z.shape, [3, 2, 2])
        XCTAssertEqual(z.elements(as: Int8.self), [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11])
        XCTAssertThrowsError(try GraphRunner.run("Transpose", inputs: [x], attributes: ["perm": .ints([0, 0, 1])]))
    }

    func testConcatAlongMiddleAxisAndOldDefaultAxis() throws {
        let a = iota([2, 1, 2]), b = Tensor(shape: [2, 2, 2], floats: (10..<18).map(Float.init))
        let y = try GraphRunner.run("Concat", inputs: [a, b], attributes: ["axis": .int(-2)])[0]
        XCTAssertEqual(y.shape, [2, 3, 2])
        XCTAssertEqual(y.elements(as: Float.self), [0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17])
        // Opset 1–3: axis defaults to 1.
        let old = try GraphRunner.run("Concat", inputs: [a, b], opset: 1)[0]
        XCTAssertEqual(old.elements(as: Float.self), y.elements(as: Float.self))
        XCTAssertThrowsError(try GraphRunner.run("Concat", inputs: [a, b], opset: 13)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .invalidNode)
        }
        XCTAssertThrowsError(try GraphRunner.run("Concat", inputs: [a, iota([2, 2, 3])], attributes: ["axis": .int(1)])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
    }

    func testSplitInEveryOpsetForm() throws {
        let x = iota([2, 5])
        // Opset 11: `split` attribute.
        var parts = try GraphRunner.run("Split", inputs: [x], attributes: ["axis": .int(1), "split": .ints([2, 3])], outputCount: 2, opset: 11)
        XCTAssertEqual(parts.map(\.shape), [[2, 2], [2, 3]])
        XCTAssertEqual(parts[0].elements(as: Float.self), [0, 1, 5, 6])
        XCTAssertEqual(parts[1].elements(as: Float.self), [2, 3, 4, 7, 8, 9])
        // Opset 13: `split` input, including a zero-sized part.
        parts = try GraphRunner.run("Split", inputs: [x, ints([0, 4, 1])], attributes: ["axis": .int(-1)], outputCount: 3, opset: 13)
        XCTAssertEqual(parts.map(\.shape), [[2, 0], [2, 4], [2, 1]])
        XCTAssertEqual(parts[2].elements(as: Float.self), [4, 9])
        // Opset 18: num_outputs, uneven: ceil(5/3) = 2 → 2, 2, 1.
        parts = try GraphRunner.run("Split", inputs: [x], attributes: ["axis": .int(1), "num_outputs": .int(3)], outputCount: 3, opset: 18)
        XCTAssertEqual(parts.map(\.shape), [[2, 2], [2, 2], [2, 1]])
        XCTAssertEqual(parts[1].elements(as: Float.self), [2, 3, 7, 8])
        // Equal parts from the output count; uneven is an error before opset 18.
        parts = try GraphRunner.run("Split", inputs: [x], outputCount: 2, opset: 2)
        XCTAssertEqual(parts[1].elements(as: Float.self), [5, 6, 7, 8, 9])
        XCTAssertThrowsError(try GraphRunner.run("Split", inputs: [x], attributes: ["axis": .int(1)], outputCount: 2, opset: 13)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
        XCTAssertThrowsError(try GraphRunner.run("Split", inputs: [x, ints([1, 1])], attributes: ["axis": .int(1)], outputCount: 2, opset: 13))
    }

    func testSliceOpset1AttributesAndOpset10InputsWithNegativeSteps() throws {
        let x = iota([3, 4])
        // Opset 1: attributes, ends beyond the dimension are clamped.
        let a = try GraphRunner.run("Slice", inputs: [x], attributes: ["starts": .ints([1, 1]), "ends": .ints([100, -1]), "axes": .ints([0, 1])], opset: 1)[0]
        XCTAssertEqual(a.shape, [2, 2])
        XCTAssertEqual(a.elements(as: Float.self), [5, 6, 9, 10])
        // Opset 13: reverse the last axis with step -2 from the end (INT64_MAX start clamps to 3).
        let b = try GraphRunner.run("Slice", inputs: [x, ints([Int.max]), ints([Int.min]), ints([-1]), ints([-2])], opset: 13)[0]
        XCTAssertEqual(b.shape, [3, 2])
        XCTAssertEqual(b.elements(as: Float.self), [3, 1, 7, 5, 11, 9])
        // Omitted axes and steps; empty result when start ≥ end.
        let c = try GraphRunner.run("Slice", inputs: [x, ints([2]), ints([1])], opset: 13)[0]
        XCTAssertEqual(c.shape, [0, 4])
        XCTAssertThrowsError(try GraphRunner.run("Slice", inputs: [x, ints([0]), ints([1]), ints([0]), ints([0])], opset: 13))
    }

    func testGatherWithNegativeAndMatrixIndicesAndRangeError() throws {
        let data = iota([3, 2])
        let y = try GraphRunner.run("Gather", inputs: [data, Tensor(shape: [2, 2], elements: [Int64(2), -3, 1, -1])])[0]
        XCTAssertEqual(y.shape, [2, 2, 2])
        XCTAssertEqual(y.elements(as: Float.self), [4, 5, 0, 1, 2, 3, 4, 5])
        let z = try GraphRunner.run("Gather", inputs: [data, Tensor(scalar: Int32(1))], attributes: ["axis": .int(1)])[0]
        XCTAssertEqual(z.shape, [3])
        XCTAssertEqual(z.elements(as: Float.self), [1, 3, 5])
        XCTAssertThrowsError(try GraphRunner.run("Gather", inputs: [data, Tensor(shape: [1], elements: [Int64(3)])])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .execution)
        }
    }

    func testGatherElementsAlongEachAxis() throws {
        let data = Tensor(shape: [2, 2], elements: [Int32(1), 2, 3, 4])
        let indices = Tensor(shape: [2, 2], elements: [Int64(0), 0, 1, -2])
        let y = try GraphRunner.run("GatherElements", inputs: [data, indices], attributes: ["axis": .int(1)])[0]
        XCTAssertEqual(y.elements(as: Int32.self), [1, 1, 4, 3])
        let rows = Tensor(shape: [1, 2], elements: [Int64(1), 0])
        let z = try GraphRunner.run("GatherElements", inputs: [data, rows], attributes: ["axis": .int(0)])[0]
        XCTAssertEqual(z.shape, [1, 2])
        XCTAssertEqual(z.elements(as: Int32.self), [3, 2])
    }

    func testExpandBroadcastsBothWays() throws {
        let x = Tensor(shape: [3, 1], elements: [true, false, true])
        let y = try GraphRunner.run("Expand", inputs: [x, ints([2, 1, 2])])[0]
        XCTAssertEqual(y.shape, [2, 3, 2])
        XCTAssertEqual(y.elements(as: Bool.self), [true, true, false, false, true, true, true, true, false, false, true, true])
        XCTAssertThrowsError(try GraphRunner.run("Expand", inputs: [x, ints([2, 2])])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
    }

    func testTileRepeatsEachAxis() throws {
        let x = Tensor(shape: [2, 2], elements: [1.0, 2.0, 3.0, 4.0] as [Double])
        let y = try GraphRunner.run("Tile", inputs: [x, ints([2, 3])])[0]
        XCTAssertEqual(y.shape, [4, 6])
        XCTAssertEqual(Array(y.elements(as: Double.self)[0..<12]), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        XCTAssertEqual(Array(y.elements(as: Double.self)[12...]), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        // Tile-1: a scalar tile count and an axis, both inputs.
        let old = try GraphRunner.run("Tile", inputs: [x, Tensor(scalar: Int64(2)), Tensor(scalar: Int64(1))], opset: 1)[0]
        XCTAssertEqual(old.shape, [2, 4])
        XCTAssertEqual(old.elements(as: Double.self), [1, 2, 1, 2, 3, 4, 3, 4])
    }

    func testPadModesOnOneRow() throws {
        let x = Tensor(shape: [1, 3], floats: [1, 2, 3])
        let pads = ints([0, 2, 0, 3])
        func pad(_ mode: String) throws -> [Float] {
            try GraphRunner.run("Pad", inputs: [x, pads], attributes: ["mode": .string(mode)], opset: 19)[0].elements(as: Float.self)
        }
        XCTAssertEqual(try pad("constant"), [0, 0, 1, 2, 3, 0, 0, 0])
        XCTAssertEqual(try pad("edge"), [1, 1, 1, 2, 3, 3, 3, 3])
        XCTAssertEqual(try pad("reflect"), [3, 2, 1, 2, 3, 2, 1, 2])
        XCTAssertEqual(try pad("wrap"), [2, 3, 1, 2, 3, 1, 2, 3])
        XCTAssertThrowsError(try GraphRunner.run("Pad", inputs: [x, pads], attributes: ["mode": .string("wrap")], opset: 18))
    }

    func testPadOpsetFormsConstantValueAxesAndCropping() throws {
        let x = iota([2, 2])
        // Opset 2: `pads` and `value` attributes.
        let a = try GraphRunner.run("Pad", inputs: [x], attributes: ["pads": .ints([1, 0, 0, 1]), "value": .float(-1)], opset: 2)[0]
        XCTAssertEqual(a.shape, [3, 3])
        XCTAssertEqual(a.elements(as: Float.self), [-1, -1, -1, 0, 1, -1, 2, 3, -1])
        // Opset 1 names the attribute `paddings`.
        let b = try GraphRunner.run("Pad", inputs: [x], attributes: ["paddings": .ints([1, 0, 0, 1]), "value": .float(-1)], opset: 1)[0]
        XCTAssertEqual(b.elements(as: Float.self), a.elements(as: Float.self))
        // Opset 18: constant_value input and axes (negative); a negative pad crops.
        let c = try GraphRunner.run("Pad", inputs: [x, ints([-1, 1]), Tensor(scalar: Float(7)), ints([-1])], opset: 18)[0]
        XCTAssertEqual(c.shape, [2, 2])
        XCTAssertEqual(c.elements(as: Float.self), [1, 7, 3, 7])
        // float16 data padded with a float16 constant: bytes moved unchanged.
        let half = Tensor(shape: [2], elements: [UInt16(0x3C00), 0x4000])
        let h = Tensor(dataType: .float16, shape: [2], storage: half.storage)
        let value = Tensor(dataType: .float16, shape: [], storage: Tensor(scalar: UInt16(0xBC00)).storage)
        let d = try GraphRunner.run("Pad", inputs: [h, ints([1, 1]), value], opset: 13)[0]
        XCTAssertEqual(d.dataType, .float16)
        XCTAssertEqual(d.floatValues(), [-1, 1, 2, -1])
    }

    func testEdgePadOfEmptyAxisIsAnError() {
        XCTAssertThrowsError(try GraphRunner.run("Pad", inputs: [iota([0, 2]), ints([1, 0, 0, 0])], attributes: ["mode": .string("edge")], opset: 13)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
    }

    func testAbsurdSizesFromAModelAreErrorsNotTraps() {
        let x = iota([2, 2])
        let cases: [(String, [Tensor?], [String: AttributeValue], Int)] = [
            ("Expand", [x, ints([1 << 40, 2])], [:], 1),
            ("Tile", [x, ints([Int.max, 2])], [:], 1),
            ("Pad", [x, ints([Int.min, 0, Int.max, 0])], [:], 1),
            ("Pad", [x, ints([1 << 33, 0, 1 << 33, 0])], [:], 1),
            ("Range", [Tensor(scalar: Int64(0)), Tensor(scalar: Int64.max), Tensor(scalar: Int64(1))], [:], 1),
            ("ConstantOfShape", [ints([1 << 62, 4])], [:], 1),
            ("Split", [x, ints([Int.max, Int.max])], ["axis": .int(0)], 2),
        ]
        for (op, inputs, attributes, outputs) in cases {
            XCTAssertThrowsError(try GraphRunner.run(op, inputs: inputs, attributes: attributes, outputCount: outputs), op) {
                XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch, op)
            }
        }
    }

    func testAxisMapCoalescesContiguousAxes() {
        // A slice that keeps the two trailing axes whole becomes one contiguous run per row.
        let tables = [[4, 8], [0, 2], [0, 1]]
        let map = AxisMap(outputShape: [2, 2, 2], tables: tables).coalesced()
        XCTAssertEqual(map.outputShape, [8])
        XCTAssertEqual(map.tables, [[4, 5, 6, 7, 8, 9, 10, 11]])
    }
}
