import XCTest
@testable import SEUOnnx

/// Quantization operators against values from the ONNX reference implementation
/// (`onnx.reference.ReferenceEvaluator`, onnx 1.23), copied here.
final class QuantizationOperatorTests: XCTestCase {
    private func f16(_ values: [Float]) -> Tensor {
        let tensor = Tensor(dataType: .float16, shape: [values.count])
        for (i, v) in values.enumerated() { tensor.pointer(as: UInt16.self)[i] = HalfPrecision.float16Bits(from: v) }
        return tensor
    }

    private func scalar16(_ value: Float) -> Tensor { f16([value]).reshaped([]) }

    func testQuantizeLinearRoundsHalfToEvenAndSaturates() throws {
        let x = Tensor(shape: [9], floats: [0, 2, 3, 5, 7, 1000, -254, -1000, -3])
        let y = try GraphRunner.run("QuantizeLinear", inputs: [x, Tensor(scalar: Float(2)), Tensor(scalar: UInt8(128))], opset: 13)[0]
        // 3/2 = 1.5 → 2 and 5/2 = 2.5 → 2 (ties to even); 1000 and -1000 saturate.
        XCTAssertEqual(y.elements(as: UInt8.self), [128, 129, 130, 130, 132, 255, 1, 0, 126])
        // Without a zero point the output is uint8 with zero point 0.
        let unsigned = try GraphRunner.run("QuantizeLinear", inputs: [x, Tensor(scalar: Float(2))], opset: 10)[0]
        XCTAssertEqual(unsigned.elements(as: UInt8.self), [0, 1, 2, 2, 4, 255, 0, 0, 0])
    }

    func testQuantizeLinearPerAxisAndBlocked() throws {
        let x = Tensor(shape: [1, 2, 3], floats: [-1.5, 0.4, 6.2, 3.3, -100, 0.25])
        let perAxis = try GraphRunner.run("QuantizeLinear", inputs: [x, Tensor(shape: [2], floats: [0.5, 0.125]),
                                                                      Tensor(shape: [2], elements: [Int8(1), -2])],
                                          attributes: ["axis": .int(1)], opset: 13)[0]
        XCTAssertEqual(perAxis.elements(as: Int8.self), [-2, 2, 13, 24, -128, 0])
        let blocked = try GraphRunner.run("QuantizeLinear", inputs: [Tensor(shape: [2, 5], floats: (1...10).map(Float.init)),
                                                                      Tensor(shape: [2, 2], floats: [1, 2, 4, 8]),
                                                                      Tensor(shape: [2, 2], elements: [Int8(0), 1, 2, 3])],
                                          attributes: ["axis": .int(1), "block_size": .int(3)], opset: 21)[0]
        XCTAssertEqual(blocked.elements(as: Int8.self), [1, 2, 3, 3, 3, 4, 4, 4, 4, 4])
    }

    func testDequantizeLinearPerAxisInt32AndFloat16Scale() throws {
        let x = Tensor(shape: [2, 3], elements: [Int8(-128), 0, 127, 5, 6, 7])
        let y = try GraphRunner.run("DequantizeLinear", inputs: [x, Tensor(shape: [3], floats: [0.5, 0.25, 2]),
                                                                  Tensor(shape: [3], elements: [Int8(1), 0, -1])],
                                    attributes: ["axis": .int(1)], opset: 13)[0]
        XCTAssertEqual(y.elements(as: Float.self), [-64.5, 0, 256, 2, 1.5, 16])
        // int32 (quantized bias): 16777217 is not a float32; it rounds like the reference's astype.
        let bias = try GraphRunner.run("DequantizeLinear", inputs: [Tensor(shape: [3], elements: [Int32(100000), -7, 16777217]),
                                                                     Tensor(scalar: Float(0.001))], opset: 13)[0]
        XCTAssertEqual(bias.elements(as: Float.self), [Float(100000) * 0.001, Float(-7) * 0.001, Float(16777216) * 0.001])
        // A float16 scale gives a float16 output: 0.1 is 0.0999755859375 in float16; 199 × it
        // = 19.895... rounds to 19.890625 (0x4CF9).
        let half = try GraphRunner.run("DequantizeLinear", inputs: [Tensor(shape: [2], elements: [UInt8(3), 200]), scalar16(0.1),
                                                                     Tensor(scalar: UInt8(1))], opset: 19)[0]
        XCTAssertEqual(half.dataType, .float16)
        XCTAssertEqual(half.pointer(as: UInt16.self)[1], 0x4CF9)
        XCTAssertEqual(half.doubleValue(at: 0), Double(HalfPrecision.float(fromFloat16: HalfPrecision.float16Bits(from: 2 * HalfPrecision.float(fromFloat16: 0x2E66)))))
    }

    private let convInput = Tensor(shape: [1, 1, 3, 3], elements: [UInt8](1...9))
    private let convWeight = Tensor(shape: [2, 1, 2, 2], elements: [Int8(1), -1, 2, 0, 0, 3, -2, 1])

    func testConvIntegerSubtractsZeroPointsAndPadsWithZero() throws {
        let y = try GraphRunner.run("ConvInteger", inputs: [convInput, convWeight, Tensor(scalar: UInt8(2)),
                                                             Tensor(shape: [2], elements: [Int8(0), 1])],
                                    attributes: ["pads": .ints([1, 0, 0, 1])], opset: 10)[0]
        XCTAssertEqual(y.dataType, .int32)
        XCTAssertEqual(y.shape, [1, 2, 3, 3])
        XCTAssertEqual(y.elements(as: Int32.self), [-2, 0, 2, 3, 5, 9, 9, 11, 18,
                                                     3, 0, -3, -5, -7, -13, -11, -13, -25])
    }

    /// Requantization rounds before adding the output zero point (the spec's
    /// `saturate(round(x / y_scale) + y_zero_point)`, and onnxruntime); the ONNX reference
    /// implementation adds first, which differs on ties when the zero point is odd.
    func testQLinearConvRequantizesPerChannelWithBias() throws {
        func run(_ yZero: Tensor) throws -> Tensor {
            try GraphRunner.run("QLinearConv", inputs: [
                convInput, Tensor(scalar: Float(0.5)), Tensor(scalar: UInt8(2)),
                convWeight, Tensor(shape: [2], floats: [0.25, 0.125]), Tensor(shape: [2], elements: [Int8(0), 1]),
                Tensor(scalar: Float(0.2)), yZero, Tensor(shape: [2], elements: [Int32(10), -20]),
            ], attributes: ["pads": .ints([1, 0, 0, 1])], opset: 10)[0]
        }
        // onnxruntime 1.32: channel 0 is round((sum + 10) · 0.625) + 3; 7.5 → 8 (ties to even)
        // → 11 at the third pixel; channel 1 is negative and saturates at 0.
        XCTAssertEqual(try run(Tensor(scalar: UInt8(3))).elements(as: UInt8.self),
                       [8, 9, 11, 11, 12, 15, 15, 16, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // int8 output (onnxruntime only runs uint8 here): the same rule, zero point -3.
        XCTAssertEqual(try run(Tensor(scalar: Int8(-3))).elements(as: Int8.self),
                       [2, 3, 5, 5, 6, 9, 9, 10, 15, -8, -9, -10, -11, -11, -13, -13, -13, -17])
    }

    private let matA = Tensor(shape: [2, 3], elements: [UInt8(1), 2, 3, 4, 5, 250])
    private let matB = Tensor(shape: [3, 2], elements: [Int8(1), -1, 2, 7, -128, 127])

    func testMatMulIntegerAndQLinearMatMul() throws {
        let sums = try GraphRunner.run("MatMulInteger", inputs: [matA, matB, Tensor(scalar: UInt8(3)),
                                                                  Tensor(shape: [2], elements: [Int8(1), -1])], opset: 10)[0]
        XCTAssertEqual(sums.elements(as: Int32.self), [-1, -8, -31861, 31632])
        let y = try GraphRunner.run("QLinearMatMul", inputs: [
            matA, Tensor(scalar: Float(0.05)), Tensor(scalar: UInt8(3)),
            matB, Tensor(shape: [2], floats: [0.02, 0.5]), Tensor(shape: [2], elements: [Int8(1), -1]),
            Tensor(scalar: Float(0.3)), Tensor(scalar: UInt8(100)),
        ], opset: 10)[0]
        XCTAssertEqual(y.elements(as: UInt8.self), [100, 99, 0, 255])
        // onnxruntime 1.32 with per-tensor parameters, and a tie (3 · 0.5 = 1.5 → 2, + 3).
        let perTensor = try GraphRunner.run("QLinearMatMul", inputs: [
            matA, Tensor(scalar: Float(0.05)), Tensor(scalar: UInt8(3)), matB, Tensor(scalar: Float(0.02)),
            Tensor(scalar: Int8(1)), Tensor(scalar: Float(0.3)), Tensor(scalar: UInt8(100)),
        ], opset: 10)[0]
        XCTAssertEqual(perTensor.elements(as: UInt8.self), [100, 100, 0, 204])
        let tie = try GraphRunner.run("QLinearMatMul", inputs: [
            Tensor(shape: [1, 2], elements: [UInt8(3), 1]), Tensor(scalar: Float(0.5)), Tensor(scalar: UInt8(0)),
            Tensor(shape: [2, 1], elements: [Int8(1), 0]), Tensor(scalar: Float(1)), Tensor(scalar: Int8(0)),
            Tensor(scalar: Float(1)), Tensor(scalar: UInt8(3)),
        ], opset: 10)[0]
        XCTAssertEqual(tie.elements(as: UInt8.self), [5])
        // float16 scales: the scale product is rounded to float16 as the reference does.
        let half = try GraphRunner.run("QLinearMatMul", inputs: [
            matA, scalar16(0.05), Tensor(scalar: UInt8(3)), matB, scalar16(0.02), Tensor(scalar: Int8(1)),
            scalar16(0.0123), Tensor(scalar: UInt8(100)),
        ], opset: 21)[0]
        XCTAssertEqual(half.elements(as: UInt8.self), [100, 100, 0, 255])
    }

    func testDynamicQuantizeLinear() throws {
        let outputs = try GraphRunner.run("DynamicQuantizeLinear", inputs: [Tensor(shape: [6], floats: [0, 2, -3, -2.5, 1.34, 0.5])],
                                          outputCount: 3, opset: 11)
        XCTAssertEqual(outputs[0].elements(as: UInt8.self), [153, 255, 0, 26, 221, 179])
        XCTAssertEqual(outputs[1].floats[0], Float(5) / 255)
        XCTAssertEqual(outputs[2].elements(as: UInt8.self), [153])
    }

    func testBadQuantizationParametersAreNodeErrors() throws {
        func kind(_ body: () throws -> Void) -> SEUError.Kind? {
            do { try body() } catch let error as SEUError { return error.kind } catch { return nil }
            return nil
        }
        let x = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        // Per-axis scale of the wrong length.
        XCTAssertEqual(kind { _ = try GraphRunner.run("QuantizeLinear", inputs: [x, Tensor(shape: [2], floats: [1, 1])], opset: 13) }, .shapeMismatch)
        // Zero point of another type than the quantized input.
        XCTAssertEqual(kind { _ = try GraphRunner.run("DequantizeLinear", inputs: [Tensor(shape: [2], elements: [Int8(1), 2]), Tensor(scalar: Float(1)), Tensor(scalar: UInt8(0))], opset: 13) }, .unsupportedDataType)
        // w_scale with neither 1 nor one value per output channel.
        XCTAssertEqual(kind { _ = try GraphRunner.run("QLinearConv", inputs: [
            convInput, Tensor(scalar: Float(0.5)), Tensor(scalar: UInt8(2)), convWeight, Tensor(shape: [3], floats: [1, 1, 1]),
            Tensor(scalar: Int8(0)), Tensor(scalar: Float(0.2)), Tensor(scalar: Int8(0))], opset: 10) }, .shapeMismatch)
        // Inner dimensions that differ.
        XCTAssertEqual(kind { _ = try GraphRunner.run("MatMulInteger", inputs: [matA, matA], opset: 10) }, .shapeMismatch)
        // Axis out of range.
        XCTAssertEqual(kind { _ = try GraphRunner.run("QuantizeLinear", inputs: [x, Tensor(shape: [3], floats: [1, 1, 1])],
                                                      attributes: ["axis": .int(5)], opset: 13) }, .invalidNode)
    }
}
