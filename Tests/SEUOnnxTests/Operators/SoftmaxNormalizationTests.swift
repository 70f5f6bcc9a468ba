import XCTest
@testable import SEUOnnx

/// Softmax family (the opset < 13 2-D coercion versus the single axis from 13) and the
/// normalisation operators, against onnxruntime values.
final class SoftmaxNormalizationTests: XCTestCase {
    /// 0.25·(0...23) − 2 as 2×3×4.
    let s3 = Tensor(shape: [2, 3, 4], floats: (0..<24).map { Float($0) * 0.25 - 2 })

    func testSoftmaxBeforeOpset13CoercesTo2D() throws {
        let y = try GraphRunner.run("Softmax", inputs: [s3], attributes: ["axis": .int(1)], opset: 11)[0]
        let row: [Float] = [0.014881710, 0.019108495, 0.024535794, 0.031504579, 0.040452681, 0.051942274,
                            0.066695198, 0.085638329, 0.10996179, 0.14119373, 0.18129635, 0.23278911]
        assertTensor(y, shape: [2, 3, 4], row + row, tolerance: 1e-6)
    }

    func testSoftmaxFromOpset13UsesOneAxis() throws {
        let y = try GraphRunner.run("Softmax", inputs: [s3], attributes: ["axis": .int(1)], opset: 13)[0]
        let column: [Float] = [0.09003057, 0.24472847, 0.66524094]
        let expected = (0..<2).flatMap { _ in column.flatMap { [Float](repeating: $0, count: 4) } }
        assertTensor(y, shape: [2, 3, 4], expected, tolerance: 1e-6)
    }

    func testLogSoftmaxOpset1DefaultAxisAndHardmax() throws {
        let y = try GraphRunner.run("LogSoftmax", inputs: [s3], opset: 1)[0]
        let row = (0..<12).map { Float($0) * 0.25 - 4.2076225 }
        assertTensor(y, shape: [2, 3, 4], row + row, tolerance: 1e-5)
        let h = try GraphRunner.run("Hardmax", inputs: [s3], attributes: ["axis": .int(1)], opset: 11)[0]
        let one = [Float](repeating: 0, count: 11) + [1]
        assertTensor(h, shape: [2, 3, 4], one + one)
    }

    func testSoftmaxRowWithNaNIsNaN() throws {
        let y = try GraphRunner.run("Softmax", inputs: [Tensor(shape: [2, 2], floats: [1, .nan, 0, 0])])[0].floatValues()
        XCTAssertTrue(y[0].isNaN && y[1].isNaN)
        XCTAssertEqual(Array(y[2...]), [0.5, 0.5])
    }

    /// (0...11) − 5 as 2×2×3.
    let xb = Tensor(shape: [2, 2, 3], floats: (0..<12).map { Float($0) - 5 })

    func testBatchNormalizationInference() throws {
        let y = try GraphRunner.run("BatchNormalization", inputs: [
            xb, Tensor(shape: [2], floats: [1, 2]), Tensor(shape: [2], floats: [0.5, -1]),
            Tensor(shape: [2], floats: [1, -1]), Tensor(shape: [2], floats: [4, 0.25]),
        ], attributes: ["epsilon": .float(0)], opset: 9)[0]
        assertTensor(y, shape: [2, 2, 3], [-2.5, -2, -1.5, -5, -1, 3, 0.5, 1, 1.5, 19, 23, 27])
    }

    func testBatchNormalizationOpset7NonSpatial() throws {
        let stats = (0..<6).map(Float.init)
        let y = try GraphRunner.run("BatchNormalization", inputs: [
            xb, Tensor(shape: [2, 3], floats: [Float](repeating: 2, count: 6)), Tensor(shape: [2, 3], floats: stats),
            Tensor(shape: [2, 3], floats: [Float](repeating: 1, count: 6)), Tensor(shape: [2, 3], floats: stats.map { $0 + 1 }),
        ], attributes: ["spatial": .int(0), "epsilon": .float(0)], opset: 7)[0]
        assertTensor(y, shape: [2, 2, 3], [-12, -6.0710678, -2.618802, 0, 2.2111454, 4.1835036,
                                           0, 2.4142137, 4.309401, 6, 7.5777087, 9.082483], tolerance: 1e-5)
    }

    func testBatchNormalizationTrainingMode() throws {
        // Batch statistics per channel: channel 0 = {-5,-4,-3,1,2,3} mean -1, channel 1 = {-2,-1,0,4,5,6} mean 2; both
        // have biased variance 58/6.
        let r = try GraphRunner.run("BatchNormalization", inputs: [
            xb, Tensor(shape: [2], floats: [1, 1]), Tensor(shape: [2], floats: [0, 0]),
            Tensor(shape: [2], floats: [0, 10]), Tensor(shape: [2], floats: [1, 1]),
        ], attributes: ["training_mode": .int(1), "momentum": .float(0.5), "epsilon": .float(0)], outputCount: 3, opset: 15)
        let inverse = 1 / (Float(58) / 6).squareRoot()
        assertClose(Array(r[0].floatValues()[0..<3]), [-4 * inverse, -3 * inverse, -2 * inverse])
        assertTensor(r[1], shape: [2], [-0.5, 6])
        assertTensor(r[2], shape: [2], [0.5 + 29.0 / 6, 0.5 + 29.0 / 6])
    }

    func testInstanceNormalizationLRNAndLayerNormalization() throws {
        let inst = try GraphRunner.run("InstanceNormalization", inputs: [xb, Tensor(shape: [2], floats: [1, 2]), Tensor(shape: [2], floats: [0, 1])],
                                       attributes: ["epsilon": .float(0)], opset: 6)[0]
        let half: [Float] = [-1.2247449, 0, 1.2247449, -1.4494897, 1, 3.4494897]
        assertTensor(inst, shape: [2, 2, 3], half + half, tolerance: 1e-5)

        let lrn = try GraphRunner.run("LRN", inputs: [Tensor(shape: [1, 4, 1, 2], floats: (0..<8).map(Float.init))],
                                      attributes: ["size": .int(3), "alpha": .float(0.3), "beta": .float(0.75), "bias": .float(2)])[0]
        assertTensor(lrn, shape: [1, 4, 1, 2], [0, 0.43869132, 0.70710677, 0.83531296, 0.8738759, 0.86964524, 1.3650603, 1.3039237],
                     tolerance: 1e-5)

        let scale = Tensor(shape: [2, 3], floats: [1, 2, 3, 1, 2, 3])
        let layer = try GraphRunner.run("LayerNormalization", inputs: [xb, scale, Tensor(shape: [3], floats: [0, 1, 2])],
                                        attributes: ["axis": .int(1), "epsilon": .float(0)], outputCount: 3)
        let normalized: [Float] = [-1.4638501, -0.7566201, 1.1216899, 0.29277003, 2.7566202, 6.3915505]
        assertTensor(layer[0], shape: [2, 2, 3], normalized + normalized, tolerance: 1e-5)
        assertTensor(layer[1], shape: [2, 1, 1], [-2.5, 3.5])
        assertTensor(layer[2], shape: [2, 1, 1], [0.58554006, 0.58554006], tolerance: 1e-6)
    }

    func testNormalizationRejectsBadShapes() {
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("BatchNormalization", inputs: [self.xb] + (0..<4).map { _ in Tensor(dataType: .float, shape: [3]) })
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("LayerNormalization", inputs: [self.xb, Tensor(dataType: .float, shape: [2])])
        }
        assertThrowsKind(.invalidNode) { _ = try GraphRunner.run("LRN", inputs: [self.xb]) }
    }
}
