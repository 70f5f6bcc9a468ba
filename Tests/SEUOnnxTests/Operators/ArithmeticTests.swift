import XCTest
@testable import SEUOnnx

/// Add, Sub, Mul, Div, Mod, Pow, BitShift and the bitwise operators (hand-computed values).
final class ArithmeticTests: XCTestCase {
    func testFloatBroadcasting() throws {
        let a = EW.f([2, 3], [1, 2, 3, 4, 5, 6])
        EW.assertFloats(try EW.run("Add", [a, EW.f([10, 20, 30])]), [2, 3], [11, 22, 33, 14, 25, 36])
        EW.assertFloats(try EW.run("Sub", [EW.f([2, 1], [1, 2]), EW.f([10, 20, 30])]), [2, 3], [-9, -19, -29, -8, -18, -28])
        EW.assertFloats(try EW.run("Mul", [a, Tensor(scalar: Float(0.5))]), [2, 3], [0.5, 1, 1.5, 2, 2.5, 3])
        EW.assertFloats(try EW.run("Div", [Tensor(scalar: Float(1)), EW.f([2, 1], [4, -8])]), [2, 1], [0.25, -0.125])
        let byZero = try EW.run("Div", [EW.f([1, -1, 0]), EW.f([0, 0, 0])]).elements(as: Float.self)
        XCTAssertEqual(byZero[0], .infinity)
        XCTAssertEqual(byZero[1], -.infinity)
        XCTAssertTrue(byZero[2].isNaN)
    }

    func testDoubleAndRankZero() throws {
        let y = try EW.run("Mul", [Tensor(scalar: 3.0), Tensor(scalar: 0.25)])
        XCTAssertEqual(y.shape, [])
        XCTAssertEqual(y.elements(as: Double.self), [0.75])
    }

    func testIntegerArithmeticWraps() throws {
        XCTAssertEqual(try EW.run("Add", [EW.i([Int8(127), -128]), EW.i([Int8(1), -1])]).elements(as: Int8.self), [-128, 127])
        XCTAssertEqual(try EW.run("Sub", [EW.i([UInt8(0), 200]), EW.i([UInt8(1), 100])]).elements(as: UInt8.self), [255, 100])
        XCTAssertEqual(try EW.run("Mul", [EW.i([Int32(65536), -3]), EW.i([Int32(65536), 7])]).elements(as: Int32.self), [0, -21])
        XCTAssertEqual(try EW.run("Add", [EW.i([UInt64.max]), EW.i([UInt64(2)])]).elements(as: UInt64.self), [1])
    }

    func testIntegerDivisionTruncatesTowardZero() throws {
        let y = try EW.run("Div", [EW.i([Int32(7), -7, 7, -7, .min]), EW.i([Int32(2), 2, -2, -2, -1])])
        XCTAssertEqual(y.elements(as: Int32.self), [3, -3, -3, 3, .min])
        XCTAssertEqual(try EW.run("Div", [EW.i([UInt16(65535)]), EW.i([UInt16(256)])]).elements(as: UInt16.self), [255])
        EW.assertError(.execution) { _ = try EW.run("Div", [EW.i([Int64(1), 2]), EW.i([Int64(1), 0])]) }
    }

    func testMod() throws {
        let a = EW.i([Int32(7), -7, 7, -7]), b = EW.i([Int32(3), 3, -3, -3])
        // fmod = 0: the divisor's sign (Python %); fmod = 1: the dividend's (C fmod).
        XCTAssertEqual(try EW.run("Mod", [a, b]).elements(as: Int32.self), [1, 2, -2, -1])
        XCTAssertEqual(try EW.run("Mod", [a, b], ["fmod": .int(1)]).elements(as: Int32.self), [1, -1, 1, -1])
        XCTAssertEqual(try EW.run("Mod", [EW.i([UInt8(250)]), EW.i([UInt8(7)])]).elements(as: UInt8.self), [5])
        EW.assertFloats(try EW.run("Mod", [EW.f([7.5, -7.5]), EW.f([2, 2])], ["fmod": .int(1)]), [2], [1.5, -1.5])
        EW.assertFloats(try EW.run("Mod", [EW.f([-7.5, 7.5]), EW.f([2, -2])]), [2], [0.5, -0.5])
        EW.assertError(.execution) { _ = try EW.run("Mod", [EW.i([Int8(5)]), EW.i([Int8(0)])]) }
    }

    func testPowFloat() throws {
        EW.assertFloats(try EW.run("Pow", [EW.f([2, 3]), EW.f([3, 0.5])]), [2], [8, 1.7320508])
        // Scalar exponents 2 and 0.5 take exact fast paths.
        EW.assertFloats(try EW.run("Pow", [EW.f([-3, 1.5]), Tensor(scalar: Float(2))]), [2], [9, 2.25])
        EW.assertFloats(try EW.run("Pow", [EW.f([4, 9]), Tensor(scalar: Float(0.5))]), [2], [2, 3])
        XCTAssertTrue(try EW.run("Pow", [EW.f([-8]), EW.f([1.0 / 3])]).elements(as: Float.self)[0].isNaN)
    }

    func testPowMixedTypes() throws {
        // float32 ** int64, int32 ** float32 (truncated), int64 ** int64 (exact), negative exponents.
        EW.assertFloats(try EW.run("Pow", [EW.f([2, 4]), EW.i([Int64(3), -1])]), [2], [8, 0.25])
        XCTAssertEqual(try EW.run("Pow", [EW.i([Int32(2), 3]), EW.f([0.5, 2])]).elements(as: Int32.self), [1, 9])
        XCTAssertEqual(try EW.run("Pow", [EW.i([Int64(3), -2, 2]), EW.i([Int64(4), 3, 62])]).elements(as: Int64.self),
                       [81, -8, 4_611_686_018_427_387_904])
        XCTAssertEqual(try EW.run("Pow", [EW.i([Int32(2), 1, -1]), EW.i([Int32(-1), -3, -3])]).elements(as: Int32.self), [0, 1, -1])
        // Mixed types are an error before opset 12.
        EW.assertError(.shapeMismatch) { _ = try EW.run("Pow", [EW.f([2]), EW.i([Int64(3)])], opset: 11) }
    }

    func testPowHalfBaseKeepsHalfOutput() throws {
        let y = try EW.run("Pow", [EW.half([3, 0.5]), EW.f([2, 3])])
        XCTAssertEqual(y.dataType, .float16)
        XCTAssertEqual(EW.halfValues(y), [9, 0.125])
    }

    func testHalfPrecisionRoundsAtOutput() throws {
        // 1 + 2^-10 + 2^-11 is a tie in float16: rounds to the even neighbour 1 + 2^-9.
        let y = try EW.run("Add", [EW.half([1.0009765625, 2]), EW.half([0.00048828125, 65504])])
        XCTAssertEqual(y.dataType, .float16)
        XCTAssertEqual(EW.halfValues(y), [1.001953125, 65504])
    }

    func testLegacyBroadcastAttributes() throws {
        // Opset 6: B of shape [2] aligned with axis 0 of A [2, 3].
        let a = EW.f([2, 3], [0, 1, 2, 3, 4, 5])
        let y = try EW.run("Add", [a, EW.f([100, 200])], ["broadcast": .int(1), "axis": .int(0)], opset: 6)
        EW.assertFloats(y, [2, 3], [100, 101, 102, 203, 204, 205])
        // Without `axis`, B aligns with A's trailing axes.
        EW.assertFloats(try EW.run("Mul", [a, EW.f([1, 10, 100])], ["broadcast": .int(1)], opset: 6), [2, 3], [0, 10, 200, 3, 40, 500])
        EW.assertError(.shapeMismatch) { _ = try EW.run("Add", [a, EW.f([1, 2, 3])], opset: 6) }
    }

    func testShiftAndBitwise() throws {
        XCTAssertEqual(try EW.run("BitShift", [EW.i([UInt8(1), 255]), EW.i([UInt8(2), 1])], ["direction": .string("LEFT")])
            .elements(as: UInt8.self), [4, 254])
        XCTAssertEqual(try EW.run("BitShift", [EW.i([UInt32(16), 1]), EW.i([UInt32(2), 40])], ["direction": .string("RIGHT")])
            .elements(as: UInt32.self), [4, 0])
        let a = EW.i([Int32(12), -1]), b = EW.i([Int32(10), 5])
        XCTAssertEqual(try EW.run("BitwiseAnd", [a, b], opset: 18).elements(as: Int32.self), [8, 5])
        XCTAssertEqual(try EW.run("BitwiseOr", [a, b], opset: 18).elements(as: Int32.self), [14, -1])
        XCTAssertEqual(try EW.run("BitwiseXor", [a, b], opset: 18).elements(as: Int32.self), [6, -6])
        XCTAssertEqual(try EW.run("BitwiseNot", [EW.i([UInt8(0), 15])], opset: 18).elements(as: UInt8.self), [255, 240])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("BitwiseAnd", [EW.f([1]), EW.f([1])], opset: 18) }
        EW.assertError(.invalidNode) { _ = try EW.run("BitShift", [EW.i([UInt8(1)]), EW.i([UInt8(1)])]) }
    }

    func testInvalidInputs() throws {
        EW.assertError(.shapeMismatch) { _ = try EW.run("Add", [EW.f([1]), EW.i([Int32(1)])]) }
        EW.assertError(.shapeMismatch) { _ = try EW.run("Add", [EW.f([1, 2]), EW.f([1, 2, 3])]) }
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Add", [EW.b([true]), EW.b([false])]) }
    }

    /// Tensors large enough to be split across threads agree with a plain loop.
    func testLargeBroadcastMatchesReference() throws {
        let rows = 2100, cols = 1000
        let a = Tensor(shape: [rows, cols], floats: (0..<(rows * cols)).map { Float($0 % 1013) * 0.5 })
        let b = Tensor(shape: [cols], floats: (0..<cols).map { Float($0) - 500 })
        let sum = try EW.run("Add", [a, b]).elements(as: Float.self)
        let product = try EW.run("Mul", [a, a]).elements(as: Float.self)
        let av = a.elements(as: Float.self), bv = b.elements(as: Float.self)
        var mismatches = 0
        for k in 0..<(rows * cols) where sum[k] != av[k] + bv[k % cols] || product[k] != av[k] * av[k] { mismatches += 1 }
        XCTAssertEqual(mismatches, 0)
    }
}
