import XCTest
@testable import SEUOnnx

/// Elementwise math functions and the float predicates (hand-computed values).
final class UnaryMathTests: XCTestCase {
    let nan = Float.nan

    func testExponentialsAndRoots() throws {
        EW.assertFloats(try EW.run("Exp", [EW.f([0, 1, -.infinity, nan])]), [4], [1, 2.7182817, 0, nan])
        EW.assertFloats(try EW.run("Log", [EW.f([1, 2, 0, -1])]), [4], [0, 0.6931472, -.infinity, nan])
        EW.assertFloats(try EW.run("Sqrt", [EW.f([4, 2, -1])]), [3], [2, 1.4142135, nan])
        EW.assertFloats(try EW.run("Reciprocal", [EW.f([4, -0.5, 0])]), [3], [0.25, -2, .infinity])
        EW.assertFloats(try EW.run("Erf", [EW.f([0.5, -1, 0])]), [3], [0.5204999, -0.8427008, 0])
        XCTAssertEqual(try EW.run("Exp", [EW.d([1])]).elements(as: Double.self)[0], 2.718281828459045, accuracy: 1e-15)
    }

    func testRounding() throws {
        // Round is half to even.
        EW.assertFloats(try EW.run("Round", [EW.f([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])], opset: 11), [7], [0, 2, 2, -0, -2, 2, -3])
        EW.assertFloats(try EW.run("Floor", [EW.f([1.5, -1.5, 2])]), [3], [1, -2, 2])
        EW.assertFloats(try EW.run("Ceil", [EW.f([1.5, -1.5, 2])]), [3], [2, -1, 2])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Floor", [EW.i([Int32(1)])]) }
    }

    func testTrigonometry() throws {
        EW.assertFloats(try EW.run("Sin", [EW.f([1])]), [1], [0.84147098])
        EW.assertFloats(try EW.run("Cos", [EW.f([1])]), [1], [0.54030231])
        EW.assertFloats(try EW.run("Tan", [EW.f([1])]), [1], [1.5574077])
        EW.assertFloats(try EW.run("Asin", [EW.f([0.5, 2])]), [2], [0.52359878, nan])
        EW.assertFloats(try EW.run("Acos", [EW.f([0.5])]), [1], [1.0471976])
        EW.assertFloats(try EW.run("Atan", [EW.f([1])]), [1], [0.78539816])
        EW.assertFloats(try EW.run("Sinh", [EW.f([1])]), [1], [1.1752012])
        EW.assertFloats(try EW.run("Cosh", [EW.f([1])]), [1], [1.5430806])
        EW.assertFloats(try EW.run("Asinh", [EW.f([1])]), [1], [0.88137359])
        EW.assertFloats(try EW.run("Acosh", [EW.f([2])]), [1], [1.3169579])
        EW.assertFloats(try EW.run("Atanh", [EW.f([0.5])]), [1], [0.54930614])
    }

    func testNegAbsSign() throws {
        EW.assertFloats(try EW.run("Neg", [EW.f([1, -2, 0])]), [3], [-1, 2, -0])
        EW.assertFloats(try EW.run("Abs", [EW.f([-1.5, 2, -.infinity])]), [3], [1.5, 2, .infinity])
        EW.assertFloats(try EW.run("Sign", [EW.f([-3, 0, 2, nan])]), [4], [-1, 0, 1, nan])
        // Integer Neg and Abs wrap at the minimum, as in NumPy.
        XCTAssertEqual(try EW.run("Neg", [EW.i([Int8(5), -128])]).elements(as: Int8.self), [-5, -128])
        XCTAssertEqual(try EW.run("Abs", [EW.i([Int8(-5), -128])]).elements(as: Int8.self), [5, -128])
        XCTAssertEqual(try EW.run("Abs", [EW.i([UInt16(7)])]).elements(as: UInt16.self), [7])
        XCTAssertEqual(try EW.run("Sign", [EW.i([Int64(-9), 0, 4])]).elements(as: Int64.self), [-1, 0, 1])
        XCTAssertEqual(try EW.run("Sign", [EW.i([UInt32(0), 9])]).elements(as: UInt32.self), [0, 1])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Neg", [EW.i([UInt8(1)])]) }
    }

    func testIsNaNAndIsInf() throws {
        let x = EW.f([1, nan, .infinity, -.infinity])
        XCTAssertEqual(try EW.run("IsNaN", [x]).elements(as: Bool.self), [false, true, false, false])
        XCTAssertEqual(try EW.run("IsInf", [x]).elements(as: Bool.self), [false, false, true, true])
        XCTAssertEqual(try EW.run("IsInf", [x], ["detect_negative": .int(0)]).elements(as: Bool.self), [false, false, true, false])
        XCTAssertEqual(try EW.run("IsInf", [x], ["detect_positive": .int(0)]).elements(as: Bool.self), [false, false, false, true])
        let half = try EW.run("IsNaN", [EW.half([nan, 1])])
        XCTAssertEqual(half.dataType, .bool)
        XCTAssertEqual(half.elements(as: Bool.self), [true, false])
    }
}
