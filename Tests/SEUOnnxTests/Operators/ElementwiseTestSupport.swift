import XCTest
@testable import SEUOnnx

/// Shorthands for the elementwise operator tests.
enum EW {
    /// Runs one node and returns its first output.
    static func run(_ op: String, _ inputs: [Tensor?], _ attributes: [String: AttributeValue] = [:],
                    opset: Int = 17) throws -> Tensor {
        try GraphRunner.run(op, inputs: inputs, attributes: attributes, opset: opset)[0]
    }

    static func f(_ shape: [Int], _ values: [Float]) -> Tensor { Tensor(shape: shape, floats: values) }
    static func f(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], floats: values) }
    static func d(_ values: [Double]) -> Tensor { Tensor(shape: [values.count], elements: values) }
    static func i<T: TensorElement>(_ values: [T]) -> Tensor { Tensor(shape: [values.count], elements: values) }
    static func b(_ values: [Bool]) -> Tensor { Tensor(shape: [values.count], elements: values) }

    /// A float16 tensor from float values (rounded to nearest).
    static func half(_ values: [Float], shape: [Int]? = nil) -> Tensor {
        let t = Tensor(dataType: .float16, shape: shape ?? [values.count])
        for (k, v) in values.enumerated() { t.pointer(as: UInt16.self)[k] = HalfPrecision.float16Bits(from: v) }
        return t
    }

    /// Elements of a float16 tensor as floats.
    static func halfValues(_ t: Tensor) -> [Float] {
        (0..<t.count).map { HalfPrecision.float(fromFloat16: t.pointer(as: UInt16.self)[$0]) }
    }

    /// Asserts type, shape and (bit-exact or NaN-equal) float32 values.
    static func assertFloats(_ t: Tensor, _ shape: [Int], _ expected: [Float], tolerance: Float = 1e-6,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.dataType, .float, file: file, line: line)
        XCTAssertEqual(t.shape, shape, file: file, line: line)
        guard t.dataType == .float else { return }
        assertClose(t.elements(as: Float.self), expected, tolerance: tolerance, file: file, line: line)
    }

    /// Runs a node expecting an `SEUError` of `kind`.
    static func assertError(_ kind: SEUError.Kind, file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected a \(kind) error", file: file, line: line)
        } catch let error as SEUError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }
}
