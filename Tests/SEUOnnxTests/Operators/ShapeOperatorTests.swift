import XCTest
@testable import SEUOnnx

/// Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, Identity and the generators
/// (Constant, ConstantOfShape, Range) with hand-computed values in each opset form.
final class ShapeOperatorTests: XCTestCase {
    func ints(_ values: [Int]) -> Tensor { Tensor(shape: [values.count], elements: values.map { Int64($0) }) }
    func iota(_ shape: [Int]) -> Tensor { Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map(Float.init)) }

    func testReshapeZeroMinusOneAllowZeroAndAttributeForm() throws {
        let x = iota([2, 3, 4])
        let y = try GraphRunner.run("Reshape", inputs: [x, ints([0, -1])])[0]
        XCTAssertEqual(y.shape, [2, 12])
        XCTAssertEqual(y.elements(as: Float.self), x.elements(as: Float.self))
        // Opset 1–4: the shape is an attribute.
        XCTAssertEqual(try GraphRunner.run("Reshape", inputs: [x], attributes: ["shape": .ints([4, -1])], opset: 4)[0].shape, [4, 6])
        // allowzero (opset 14): 0 is a real zero-sized dimension.
        let empty = iota([0, 3])
        XCTAssertEqual(try GraphRunner.run("Reshape", inputs: [empty, ints([3, 0])], attributes: ["allowzero": .int(1)], opset: 14)[0].shape, [3, 0])
        XCTAssertThrowsError(try GraphRunner.run("Reshape", inputs: [empty, ints([3, 0])], opset: 14)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
        XCTAssertThrowsError(try GraphRunner.run("Reshape", inputs: [x, ints([-1, -1])])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
        XCTAssertThrowsError(try GraphRunner.run("Reshape", inputs: [x, ints([5, -1])]))
    }

    func testFlattenAxes() throws {
        let x = iota([2, 3, 4])
        XCTAssertEqual(try GraphRunner.run("Flatten", inputs: [x])[0].shape, [2, 12])
        XCTAssertEqual(try GraphRunner.run("Flatten", inputs: [x], attributes: ["axis": .int(0)])[0].shape, [1, 24])
        XCTAssertEqual(try GraphRunner.run("Flatten", inputs: [x], attributes: ["axis": .int(-1)])[0].shape, [6, 4])
        XCTAssertThrowsError(try GraphRunner.run("Flatten", inputs: [x], attributes: ["axis": .int(4)]))
    }

    func testSqueezeAndUnsqueezeAttributeAndInputForms() throws {
        let x = Tensor(shape: [1, 3, 1], elements: [Int16(1), 2, 3])
        XCTAssertEqual(try GraphRunner.run("Squeeze", inputs: [x], opset: 13)[0].shape, [3])
        XCTAssertEqual(try GraphRunner.run("Squeeze", inputs: [x], attributes: ["axes": .ints([-1])], opset: 11)[0].shape, [1, 3])
        let squeezed = try GraphRunner.run("Squeeze", inputs: [x, ints([0])], opset: 13)[0]
        XCTAssertEqual(squeezed.shape, [3, 1])
        XCTAssertEqual(squeezed.elements(as: Int16.self), [1, 2, 3])
        XCTAssertThrowsError(try GraphRunner.run("Squeeze", inputs: [x, ints([1])], opset: 13)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
        let v = Tensor(shape: [3], elements: [Int16(1), 2, 3])
        XCTAssertEqual(try GraphRunner.run("Unsqueeze", inputs: [v], attributes: ["axes": .ints([0, 2])], opset: 11)[0].shape, [1, 3, 1])
        // Axes refer to the output rank and may be unsorted or negative.
        XCTAssertEqual(try GraphRunner.run("Unsqueeze", inputs: [v, ints([-1, 0])], opset: 13)[0].shape, [1, 3, 1])
        XCTAssertThrowsError(try GraphRunner.run("Unsqueeze", inputs: [v, ints([0, 0])], opset: 13))
    }

    func testShapeWithStartEndAndSize() throws {
        let x = Tensor(dataType: .float16, shape: [2, 3, 4, 5])
        XCTAssertEqual(try GraphRunner.run("Shape", inputs: [x])[0].elements(as: Int64.self), [2, 3, 4, 5])
        XCTAssertEqual(try GraphRunner.run("Shape", inputs: [x], attributes: ["start": .int(1), "end": .int(-1)], opset: 15)[0].elements(as: Int64.self), [3, 4])
        XCTAssertEqual(try GraphRunner.run("Shape", inputs: [x], attributes: ["start": .int(-10), "end": .int(10)], opset: 15)[0].elements(as: Int64.self), [2, 3, 4, 5])
        XCTAssertEqual(try GraphRunner.run("Shape", inputs: [x], attributes: ["start": .int(3), "end": .int(1)], opset: 15)[0].shape, [0])
        // Before opset 15 start/end do not exist and are ignored.
        XCTAssertEqual(try GraphRunner.run("Shape", inputs: [x], attributes: ["start": .int(1)], opset: 13)[0].count, 4)
        let size = try GraphRunner.run("Size", inputs: [x])[0]
        XCTAssertEqual(size.shape, [])
        XCTAssertEqual(size.elements(as: Int64.self), [120])
    }

    func testIdentityCopiesAnyType() throws {
        let x = Tensor(shape: [2], elements: [UInt64.max, 7])
        XCTAssertEqual(try GraphRunner.run("Identity", inputs: [x])[0].elements(as: UInt64.self), [UInt64.max, 7])
    }

    func testConstantAttributeForms() throws {
        func constant(_ name: String, _ value: AttributeValue) throws -> Tensor {
            try GraphRunner.run("Constant", inputs: [], attributes: [name: value], opset: 13)[0]
        }
        XCTAssertEqual(try constant("value", .tensor(Tensor(shape: [2], elements: [Int8(-1), 5]))).elements(as: Int8.self), [-1, 5])
        let f = try constant("value_float", .float(2.5))
        XCTAssertEqual(f.shape, [])
        XCTAssertEqual(f.elements(as: Float.self), [2.5])
        XCTAssertEqual(try constant("value_floats", .floats([1, 2])).elements(as: Float.self), [1, 2])
        XCTAssertEqual(try constant("value_int", .int(-3)).elements(as: Int64.self), [-3])
        XCTAssertEqual(try constant("value_ints", .ints([4, 5, 6])).elements(as: Int64.self), [4, 5, 6])
        XCTAssertThrowsError(try constant("value_string", .string("a"))) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .unsupportedDataType)
        }
    }

    func testConstantOfShapeDefaultsToFloatZero() throws {
        let zeros = try GraphRunner.run("ConstantOfShape", inputs: [ints([2, 2])], opset: 9)[0]
        XCTAssertEqual(zeros.dataType, .float)
        XCTAssertEqual(zeros.elements(as: Float.self), [0, 0, 0, 0])
        let sevens = try GraphRunner.run("ConstantOfShape", inputs: [ints([3])], attributes: ["value": .tensor(Tensor(shape: [1], elements: [Int32(7)]))], opset: 9)[0]
        XCTAssertEqual(sevens.elements(as: Int32.self), [7, 7, 7])
        XCTAssertEqual(try GraphRunner.run("ConstantOfShape", inputs: [ints([])], opset: 9)[0].shape, [])
    }

    func testRangeLengthsAndValues() throws {
        let a = try GraphRunner.run("Range", inputs: [Tensor(scalar: Int32(10)), Tensor(scalar: Int32(1)), Tensor(scalar: Int32(-4))], opset: 11)[0]
        XCTAssertEqual(a.elements(as: Int32.self), [10, 6, 2])
        let b = try GraphRunner.run("Range", inputs: [Tensor(scalar: Float(1)), Tensor(scalar: Float(2)), Tensor(scalar: Float(0.25))], opset: 11)[0]
        XCTAssertEqual(b.elements(as: Float.self), [1, 1.25, 1.5, 1.75])
        let empty = try GraphRunner.run("Range", inputs: [Tensor(scalar: Int64(5)), Tensor(scalar: Int64(1)), Tensor(scalar: Int64(1))], opset: 11)[0]
        XCTAssertEqual(empty.shape, [0])
        XCTAssertThrowsError(try GraphRunner.run("Range", inputs: [Tensor(scalar: Int64(0)), Tensor(scalar: Int64(1)), Tensor(scalar: Int64(0))], opset: 11))
    }
}
