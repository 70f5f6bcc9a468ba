import XCTest
@testable import SEUOnnx

/// Sum, Mean, Max, Min over several broadcast inputs (hand-computed values).
final class VariadicTests: XCTestCase {
    func testThreeInputsBroadcast() throws {
        let a = EW.f([2, 2], [1, 2, 3, 4]), b = EW.f([2], [10, 20]), c = Tensor(scalar: Float(100))
        EW.assertFloats(try EW.run("Sum", [a, b, c]), [2, 2], [111, 122, 113, 124])
        EW.assertFloats(try EW.run("Mean", [a, b, c]), [2, 2], [37, 40.666668, 37.666668, 41.333332])
        EW.assertFloats(try EW.run("Max", [a, EW.f([2, 1], [2.5, 3.5]), EW.f([0, 5])]), [2, 2], [2.5, 5, 3.5, 5])
        EW.assertFloats(try EW.run("Min", [a, EW.f([2, 1], [2.5, 3.5]), EW.f([0, 5])]), [2, 2], [0, 2, 0, 3.5])
    }

    func testSingleInputBroadcastsToItself() throws {
        EW.assertFloats(try EW.run("Max", [EW.f([3, -1])]), [2], [3, -1])
        EW.assertFloats(try EW.run("Mean", [EW.f([3, -1])]), [2], [3, -1])
    }

    func testNaNPropagates() throws {
        let nan = Float.nan
        // PyTorch's maximum/minimum: NaN in either operand gives NaN.
        EW.assertFloats(try EW.run("Max", [EW.f([nan, 1, 2]), EW.f([1, nan, 3])]), [3], [nan, nan, 3])
        EW.assertFloats(try EW.run("Min", [EW.f([nan, 1, 2]), EW.f([1, nan, 3])]), [3], [nan, nan, 2])
        EW.assertFloats(try EW.run("Max", [EW.f([1]), EW.f([2]), EW.f([nan])]), [1], [nan])
    }

    func testIntegerTypes() throws {
        XCTAssertEqual(try EW.run("Max", [EW.i([UInt8(3), 200]), EW.i([UInt8(7), 100])]).elements(as: UInt8.self), [7, 200])
        XCTAssertEqual(try EW.run("Min", [EW.i([Int64(-3), 9]), EW.i([Int64(7), -100])]).elements(as: Int64.self), [-3, -100])
        XCTAssertEqual(try EW.run("Sum", [EW.i([Int32(1)]), EW.i([Int32(2)]), EW.i([Int32(3)])]).elements(as: Int32.self), [6])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Mean", [EW.i([Int32(1)]), EW.i([Int32(2)])]) }
    }

    func testHalfAndErrors() throws {
        let y = try EW.run("Max", [EW.half([1, -2]), EW.half([0.5, 3])])
        XCTAssertEqual(y.dataType, .float16)
        XCTAssertEqual(EW.halfValues(y), [1, 3])
        EW.assertError(.shapeMismatch) { _ = try EW.run("Sum", [EW.f([1, 2]), EW.f([1, 2, 3])]) }
        EW.assertError(.shapeMismatch) { _ = try EW.run("Sum", [EW.f([1]), EW.d([1])]) }
    }
}
