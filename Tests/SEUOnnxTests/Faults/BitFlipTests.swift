import XCTest
@testable import SEUOnnx

/// Bit positions count from the MSB; flips act on raw bits in each stored layout.
final class BitFlipTests: XCTestCase {
    func testFloat32FlipTableFromTheMostSignificantBit() {
        XCTAssertEqual(BitFlip.flipping(1.0, bit: 0), -1.0)
        XCTAssertEqual(BitFlip.flipping(1.0, bit: 1), .infinity)
        XCTAssertEqual(BitFlip.flipping(1.0, bit: 9), 1.5)
        XCTAssertEqual(BitFlip.flipping(1.0, bit: 31), 1 + Float.ulpOfOne)
        XCTAssertEqual(BitFlip.flipping(1.0, bit: 8).bitPattern, 0x3F00_0000)  // 0.5
        XCTAssertEqual(BitFlip.flipping(-2.0, bit: 0), 2.0)
    }

    func testTensorFlipMatchesTableAndRestoresExactly() {
        let tensor = Tensor(shape: [4], floats: [1, 1, 1, 1])
        for (i, bit) in [0, 1, 9, 31].enumerated() { tensor.flipBit(at: bit, ofElement: i) }
        XCTAssertEqual(tensor.elements(as: Float.self), [-1, .infinity, 1.5, 1 + Float.ulpOfOne])
        XCTAssertEqual(tensor.bitPattern(ofElement: 1), 0x7F80_0000)
        for (i, bit) in [0, 1, 9, 31].enumerated() { tensor.flipBit(at: bit, ofElement: i) }
        XCTAssertEqual(tensor.elements(as: Float.self), [1, 1, 1, 1])
    }

    func testNaNPayloadStaysExact() {
        // A signalling NaN with a payload: conversions through Double would quieten it.
        let pattern: UInt32 = 0x7FA0_0001
        let tensor = Tensor(shape: [1], floats: [Float(bitPattern: pattern)])
        tensor.flipBit(at: 31, ofElement: 0)
        XCTAssertEqual(tensor.bitPattern(ofElement: 0), 0x7FA0_0000)
        tensor.flipBit(at: 0, ofElement: 0)
        XCTAssertEqual(tensor.bitPattern(ofElement: 0), 0xFFA0_0000)
        tensor.flipBit(at: 0, ofElement: 0)
        tensor.flipBit(at: 31, ofElement: 0)
        XCTAssertEqual(tensor.bitPattern(ofElement: 0), UInt64(pattern))
    }

    func testSixteenBitLayouts() {
        // float16 1.0 = 0x3C00: bit 1 (exponent MSB) → 0x7C00 = +inf; bit 6 (mantissa MSB) → 1.5.
        let half = Tensor(dataType: .float16, shape: [2])
        half.pointer(as: UInt16.self)[0] = 0x3C00
        half.pointer(as: UInt16.self)[1] = 0x3C00
        half.flipBit(at: 1, ofElement: 0)
        half.flipBit(at: 6, ofElement: 1)
        XCTAssertEqual(half.bitPattern(ofElement: 0), 0x7C00)
        XCTAssertEqual(half.doubleValue(at: 0), .infinity)
        XCTAssertEqual(half.doubleValue(at: 1), 1.5)
        // bfloat16 1.0 = 0x3F80: bit 1 → 0x7F80 = +inf; bit 15 → 1 + 2^-7.
        let brain = Tensor(dataType: .bfloat16, shape: [2])
        brain.pointer(as: UInt16.self)[0] = 0x3F80
        brain.pointer(as: UInt16.self)[1] = 0x3F80
        brain.flipBit(at: 1, ofElement: 0)
        brain.flipBit(at: 15, ofElement: 1)
        XCTAssertEqual(brain.doubleValue(at: 0), .infinity)
        XCTAssertEqual(brain.doubleValue(at: 1), 1 + 1.0 / 128)
    }

    func testFieldsPerFormat() throws {
        XCTAssertEqual(try BitSelection(parsing: "exponent").positions(for: .float, tensor: "w"), Array(1...8))
        XCTAssertEqual(try BitSelection(parsing: "exponent").positions(for: .float16, tensor: "w"), Array(1...5))
        XCTAssertEqual(try BitSelection(parsing: "mantissa").positions(for: .bfloat16, tensor: "w"), Array(9...15))
        XCTAssertEqual(try BitSelection(parsing: "sign,30-31,1").positions(for: .float, tensor: "w"), [0, 1, 30, 31])
        XCTAssertEqual(BitLayout(.float).field(of: 9), "mantissa")
        XCTAssertThrowsError(try BitSelection(parsing: "40").positions(for: .float, tensor: "w")) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try BitSelection(parsing: "1..8")) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidArgument)
        }
        // A reversed range is named as such, not as unreadable.
        XCTAssertThrowsError(try BitSelection(parsing: "8-1")) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidArgument)
            XCTAssertTrue("\(error)".contains("reversed"), "\(error)")
        }
        XCTAssertThrowsError(try FaultListing.parseRows("5-2")) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidArgument)
            XCTAssertTrue("\(error)".contains("reversed"), "\(error)")
        }
    }

    func testGlobPatterns() {
        XCTAssertTrue(Glob.matches("layer1.0.conv1.weight", pattern: "layer1.*.weight"))
        XCTAssertTrue(Glob.matches("conv1.weight", pattern: "conv?.weight"))
        XCTAssertTrue(Glob.matches("fc2.bias", pattern: "fc[12].*"))
        XCTAssertFalse(Glob.matches("fc3.bias", pattern: "fc[12].*"))
        XCTAssertFalse(Glob.matches("conv1.weight", pattern: "conv1"))
        XCTAssertTrue(Glob.matches("anything", pattern: "*"))
    }
}
