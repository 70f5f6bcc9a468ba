import XCTest
@testable import SEUOnnx

/// Activation functions (hand-computed values; NaN propagates as in PyTorch).
final class ActivationTests: XCTestCase {
    let nan = Float.nan

    func testRelu() throws {
        EW.assertFloats(try EW.run("Relu", [EW.f([-1, 0, 2, nan, -.infinity, .infinity])]), [6], [0, 0, 2, nan, 0, .infinity])
        XCTAssertEqual(try EW.run("Relu", [EW.i([Int8(-5), 3])], opset: 14).elements(as: Int8.self), [0, 3])
        XCTAssertEqual(try EW.run("Relu", [EW.d([-0.5, 0.5])]).elements(as: Double.self), [0, 0.5])
        EW.assertError(.unsupportedDataType) { _ = try EW.run("Relu", [EW.i([UInt8(1)])]) }
    }

    func testLeakyReluEluSeluCelu() throws {
        EW.assertFloats(try EW.run("LeakyRelu", [EW.f([-2, 3, nan])]), [3], [-0.02, 3, nan])
        EW.assertFloats(try EW.run("LeakyRelu", [EW.f([-1])], ["alpha": .float(0.1)]), [1], [-0.1])
        EW.assertFloats(try EW.run("Elu", [EW.f([-1, 2, nan])]), [3], [-0.63212056, 2, nan])
        EW.assertFloats(try EW.run("Elu", [EW.f([-1])], ["alpha": .float(2)]), [1], [-1.2642411])
        EW.assertFloats(try EW.run("Selu", [EW.f([1, -1, 0])]), [3], [1.0507010, -1.1113307, 0])
        EW.assertFloats(try EW.run("Celu", [EW.f([-2, 3])], ["alpha": .float(2)]), [2], [-1.2642411, 3])
    }

    func testSigmoidFamily() throws {
        EW.assertFloats(try EW.run("Sigmoid", [EW.f([0, 1, -1, 100, -100, nan])]), [6], [0.5, 0.7310586, 0.26894143, 1, 0, nan])
        EW.assertFloats(try EW.run("HardSigmoid", [EW.f([-3, 0, 1, 3, nan])]), [5], [0, 0.5, 0.7, 1, nan])
        EW.assertFloats(try EW.run("HardSigmoid", [EW.f([1])], ["alpha": .float(0.5), "beta": .float(0.25)]), [1], [0.75])
        EW.assertFloats(try EW.run("HardSwish", [EW.f([-4, -1, 0, 1, 4, nan])]), [6], [0, -0.33333334, 0, 0.6666667, 4, nan])
        EW.assertFloats(try EW.run("Swish", [EW.f([1, -2])], ["alpha": .float(0.5)], opset: 24), [2], [0.62245935, -0.53788284])
        let sigmoid = try EW.run("Sigmoid", [EW.d([1, -1])]).elements(as: Double.self)
        XCTAssertEqual(sigmoid[0], 0.7310585786300049, accuracy: 1e-15)
        XCTAssertEqual(sigmoid[1], 0.2689414213699951, accuracy: 1e-15)
    }

    func testTanhSoftplusSoftsignMish() throws {
        let tanh = try EW.run("Tanh", [EW.f([0, 0.5, -2, 20, nan, -0.0])]).elements(as: Float.self)
        assertClose(Array(tanh[0..<5]), [0, 0.46211716, -0.9640276, 1, nan])
        XCTAssertEqual(tanh[5].sign, .minus, "tanh(-0) = -0")
        EW.assertFloats(try EW.run("Softplus", [EW.f([0, 1, -1, 100, -100])]), [5], [0.6931472, 1.3132617, 0.31326169, 100, 0])
        EW.assertFloats(try EW.run("Softsign", [EW.f([1, -3, 0])]), [3], [0.5, -0.75, 0])
        EW.assertFloats(try EW.run("Mish", [EW.f([1, -1, 3])], opset: 18), [3], [0.8650984, -0.30340146, 2.986535])
    }

    func testGelu() throws {
        EW.assertFloats(try EW.run("Gelu", [EW.f([1, -1, 2])], opset: 20), [3], [0.84134475, -0.15865526, 1.9544997])
        EW.assertFloats(try EW.run("Gelu", [EW.f([1, -1, 2])], ["approximate": .string("tanh")], opset: 20), [3],
                        [0.84119199, -0.15880801, 1.9545977])
        EW.assertError(.invalidNode) { _ = try EW.run("Gelu", [EW.f([1])], ["approximate": .string("fast")], opset: 20) }
        // Gelu exists from opset 20 only.
        EW.assertError(.unsupportedOperator) { _ = try EW.run("Gelu", [EW.f([1])], opset: 19) }
    }

    func testThresholdedReluAndShrink() throws {
        EW.assertFloats(try EW.run("ThresholdedRelu", [EW.f([0.5, 1, 2, nan])]), [4], [0, 0, 2, nan])
        EW.assertFloats(try EW.run("Shrink", [EW.f([-2, -1, 0, 1, 2, nan])], ["lambd": .float(1.5), "bias": .float(0.5)]), [6],
                        [-1.5, 0, 0, 0, 1.5, nan])
    }

    func testPReluBroadcastsSlope() throws {
        let x = EW.f([2, 3], [-1, -2, 3, -4, 5, -6])
        EW.assertFloats(try EW.run("PRelu", [x, EW.f([0.1, 0.2, 0.3])]), [2, 3], [-0.1, -0.4, 3, -0.4, 5, -1.8])
        EW.assertFloats(try EW.run("PRelu", [x, EW.f([2, 1], [0.5, 2])]), [2, 3], [-0.5, -1, 3, -8, 5, -12])
        XCTAssertEqual(try EW.run("PRelu", [EW.i([Int32(-3), 4]), EW.i([Int32(2)])], opset: 16).elements(as: Int32.self), [-6, 4])
        // Opset 6: a slope of C values applies along axis 1.
        let legacy = try EW.run("PRelu", [EW.f([1, 2, 2], [-1, -2, -3, 4]), EW.f([0.5, 2])], opset: 6)
        EW.assertFloats(legacy, [1, 2, 2], [-0.5, -1, -6, 4])
        // The slope may not grow X's shape.
        EW.assertError(.shapeMismatch) { _ = try EW.run("PRelu", [EW.f([1, 2, 3]), EW.f([2, 3], [1, 1, 1, 1, 1, 1])]) }
    }

    func testHalfPrecisionActivation() throws {
        let y = try EW.run("Sigmoid", [EW.half([0, 2])])
        XCTAssertEqual(y.dataType, .float16)
        // sigmoid(2) = 0.880797 → nearest float16 0.880859375.
        XCTAssertEqual(EW.halfValues(y), [0.5, 0.880859375])
    }

    /// The vectorised float32 exp / sigmoid / tanh against libm, over the whole range.
    func testFastMathMatchesLibm() {
        func ulps(_ a: Float, _ b: Float) -> Int {
            if a == b || (a.isNaN && b.isNaN) { return 0 }
            if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite { return .max }
            return abs(Int(Int32(bitPattern: a.bitPattern)) - Int(Int32(bitPattern: b.bitPattern)))
        }
        var worst = (exp: 0, sigmoid: 0, tanh: 0)
        var x: Float = -110
        while x < 95 {
            let e = Float.exp(x)
            if e.isNormal || e.isInfinite { worst.exp = max(worst.exp, ulps(FastMath.exp(x), e)) }
            if abs(x) < 80 { worst.sigmoid = max(worst.sigmoid, ulps(FastMath.sigmoid(x), Float(1 / (1 + Double.exp(-Double(x)))))) }
            worst.tanh = max(worst.tanh, ulps(FastMath.tanh(x), Float.tanh(x)))
            x += abs(x) < 1 ? 0.000_37 : 0.0137
        }
        XCTAssertLessThanOrEqual(worst.exp, 2)
        XCTAssertLessThanOrEqual(worst.sigmoid, 3)
        XCTAssertLessThanOrEqual(worst.tanh, 2)
        // Tails and specials: subnormal and infinite exp, saturated sigmoid/tanh, NaN.
        XCTAssertEqual(FastMath.exp(-90), Float.exp(-90))
        XCTAssertEqual(FastMath.exp(-104), 0)
        XCTAssertEqual(FastMath.exp(89), .infinity)
        XCTAssertEqual(FastMath.exp(-.infinity), 0)
        XCTAssertEqual(FastMath.exp(.infinity), .infinity)
        XCTAssertTrue(FastMath.exp(.nan).isNaN)
        XCTAssertEqual(FastMath.sigmoid(-.infinity), 0)
        XCTAssertEqual(FastMath.sigmoid(.infinity), 1)
        XCTAssertTrue(FastMath.sigmoid(.nan).isNaN)
        XCTAssertEqual(FastMath.tanh(-.infinity), -1)
        XCTAssertEqual(FastMath.tanh(1e-30), 1e-30)
        XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    }
}
