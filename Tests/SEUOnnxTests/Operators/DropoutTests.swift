import XCTest
@testable import SEUOnnx

/// Dropout: identity at inference (every opset), NumPy-seeded masks in training mode (opset 12+).
final class DropoutTests: XCTestCase {
    let x = EW.f([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    func testInferenceIsIdentityWithTrueMask() throws {
        let outputs = try GraphRunner.run("Dropout", inputs: [x, Tensor(scalar: Float(0.3))], outputCount: 2, opset: 13)
        XCTAssertEqual(outputs[0].elements(as: Float.self), x.elements(as: Float.self))
        XCTAssertEqual(outputs[1].dataType, .bool)
        XCTAssertEqual(outputs[1].elements(as: Bool.self), Array(repeating: true, count: 10))
        let single = try GraphRunner.run("Dropout", inputs: [x], opset: 13)
        XCTAssertEqual(single.count, 1)
        XCTAssertEqual(single[0].elements(as: Float.self), x.elements(as: Float.self))
    }

    func testMaskTypeByOpset() throws {
        // Opsets 7–9: the mask has X's type; the ratio attribute is ignored at inference.
        let old = try GraphRunner.run("Dropout", inputs: [x], attributes: ["ratio": .float(0.5)], outputCount: 2, opset: 7)
        XCTAssertEqual(old[0].elements(as: Float.self), x.elements(as: Float.self))
        XCTAssertEqual(old[1].dataType, .float)
        XCTAssertEqual(old[1].elements(as: Float.self), Array(repeating: 1, count: 10))
        XCTAssertEqual(try GraphRunner.run("Dropout", inputs: [x], outputCount: 2, opset: 10)[1].dataType, .bool)
        // Opset 6 and before: is_test is accepted and ignored.
        let legacy = try GraphRunner.run("Dropout", inputs: [x], attributes: ["is_test": .int(0)], opset: 6)
        XCTAssertEqual(legacy[0].elements(as: Float.self), x.elements(as: Float.self))
    }

    func testTrainingModeMatchesNumPy() throws {
        // np.random.seed(0); np.random.uniform(0, 1, 10) =
        // [.5488, .7152, .6028, .5449, .4237, .6459, .4376, .8918, .9637, .3834]: kept where >= 0.5.
        let outputs = try GraphRunner.run("Dropout", inputs: [x, Tensor(scalar: Float(0.5)), Tensor(scalar: true)],
                                          attributes: ["seed": .int(0)], outputCount: 2, opset: 13)
        XCTAssertEqual(outputs[0].elements(as: Float.self), [2, 4, 6, 8, 0, 12, 0, 16, 18, 0])
        XCTAssertEqual(outputs[1].elements(as: Bool.self), [true, true, true, true, false, true, false, true, true, false])
        // Training with ratio 0 keeps everything; ratio 1 is invalid.
        let zero = try GraphRunner.run("Dropout", inputs: [x, Tensor(scalar: Float(0)), Tensor(scalar: true)], opset: 13)
        XCTAssertEqual(zero[0].elements(as: Float.self), x.elements(as: Float.self))
        EW.assertError(.execution) {
            _ = try GraphRunner.run("Dropout", inputs: [x, Tensor(scalar: Float(1)), Tensor(scalar: true)], opset: 13)
        }
    }

    func testHalfDataIsCopiedBitForBit() throws {
        let h = Tensor(dataType: .float16, shape: [2])
        h.pointer(as: UInt16.self).update(from: [0x7E01, 0x3555], count: 2)
        let y = try GraphRunner.run("Dropout", inputs: [h], opset: 13)[0]
        XCTAssertEqual(y.dataType, .float16)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: y.pointer(as: UInt16.self), count: 2)), [0x7E01, 0x3555])
    }

    func testMersenneTwisterMatchesNumPy() {
        // np.random.seed(42); np.random.uniform(0, 1, 3)
        var generator = MersenneTwister(seed: 42)
        let values = (0..<3).map { _ in generator.nextDouble() }
        XCTAssertEqual(values, [0.3745401188473625, 0.9507143064099162, 0.7319939418114051])
    }
}
