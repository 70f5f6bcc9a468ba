import XCTest
@testable import SEUOnnx

/// ONNX's comparison rule: |actual − expected| ≤ atol + rtol·|expected|, NaN equals NaN,
/// integers and bools exact, data type and shape equal.
final class TensorComparisonTests: XCTestCase {
    func testToleranceIsAbsolutePlusRelativeToExpected() {
        // atol + rtol·|expected| = 1e-7 + 1e-3·1000 = 1.0000001
        XCTAssertTrue(TensorComparison.isClose(1001, 1000))
        XCTAssertTrue(TensorComparison.isClose(-1001, -1000))
        XCTAssertFalse(TensorComparison.isClose(1001.001, 1000))
        // Around zero only atol is left.
        XCTAssertTrue(TensorComparison.isClose(1e-7, 0))
        XCTAssertFalse(TensorComparison.isClose(2e-7, 0))
        XCTAssertTrue(TensorComparison.isClose(-0.0, 0.0))
        // Relative to the expected value, not the actual one: with rtol 0.5, 2 vs expected 1
        // fails (1 > 0.5) while 1 vs expected 2 passes (1 ≤ 1).
        let half = ConformanceTolerance(rtol: 0.5, atol: 0)
        XCTAssertFalse(TensorComparison.isClose(2, 1, tolerance: half))
        XCTAssertTrue(TensorComparison.isClose(1, 2, tolerance: half))
        XCTAssertEqual(ConformanceTolerance.onnx, ConformanceTolerance(rtol: 1e-3, atol: 1e-7))
    }

    func testNaNAndInfinities() {
        XCTAssertTrue(TensorComparison.isClose(.nan, .nan))
        XCTAssertFalse(TensorComparison.isClose(.nan, 1))
        XCTAssertFalse(TensorComparison.isClose(1, .nan))
        XCTAssertTrue(TensorComparison.isClose(.infinity, .infinity))
        XCTAssertTrue(TensorComparison.isClose(-.infinity, -.infinity))
        XCTAssertFalse(TensorComparison.isClose(.infinity, -.infinity))
        XCTAssertFalse(TensorComparison.isClose(1e38, .infinity))
        XCTAssertFalse(TensorComparison.isClose(.infinity, 1e38))

        let expected = Tensor(shape: [4], floats: [.nan, .infinity, -1, 0])
        XCTAssertNil(TensorComparison.compare(Tensor(shape: [4], floats: [.nan, .infinity, -1.0005, 5e-8]), expected))
        XCTAssertEqual(TensorComparison.compare(Tensor(shape: [4], floats: [0, .infinity, -1, 0]), expected),
                       .value(index: 0, position: [0], actual: "0.0", expected: "nan"))
        XCTAssertEqual(TensorComparison.compare(Tensor(shape: [4], floats: [.nan, .infinity, -1, .nan]), expected),
                       .value(index: 3, position: [3], actual: "nan", expected: "0.0"))
    }

    func testDataTypeAndShapeMismatches() {
        let floats = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let doubles = Tensor(shape: [2, 3], elements: [1.0, 2, 3, 4, 5, 6] as [Double])
        XCTAssertEqual(TensorComparison.compare(doubles, floats), .dataType(actual: .double, expected: .float))
        XCTAssertEqual(TensorComparison.compare(floats.reshaped([3, 2]), floats), .shape(actual: [3, 2], expected: [2, 3]))
        XCTAssertEqual(TensorComparison.compare(floats.reshaped([6]), floats), .shape(actual: [6], expected: [2, 3]))
        // A scalar is not a one-element vector.
        XCTAssertEqual(TensorComparison.compare(Tensor(shape: [1], floats: [1]), Tensor(shape: [], floats: [1])),
                       .shape(actual: [1], expected: []))
        XCTAssertNil(TensorComparison.compare(Tensor(shape: [0, 3], floats: []), Tensor(shape: [0, 3], floats: [])))
    }

    func testFirstMismatchIsReportedWithItsPosition() {
        let expected = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let actual = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5.1, 7])
        let mismatch = TensorComparison.compare(actual, expected)
        XCTAssertEqual(mismatch, .value(index: 4, position: [1, 1], actual: "5.1", expected: "5.0"))
        XCTAssertEqual(mismatch?.description, "element 4 [1, 1]: 5.1, expected 5.0")
    }

    func testIntegersAndBoolsAreExact() {
        // 1000001 is within rtol of 1000000 but integers must match exactly.
        XCTAssertEqual(TensorComparison.compare(Tensor(shape: [2], elements: [Int32(7), 1_000_001]),
                                                Tensor(shape: [2], elements: [Int32(7), 1_000_000])),
                       .value(index: 1, position: [1], actual: "1000001", expected: "1000000"))
        XCTAssertNil(TensorComparison.compare(Tensor(shape: [2], elements: [Int64.min, .max]),
                                              Tensor(shape: [2], elements: [Int64.min, .max])))
        XCTAssertEqual(TensorComparison.compare(Tensor(shape: [1], elements: [UInt64.max]),
                                                Tensor(shape: [1], elements: [UInt64.max - 1])),
                       .value(index: 0, position: [0], actual: "18446744073709551615", expected: "18446744073709551614"))
        XCTAssertEqual(TensorComparison.compare(Tensor(shape: [2], elements: [UInt8(3), 4]),
                                                Tensor(shape: [2], elements: [UInt8(3), 5])),
                       .value(index: 1, position: [1], actual: "4", expected: "5"))
        let falseTrue = Tensor(dataType: .bool, shape: [2])
        falseTrue.pointer(as: UInt8.self)[1] = 1
        let trueTrue = Tensor(dataType: .bool, shape: [2])
        trueTrue.pointer(as: UInt8.self)[0] = 1
        trueTrue.pointer(as: UInt8.self)[1] = 1
        XCTAssertEqual(TensorComparison.compare(falseTrue, trueTrue),
                       .value(index: 0, position: [0], actual: "false", expected: "true"))
    }

    func testHalfPrecisionUsesTheFloatTolerance() {
        func half(_ values: [Float]) -> Tensor {
            let tensor = Tensor(dataType: .float16, shape: [values.count])
            for (i, v) in values.enumerated() { tensor.pointer(as: UInt16.self)[i] = HalfPrecision.float16Bits(from: v) }
            return tensor
        }
        // 1 + 2^-10 = 1.0009765625 is within 1e-3 of 1; 1 + 2^-9 is not.
        XCTAssertNil(TensorComparison.compare(half([1.0009765625]), half([1])))
        XCTAssertEqual(TensorComparison.compare(half([1.001953125]), half([1])),
                       .value(index: 0, position: [0], actual: "1.0019531", expected: "1.0"))
        XCTAssertEqual(TensorComparison.compare(half([1]), Tensor(shape: [1], floats: [1])),
                       .dataType(actual: .float16, expected: .float))
    }
}
