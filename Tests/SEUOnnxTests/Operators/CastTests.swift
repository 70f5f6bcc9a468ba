import XCTest
@testable import SEUOnnx

/// Cast and CastLike between float, integer, 16-bit float and bool types.
final class CastTests: XCTestCase {
    func cast(_ x: Tensor, to type: DataType, opset: Int = 19) throws -> Tensor {
        let y = try EW.run("Cast", [x], ["to": .int(Int(type.rawValue))], opset: opset)
        XCTAssertEqual(y.dataType, type)
        XCTAssertEqual(y.shape, x.shape)
        return y
    }

    func testFloatToInteger() throws {
        XCTAssertEqual(try cast(EW.f([1.9, -1.9, .nan]), to: .int32).elements(as: Int32.self), [1, -1, 0])
        // Truncate toward zero, then wrap to the target width (NumPy on x86).
        XCTAssertEqual(try cast(EW.f([300, -1, 255.9]), to: .uint8).elements(as: UInt8.self), [44, 255, 255])
        XCTAssertEqual(try cast(EW.d([1e19]), to: .uint64).elements(as: UInt64.self), [10_000_000_000_000_000_000])
        XCTAssertEqual(try cast(EW.d([-2.5]), to: .int64).elements(as: Int64.self), [-2])
    }

    func testBool() throws {
        XCTAssertEqual(try cast(EW.f([0, -0.0, 0.5, .nan]), to: .bool).elements(as: Bool.self), [false, false, true, true])
        XCTAssertEqual(try cast(EW.i([Int32(0), -7]), to: .bool).elements(as: Bool.self), [false, true])
        EW.assertFloats(try cast(EW.b([true, false]), to: .float), [2], [1, 0])
        XCTAssertEqual(try cast(EW.b([true, false]), to: .int64).elements(as: Int64.self), [1, 0])
        XCTAssertEqual(EW.halfValues(try cast(EW.b([true]), to: .float16)), [1])
    }

    func testIntegerToInteger() throws {
        XCTAssertEqual(try cast(EW.i([Int64(300), -129]), to: .int8).elements(as: Int8.self), [44, 127])
        XCTAssertEqual(try cast(EW.i([UInt64.max]), to: .int64).elements(as: Int64.self), [-1])
        XCTAssertEqual(try cast(EW.i([Int8(-1)]), to: .uint16).elements(as: UInt16.self), [65535])
    }

    func testIntegerToFloat() throws {
        // 2^53 + 1 rounds to 2^53 in float32 (and in float64).
        XCTAssertEqual(try cast(EW.i([Int64(9_007_199_254_740_993)]), to: .float).elements(as: Float.self), [9_007_199_254_740_992])
        XCTAssertEqual(try cast(EW.i([UInt64.max]), to: .double).elements(as: Double.self), [18_446_744_073_709_551_616])
        XCTAssertEqual(try cast(EW.d([0.1]), to: .float).elements(as: Float.self), [Float(0.1)])
    }

    func testFloat16() throws {
        // 65519 rounds down to the largest finite 65504; 65520 rounds up to infinity;
        // 1.5 * 2^-24 is a tie between the subnormals 2^-24 (odd) and 2^-23 (even).
        let y = try cast(EW.f([65504, 65519, 65520, 1e-8, 1.5 * 0x1p-24, -2.5]), to: .float16)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: y.pointer(as: UInt16.self), count: 6)),
                       [0x7BFF, 0x7BFF, 0x7C00, 0x0000, 0x0002, 0xC100])
        let back = try cast(y, to: .float)
        EW.assertFloats(back, [6], [65504, 65504, .infinity, 0, 0x1p-23, -2.5])
        XCTAssertEqual(try cast(EW.half([0.333251953125]), to: .double).elements(as: Double.self), [0.333251953125])
        XCTAssertEqual(EW.halfValues(try cast(EW.d([1 + 0x1p-11 + 0x1p-40]), to: .float16)), [1 + 0x1p-10])
    }

    func testBFloat16() throws {
        // 1 + 2^-8 is a tie in bfloat16: stays at the even 1.0; just above the tie rounds up.
        let y = try cast(EW.f([1.00390625, Float(1.00390625).nextUp]), to: .bfloat16)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: y.pointer(as: UInt16.self), count: 2)), [0x3F80, 0x3F81])
        // From float64, one rounding: float32 would first drop the 2^-40 and make it a tie.
        let z = try cast(EW.d([1 + 0x1p-8 + 0x1p-40]), to: .bfloat16)
        XCTAssertEqual(z.pointer(as: UInt16.self)[0], 0x3F81)
        EW.assertFloats(try cast(y, to: .float), [2], [1, 1.0078125])
    }

    func testOpsetOneTypeNameAndCastLike() throws {
        let y = try EW.run("Cast", [EW.i([Int32(3)])], ["to": .string("FLOAT")], opset: 1)
        EW.assertFloats(y, [1], [3])
        let like = try EW.run("CastLike", [EW.f([1.7, -2.2]), EW.i([Int64(0)])], opset: 15)
        XCTAssertEqual(like.elements(as: Int64.self), [1, -2])
        let same = try cast(EW.f([1.25]), to: .float)
        EW.assertFloats(same, [1], [1.25])
    }

    func testUnsupportedTargets() throws {
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Cast", [EW.f([1])], ["to": .int(17)], opset: 19) }
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Cast", [EW.f([1])], ["to": .int(8)], opset: 19) }
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Cast", [EW.f([1])], ["to": .string("FLOAT8")], opset: 1) }
        EW.assertError(.invalidNode) { _ = try EW.run("Cast", [EW.f([1])], opset: 19) }
    }

    /// The branch-free float16 conversions agree with the reference ones: every float16 value
    /// widened, and a spread of float32 bit patterns narrowed (NaN only up to its payload).
    func testFastHalfMatchesReference() {
        var mismatches = 0
        for h in 0...0xFFFF {
            let a = FastHalf.float(fromBits: UInt16(h)), b = HalfPrecision.float(fromFloat16: UInt16(h))
            if !(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)) { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0, "widening")
        var patterns: [UInt32] = [0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x477F_E000, 0x477F_EFFF, 0x477F_F000]
        var bits: UInt32 = 3
        while bits < 0xFFFF_0000 { patterns.append(bits); bits &+= 65_521 }
        for raw in patterns {
            let f = Float(bitPattern: raw)
            let a = FastHalf.bits(from: f), b = HalfPrecision.float16Bits(from: f)
            let bothNaN = HalfPrecision.float(fromFloat16: a).isNaN && HalfPrecision.float(fromFloat16: b).isNaN && (a ^ b) & 0x8000 == 0
            if a != b && !bothNaN { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0, "narrowing")
    }
}
