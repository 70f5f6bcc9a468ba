import Foundation
import XCTest
@testable import SEUOnnx

/// Parity with onnxruntime on the reference models in ../shared/models (skipped when absent).
final class ReferenceModelTests: XCTestCase {
    private func maxRelativeError(_ model: String, input: String, reference: String) throws -> Float {
        let folder = try TestPaths.requireSharedModels()
        let session = try InferenceSession(model: Model(contentsOf: folder.appendingPathComponent(model)))
        let x = try NPY.read(contentsOf: folder.appendingPathComponent(input))
        let y = try session.run([x])[0].floatValues()
        let expected = try NPY.read(contentsOf: folder.appendingPathComponent(reference)).floatValues()
        XCTAssertEqual(y.count, expected.count)
        let maxError = zip(y, expected).map { abs($0 - $1) }.max() ?? .infinity
        let maxReference = expected.map(abs).max() ?? 1
        return maxError / maxReference
    }

    // The error is computed outside XCTAssert: a skip thrown inside its autoclosure would be
    // recorded as a failure instead of a skip.
    func testResnet18MatchesOnnxRuntime() throws {
        let error = try maxRelativeError("resnet18.onnx", input: "resnet18_input.npy", reference: "resnet18_output_ort.npy")
        XCTAssertLessThanOrEqual(error, 1e-4)
    }

    func testDigitsCNNLegacyAndDynamoMatchOnnxRuntime() throws {
        for model in ["digits_cnn.onnx", "digits_cnn_dynamo.onnx"] {
            let error = try maxRelativeError(model, input: "digits_test_x.npy", reference: "digits_cnn_logits_ort.npy")
            XCTAssertLessThanOrEqual(error, 1e-4, model)
        }
    }

    func testResnet18Digits32MatchesOnnxRuntime() throws {
        let error = try maxRelativeError("resnet18_digits32.onnx", input: "digits32_test_x.npy", reference: "resnet18_digits32_logits_ort.npy")
        XCTAssertLessThanOrEqual(error, 1e-4)
    }
}
