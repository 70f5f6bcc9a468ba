import XCTest
@testable import SEUOnnx

/// float32/float64 → 16-bit → float32 round trips follow IEEE rounding: nearest, ties to even.
final class FormatConversionTests: XCTestCase {
    private func half(_ v: Float) -> UInt16 { HalfPrecision.float16Bits(from: v) }
    private func brain(_ v: Float) -> UInt16 { HalfPrecision.bfloat16Bits(from: v) }

    func testFloat16RoundingTable() {
        XCTAssertEqual(half(1), 0x3C00)
        XCTAssertEqual(half(1 + 0x1p-11), 0x3C00)          // tie → even (1.0)
        XCTAssertEqual(half(1 + 3 * 0x1p-11), 0x3C02)      // tie → even (1 + 2^-9)
        XCTAssertEqual(half(1 + 0x1p-11 + 0x1p-20), 0x3C01) // above the tie
        XCTAssertEqual(half(65504), 0x7BFF)
        XCTAssertEqual(half(65519), 0x7BFF)
        XCTAssertEqual(half(65520), 0x7C00)                // tie between 65504 (odd) and 2^16 → inf
        XCTAssertEqual(half(0x1p-25), 0x0000)              // tie between 0 and the smallest subnormal
        XCTAssertEqual(half(3 * 0x1p-25), 0x0002)          // tie → even subnormal
        XCTAssertEqual(half(-0.0), 0x8000)
        XCTAssertEqual(half(.infinity), 0x7C00)
        XCTAssertTrue(HalfPrecision.float(fromFloat16: half(.nan)).isNaN)
    }

    func testBFloat16RoundingTable() {
        XCTAssertEqual(brain(1), 0x3F80)
        XCTAssertEqual(brain(1 + 0x1p-8), 0x3F80)          // tie → even
        XCTAssertEqual(brain(1 + 3 * 0x1p-8), 0x3F82)      // tie → even
        XCTAssertEqual(brain(1 + 0x1p-8 + 0x1p-20), 0x3F81)
        XCTAssertEqual(brain(.greatestFiniteMagnitude), 0x7F80)  // rounds up to inf
        XCTAssertEqual(brain(-2), 0xC000)
        // NaN stays NaN, quiet, with its sign, even when its payload is in the dropped half.
        XCTAssertEqual(brain(Float(bitPattern: 0x7F80_0001)), 0x7FC0)
        XCTAssertEqual(brain(Float(bitPattern: 0xFFC0_1234)), 0xFFC0)
    }

    func testFromDoubleRoundsOnce() {
        // Just above a bfloat16 tie, by less than float32 can hold: rounding through float32
        // first would land on the tie and round down.
        let value = 1 + 0x1p-8 + 0x1p-30
        XCTAssertEqual(Float(value), 1 + 0x1p-8)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(fromDouble: value), 0x3F81)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(fromDouble: 1 + 0x1p-8), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(fromDouble: -(1 + 0x1p-8 + 0x1p-30)), 0xBF81)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(fromDouble: 1e300), 0x7F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(fromDouble: 1e-300), 0x0000)
        XCTAssertEqual(HalfPrecision.float16Bits(fromDouble: 1 + 0x1p-11 + 0x1p-40), 0x3C01)
    }

    func testTensorRoundTripsEqualTheRoundingRules() throws {
        var generator = SeededGenerator(seed: 7)
        let values = (0..<4096).map { _ in Float(generator.nextGaussian()) * Float(1 << (generator.nextIndex(below: 40))) * 0x1p-20 }
        let source = Tensor(shape: [values.count], floats: values)
        let viaHalf = try source.converted(to: .float16).converted(to: .float)
        let viaBrain = try source.converted(to: .bfloat16).converted(to: .float)
        let viaDouble = try source.converted(to: .double).converted(to: .float)
        for (i, v) in values.enumerated() {
            XCTAssertEqual(viaHalf.floats[i].bitPattern, Float(Float16(v)).bitPattern, "float16 \(v)")
            // bfloat16 by hand: keep the upper half, rounding the lower half to nearest even.
            let bits = v.bitPattern, lower = bits & 0xFFFF, upper = bits >> 16
            let roundUp = lower > 0x8000 || (lower == 0x8000 && upper & 1 == 1)
            XCTAssertEqual(viaBrain.floats[i].bitPattern, (upper + (roundUp ? 1 : 0)) << 16, "bfloat16 \(v)")
            XCTAssertEqual(viaDouble.floats[i].bitPattern, v.bitPattern)
        }
        // Converting a 16-bit tensor to the other 16-bit format goes through the exact value.
        let crossed = try source.converted(to: .float16).converted(to: .bfloat16)
        XCTAssertEqual(crossed.pointer(as: UInt16.self)[3], brain(Float(Float16(values[3]))))
        XCTAssertThrowsError(try Tensor(shape: [1], elements: [Int8(1)]).converted(to: .float16)) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .unsupportedDataType)
        }
    }
}
