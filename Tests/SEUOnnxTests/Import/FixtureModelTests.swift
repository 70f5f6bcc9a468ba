import Foundation
import XCTest
@testable import SEUOnnx

/// The models in Fixtures/ (made by Examples/make_fixtures.py) import and match onnxruntime.
final class FixtureModelTests: XCTestCase {
    private func fixture(_ name: String) -> URL { TestPaths.fixtures.appendingPathComponent(name) }

    func testImporterReadsGraphAndInitializers() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn.onnx"))
        XCTAssertEqual(model.irVersion, 8)
        XCTAssertEqual(model.opsetVersion, 17)
        XCTAssertEqual(model.producerName, "pytorch")
        let input = try XCTUnwrap(model.graph.runtimeInputs.first)
        XCTAssertEqual(input.name, "input")
        XCTAssertEqual(input.type?.dataType, .float)
        XCTAssertEqual(input.type?.shape, [.symbolic("batch"), .fixed(1), .fixed(8), .fixed(8)])
        XCTAssertEqual(model.graph.operatorCounts(), ["Conv": 2, "Relu": 3, "MaxPool": 2, "Flatten": 1, "Gemm": 2])
        let weight = try XCTUnwrap(model.initializer(named: "conv1.weight"))
        XCTAssertEqual(weight.shape, [8, 1, 3, 3])
        XCTAssertEqual(model.graph.initializerSources["conv1.weight"], .rawData)
        let conv = try XCTUnwrap(model.graph.nodes.first { $0.opType == "Conv" })
        XCTAssertEqual(try conv.ints("kernel_shape"), [3, 3])
        XCTAssertEqual(try conv.ints("pads"), [1, 1, 1, 1])
    }

    func testExternalDataMatchesInlineWeights() throws {
        let inline = try Model(contentsOf: fixture("tiny_cnn.onnx"))
        let external = try Model(contentsOf: fixture("tiny_cnn_external.onnx"))
        guard case .external(let location, let offset, let length)? = external.graph.initializerSources["conv2.weight"] else {
            return XCTFail("conv2.weight should be stored externally")
        }
        XCTAssertEqual(location, "tiny_cnn_external.onnx.data")
        XCTAssertEqual(length, 16 * 8 * 3 * 3 * 4)
        XCTAssertGreaterThanOrEqual(offset, 0)
        for name in ["conv1.weight", "conv2.weight", "fc1.weight", "fc2.bias"] {
            let a = try XCTUnwrap(inline.initializer(named: name)), b = try XCTUnwrap(external.initializer(named: name))
            XCTAssertTrue(a.isBitIdentical(to: b), name)
        }
    }

    func testBothExportsMatchOnnxRuntime() throws {
        let x = try NPY.read(contentsOf: fixture("digits_x.npy"))
        let labels = try NPY.read(contentsOf: fixture("digits_y.npy")).intValues()
        let reference = try NPY.read(contentsOf: fixture("tiny_cnn_logits_ort.npy")).floatValues()
        for name in ["tiny_cnn.onnx", "tiny_cnn_external.onnx"] {
            let logits = try InferenceSession(model: Model(contentsOf: fixture(name))).run([x])[0]
            XCTAssertEqual(logits.shape, [360, 10])
            let values = logits.floatValues()
            let maxError = zip(values, reference).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(maxError, 1e-4 * (reference.map(abs).max() ?? 1), name)
            XCTAssertEqual(try BatchedInference.hits(output: logits, labels: labels).top1, 352, name)
        }
    }
}
