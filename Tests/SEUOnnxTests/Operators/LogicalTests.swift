import XCTest
@testable import SEUOnnx

/// Comparisons, boolean operators and Where (hand-computed values).
final class LogicalTests: XCTestCase {
    func testComparisons() throws {
        let nan = Float.nan
        XCTAssertEqual(try EW.run("Equal", [EW.f([1, nan, 2]), EW.f([1, nan, 3])]).elements(as: Bool.self), [true, false, false])
        let a = EW.f([2, 2], [1, 2, 3, 4]), b = EW.f([2.5, 2])
        XCTAssertEqual(try EW.run("Less", [a, b]).elements(as: Bool.self), [true, false, false, false])
        XCTAssertEqual(try EW.run("Greater", [a, b]).elements(as: Bool.self), [false, false, true, true])
        XCTAssertEqual(try EW.run("LessOrEqual", [a, b]).elements(as: Bool.self), [true, true, false, false])
        XCTAssertEqual(try EW.run("GreaterOrEqual", [a, b]).elements(as: Bool.self), [false, true, true, true])
        XCTAssertEqual(try EW.run("Less", [a, b]).shape, [2, 2])
        XCTAssertEqual(try EW.run("GreaterOrEqual", [EW.f([nan]), EW.f([nan])]).elements(as: Bool.self), [false])
    }

    func testComparisonTypes() throws {
        XCTAssertEqual(try EW.run("LessOrEqual", [EW.i([UInt64.max, 0]), EW.i([UInt64(1), 0])]).elements(as: Bool.self), [false, true])
        XCTAssertEqual(try EW.run("Greater", [EW.i([Int8(-1), 5]), EW.i([Int8(-2), 5])]).elements(as: Bool.self), [true, false])
        XCTAssertEqual(try EW.run("Equal", [EW.b([true, false, true]), EW.b([true, true, false])]).elements(as: Bool.self),
                       [true, false, false])
        XCTAssertEqual(try EW.run("Less", [EW.half([1, 2]), EW.half([1.5, 1.5])]).elements(as: Bool.self), [true, false])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Less", [EW.b([true]), EW.b([false])]) }
        EW.assertError(.shapeMismatch) { _ = try EW.run("Equal", [EW.f([1]), EW.d([1])]) }
    }

    func testBooleanOperators() throws {
        let a = EW.b([true, true, false, false]), b = EW.b([true, false, true, false])
        XCTAssertEqual(try EW.run("And", [a, b]).elements(as: Bool.self), [true, false, false, false])
        XCTAssertEqual(try EW.run("Or", [a, b]).elements(as: Bool.self), [true, true, true, false])
        XCTAssertEqual(try EW.run("Xor", [a, b]).elements(as: Bool.self), [false, true, true, false])
        XCTAssertEqual(try EW.run("Not", [a]).elements(as: Bool.self), [false, false, true, true])
        // Broadcasting: [2, 1] with [2].
        let y = try EW.run("And", [Tensor(shape: [2, 1], elements: [true, false]), EW.b([true, false])])
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.elements(as: Bool.self), [true, false, false, false])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Or", [EW.f([1]), EW.f([0])]) }
    }

    func testWhereBroadcasts() throws {
        let condition = Tensor(shape: [2, 1], elements: [true, false])
        let y = try EW.run("Where", [condition, EW.f([1, 2, 3]), Tensor(scalar: Float(0))])
        EW.assertFloats(y, [2, 3], [1, 2, 3, 0, 0, 0])
        let ints = try EW.run("Where", [EW.b([false, true]), EW.i([Int64(1), 2]), EW.i([Int64(-1), -2])])
        XCTAssertEqual(ints.elements(as: Int64.self), [-1, 2])
        let bools = try EW.run("Where", [EW.b([false, true]), EW.b([true, true]), EW.b([false, false])])
        XCTAssertEqual(bools.elements(as: Bool.self), [false, true])
        EW.assertError(.shapeMismatch) { _ = try EW.run("Where", [EW.b([true]), EW.f([1]), EW.d([1])]) }
    }

    /// Where copies 16-bit values bit for bit (a NaN payload included).
    func testWhereKeepsHalfBits() throws {
        let x = Tensor(dataType: .float16, shape: [2]), y = Tensor(dataType: .float16, shape: [2])
        x.pointer(as: UInt16.self).update(from: [0x7E01, 0x3C00], count: 2)
        y.pointer(as: UInt16.self).update(from: [0x0001, 0xC000], count: 2)
        let out = try EW.run("Where", [EW.b([true, false]), x, y])
        XCTAssertEqual(out.dataType, .float16)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: out.pointer(as: UInt16.self), count: 2)), [0x7E01, 0xC000])
    }
}
