import XCTest
@testable import SEUOnnx

/// Flip tables per storage format, on raw bits, positions from the MSB.
final class FormatFlipTests: XCTestCase {
    /// Flips `bit` of a one-element tensor of `type` holding `pattern`; returns the new pattern
    /// and value, and checks that a second flip restores the pattern.
    private func flip(_ type: DataType, _ pattern: UInt64, bit: Int, file: StaticString = #filePath, line: UInt = #line) -> (UInt64, Double) {
        let tensor = Tensor(dataType: type, shape: [1])
        let bytes = tensor.storage.bytes.assumingMemoryBound(to: UInt8.self)
        for b in 0..<type.byteWidth { bytes[b] = UInt8(truncatingIfNeeded: pattern >> (8 * UInt64(b))) }
        tensor.flipBit(at: bit, ofElement: 0)
        let result = (tensor.bitPattern(ofElement: 0), tensor.doubleValue(at: 0))
        tensor.flipBit(at: bit, ofElement: 0)
        XCTAssertEqual(tensor.bitPattern(ofElement: 0), pattern, "second flip restores", file: file, line: line)
        return result
    }

    func testFloat16Table() {
        // 1.0 = 0x3C00 = 0 01111 0000000000.
        XCTAssertEqual(flip(.float16, 0x3C00, bit: 0).0, 0xBC00)   // -1
        XCTAssertEqual(flip(.float16, 0x3C00, bit: 1).0, 0x7C00)   // +inf
        XCTAssertEqual(flip(.float16, 0x3C00, bit: 1).1, .infinity)
        XCTAssertEqual(flip(.float16, 0x3C00, bit: 5).1, 0.5)      // exponent LSB: 15 → 14
        XCTAssertEqual(flip(.float16, 0x3C00, bit: 6).1, 1.5)      // mantissa MSB
        XCTAssertEqual(flip(.float16, 0x3C00, bit: 15).1, 1 + 1.0 / 1024)
        // The largest finite value, 65504 = 0x7BFF: its exponent LSB makes it NaN.
        XCTAssertTrue(flip(.float16, 0x7BFF, bit: 5).1.isNaN)
        XCTAssertEqual(flip(.float16, 0x7BFF, bit: 5).0, 0x7FFF)
    }

    func testBFloat16Table() {
        // 1.0 = 0x3F80 = 0 01111111 0000000.
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 0).1, -1)
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 1).0, 0x7F80)  // +inf
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 1).1, .infinity)
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 8).1, 0.5)
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 9).1, 1.5)
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 15).1, 1 + 1.0 / 128)
        // Same exponent as float32: bit 2 of 1.0 gives 2^-64 (exponent 127 → 63).
        XCTAssertEqual(flip(.bfloat16, 0x3F80, bit: 2).1, 0x1p-64)
    }

    func testFloat64Table() {
        let one: UInt64 = 0x3FF0_0000_0000_0000
        XCTAssertEqual(flip(.double, one, bit: 0).1, -1)
        XCTAssertEqual(flip(.double, one, bit: 1).1, .infinity)
        XCTAssertEqual(flip(.double, one, bit: 11).1, 0.5)
        XCTAssertEqual(flip(.double, one, bit: 12).1, 1.5)
        XCTAssertEqual(flip(.double, one, bit: 63).1, 1 + 0x1p-52)
    }

    func testSubnormals() {
        // float16: the smallest subnormal 2^-24 (0x0001) loses its only bit; +0 gains 2^-15.
        XCTAssertEqual(flip(.float16, 0x0001, bit: 15).1, 0)
        XCTAssertEqual(flip(.float16, 0x0000, bit: 6).1, 0x1p-15)
        // Setting the exponent LSB of a subnormal makes it normal: 2^-14 · (1 + 2^-10).
        XCTAssertEqual(flip(.float16, 0x0001, bit: 5).1, 0x1p-14 * (1 + 0x1p-10))
        // bfloat16 subnormals are float32 subnormals: 0x0001 = 2^-133.
        XCTAssertEqual(flip(.bfloat16, 0x0000, bit: 15).1, 0x1p-133)
        XCTAssertEqual(flip(.bfloat16, 0x0040, bit: 9).1, 0)        // 2^-127 → 0
        // float64: the smallest subnormal 5e-324.
        XCTAssertEqual(flip(.double, 0, bit: 63).1, Double.leastNonzeroMagnitude)
    }

    func testNaNPayloadsAreExact() {
        // Signalling NaNs with payloads stay exactly as flipped (no quieting conversion).
        XCTAssertEqual(flip(.float16, 0x7D01, bit: 15).0, 0x7D00)
        XCTAssertEqual(flip(.float16, 0x7D01, bit: 0).0, 0xFD01)
        XCTAssertEqual(flip(.float16, 0x7D01, bit: 6).0, 0x7F01)
        XCTAssertEqual(flip(.bfloat16, 0x7F81, bit: 0).0, 0xFF81)
        // Clearing bfloat16's exponent MSB turns the NaN into a number: 0x3F81 = 1 + 2^-7.
        XCTAssertEqual(flip(.bfloat16, 0x7F81, bit: 1).1, 1 + 1.0 / 128)
        XCTAssertEqual(flip(.double, 0x7FF0_0000_0000_0001, bit: 63).0, 0x7FF0_0000_0000_0000)  // → +inf
    }

    func testInt8TwosComplement() {
        XCTAssertEqual(flip(.int8, 0x01, bit: 0).1, -127)  // sign bit: 0x81
        XCTAssertEqual(flip(.int8, 0xFF, bit: 0).1, 127)   // -1 → 0x7F
        XCTAssertEqual(flip(.int8, 0x00, bit: 1).1, 64)
        XCTAssertEqual(flip(.int8, 0x00, bit: 7).1, 1)
        XCTAssertEqual(flip(.int8, 0x80, bit: 0).1, 0)     // -128 → 0
        XCTAssertEqual(flip(.uint8, 0x00, bit: 0).1, 128)  // no sign in uint8
        XCTAssertEqual(BitLayout(.int8).field(of: 0), "sign")
        XCTAssertEqual(BitLayout(.int8).field(of: 5), "value")
        XCTAssertEqual(BitLayout(.uint8).field(of: 0), "value")
        XCTAssertEqual(BitLayout(.int32).width, 32)
    }

    func testFieldNamesResolvePerFormat() throws {
        func positions(_ text: String, _ type: DataType) throws -> [Int] { try BitSelection(parsing: text).positions(for: type, tensor: "w") }
        XCTAssertEqual(try positions("sign", .float16), [0])
        XCTAssertEqual(try positions("exponent", .float16), Array(1...5))
        XCTAssertEqual(try positions("mantissa", .float16), Array(6...15))
        XCTAssertEqual(try positions("all", .float16), Array(0...15))
        XCTAssertEqual(try positions("exponent", .bfloat16), Array(1...8))
        XCTAssertEqual(try positions("mantissa", .bfloat16), Array(9...15))
        XCTAssertEqual(try positions("1-8", .bfloat16), Array(1...8))
        XCTAssertEqual(try positions("exponent", .double), Array(1...11))
        XCTAssertEqual(try positions("mantissa", .double), Array(12...63))
        XCTAssertEqual(try positions("sign,value", .int8), Array(0...7))
        XCTAssertEqual(try positions("value", .uint8), Array(0...7))
        XCTAssertEqual(try positions("all", .int32), Array(0...31))
        func kind(_ body: () throws -> Void) -> SEUError.Kind? {
            do { try body() } catch let error as SEUError { return error.kind } catch { return nil }
            return nil
        }
        XCTAssertEqual(kind { _ = try positions("16", .float16) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try positions("1-16", .bfloat16) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try positions("exponent", .int8) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try positions("sign", .uint8) }, .invalidArgument)
        // In a campaign over several tensors, a field a type lacks selects nothing there.
        XCTAssertEqual(try BitSelection(parsing: "exponent").positions(for: .int8, tensor: "w", skippingMissingFields: true), [])
    }
}
