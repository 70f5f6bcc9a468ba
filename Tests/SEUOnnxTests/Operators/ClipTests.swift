import XCTest
@testable import SEUOnnx

/// Clip across opset versions: attributes before 11, optional inputs from 11 (integers from 12).
final class ClipTests: XCTestCase {
    let x = EW.f([-3, -1, 0, 2, 7, .nan])

    func testInputsOpset13() throws {
        EW.assertFloats(try EW.run("Clip", [x, Tensor(scalar: Float(-1.5)), Tensor(scalar: Float(6))], opset: 13), [6],
                        [-1.5, -1, 0, 2, 6, .nan])
        // Omitted bounds are unbounded.
        EW.assertFloats(try EW.run("Clip", [x, nil, Tensor(scalar: Float(1))], opset: 13), [6], [-3, -1, 0, 1, 1, .nan])
        EW.assertFloats(try EW.run("Clip", [x, Tensor(scalar: Float(0))], opset: 13), [6], [0, 0, 0, 2, 7, .nan])
        EW.assertFloats(try EW.run("Clip", [x], opset: 13), [6], [-3, -1, 0, 2, 7, .nan])
    }

    func testMinGreaterThanMaxGivesMax() throws {
        EW.assertFloats(try EW.run("Clip", [x, Tensor(scalar: Float(2)), Tensor(scalar: Float(1))], opset: 13), [6],
                        [1, 1, 1, 1, 1, .nan])
    }

    func testAttributesBeforeOpset11() throws {
        EW.assertFloats(try EW.run("Clip", [x], ["min": .float(-2), "max": .float(3)], opset: 6), [6], [-2, -1, 0, 2, 3, .nan])
        EW.assertFloats(try EW.run("Clip", [x], ["max": .float(0)], opset: 6), [6], [-3, -1, 0, 0, 0, .nan])
    }

    func testIntegers() throws {
        let ints = EW.i([Int8(-128), -5, 0, 5, 127])
        XCTAssertEqual(try EW.run("Clip", [ints, Tensor(scalar: Int8(-3)), Tensor(scalar: Int8(4))], opset: 13).elements(as: Int8.self),
                       [-3, -3, 0, 4, 4])
        XCTAssertEqual(try EW.run("Clip", [ints, nil, Tensor(scalar: Int8(0))], opset: 13).elements(as: Int8.self), [-128, -5, 0, 0, 0])
        XCTAssertEqual(try EW.run("Clip", [EW.i([UInt64(5), .max]), Tensor(scalar: UInt64(6))], opset: 13).elements(as: UInt64.self),
                       [6, .max])
    }

    func testHalfAndInvalidBounds() throws {
        let y = try EW.run("Clip", [EW.half([-1, 0.5, 9]), EW.half([0], shape: []), EW.half([6], shape: [])], opset: 13)
        XCTAssertEqual(y.dataType, .float16)
        XCTAssertEqual(EW.halfValues(y), [0, 0.5, 6])
        EW.assertError(.shapeMismatch) { _ = try EW.run("Clip", [x, EW.f([0, 1])], opset: 13) }
        EW.assertError(.shapeMismatch) { _ = try EW.run("Clip", [x, Tensor(scalar: 0.0)], opset: 13) }
    }
}
