import Foundation
import XCTest
@testable import SEUOnnx

/// The runner on committed fixture cases (Fixtures/conformance, made by its make_cases.py) and
/// on case folders written here with `TensorFile.serialized()`.
final class ConformanceRunnerTests: XCTestCase {
    static let fixtures = TestPaths.fixtures.appendingPathComponent("conformance")

    private func run(_ id: String) throws -> ConformanceResult {
        let parts = id.split(separator: "/").map(String.init)
        let folder = Self.fixtures.appendingPathComponent(id)
        return ConformanceRunner().run(ConformanceCase(suite: parts[0], name: parts[1], directory: folder))
    }

    func testDiscoveryOfDataFolderSuiteAndCase() throws {
        let all = try ConformanceCase.discover(in: Self.fixtures)
        XCTAssertEqual(all.map(\.id), ["node/test_fixture_custom_op", "node/test_fixture_float8_output",
                                       "node/test_fixture_relu", "node/test_fixture_relu_off",
                                       "node/test_fixture_sequence_input", "simple/test_fixture_two_sets"])
        XCTAssertEqual(try ConformanceCase.discover(in: Self.fixtures.appendingPathComponent("simple")).map(\.id),
                       ["simple/test_fixture_two_sets"])
        XCTAssertEqual(try ConformanceCase.discover(in: Self.fixtures.appendingPathComponent("node/test_fixture_relu")).map(\.id),
                       ["node/test_fixture_relu"])
        let sets = try XCTUnwrap(all.last).dataSets()
        XCTAssertEqual(sets.map(\.name), ["test_data_set_0", "test_data_set_1"])
        XCTAssertEqual(sets[0].inputs.map(\.lastPathComponent), ["input_0.pb", "input_1.pb"])
        XCTAssertThrowsError(try ConformanceCase.discover(in: Self.fixtures.appendingPathComponent("absent"))) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .io)
        }
    }

    func testFixtureOutcomes() throws {
        let relu = try run("node/test_fixture_relu")
        XCTAssertEqual(relu.outcome.status, .passed, relu.outcome.description)  // NaN and ±inf through Relu
        XCTAssertEqual(relu.operatorLabel, "Relu")

        let off = try run("node/test_fixture_relu_off")
        XCTAssertEqual(off.outcome.status, .failed)
        XCTAssertEqual(off.outcome.reason, "output 0 'y': element 4 [1, 1]: 0.0, expected 0.01")

        let twoSets = try run("simple/test_fixture_two_sets")
        XCTAssertEqual(twoSets.outcome.reason, "output 0 'd' in test_data_set_1: element 1: 5.0, expected 5.5")

        let custom = try run("node/test_fixture_custom_op")
        guard case .error(let error) = custom.outcome else { return XCTFail("\(custom.outcome)") }
        XCTAssertEqual(error.kind, .unsupportedOperator)
        XCTAssertEqual(custom.operatorLabel, "com.example.Frobnicate")

        let float8 = try run("node/test_fixture_float8_output")
        XCTAssertEqual(float8.outcome.status, .skipped)
        XCTAssertEqual(float8.outcome.reason, "output 'y' has element type FLOAT8E4M3FN")

        let sequence = try run("node/test_fixture_sequence_input")
        XCTAssertEqual(sequence.outcome.status, .skipped)
        XCTAssertEqual(sequence.outcome.reason, "input 's' is a sequence")
        XCTAssertEqual(sequence.operators, ["SequenceLength"])
    }

    // MARK: Hand-made cases

    /// A case folder `<root>/suite/<name>` with tiny_cnn.onnx and the given data set files.
    private func makeCase(_ root: URL, _ name: String, model: Bool = true,
                          inputs: [TensorFile], outputs: [TensorFile]) throws -> ConformanceCase {
        let folder = root.appendingPathComponent("suite/\(name)")
        let data = folder.appendingPathComponent("test_data_set_0")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        if model {
            try FileManager.default.copyItem(at: TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx"),
                                             to: folder.appendingPathComponent("model.onnx"))
        }
        for (k, file) in inputs.enumerated() { try file.serialized().write(to: data.appendingPathComponent("input_\(k).pb")) }
        for (k, file) in outputs.enumerated() { try file.serialized().write(to: data.appendingPathComponent("output_\(k).pb")) }
        return ConformanceCase(suite: "suite", name: name, directory: folder)
    }

    /// Four digits and onnxruntime's logits for them (Fixtures, made by Examples/make_fixtures.py).
    private func digits() throws -> (x: Tensor, logits: [Float]) {
        let x = try NPY.read(contentsOf: TestPaths.fixtures.appendingPathComponent("digits_x.npy"))
        let logits = try NPY.read(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny_cnn_logits_ort.npy"))
        return (Tensor(shape: [4, 1, 8, 8], floats: Array(x.elements(as: Float.self).prefix(256))),
                Array(logits.elements(as: Float.self).prefix(40)))
    }

    func testHandMadeCaseAgainstOnnxruntimeOutputs() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let (x, logits) = try digits()
        let input = TensorFile(name: "input", tensor: x)
        func output(_ values: [Float], shape: [Int] = [4, 10]) -> TensorFile {
            TensorFile(name: "logits", tensor: Tensor(shape: shape, floats: values))
        }
        let runner = ConformanceRunner()
        let good = runner.run(try makeCase(root, "good", inputs: [input], outputs: [output(logits)]))
        XCTAssertEqual(good.outcome.status, .passed, good.outcome.description)
        XCTAssertEqual(good.operatorLabel, "(model)")

        var perturbed = logits
        perturbed[13] *= 1.01
        let off = runner.run(try makeCase(root, "off", inputs: [input], outputs: [output(perturbed)]))
        XCTAssertEqual(off.outcome.status, .failed)
        XCTAssertTrue(off.outcome.reason.contains("element 13 [1, 3]"), off.outcome.reason)

        let reshaped = runner.run(try makeCase(root, "shape", inputs: [input], outputs: [output(logits, shape: [40])]))
        XCTAssertTrue(reshaped.outcome.reason.hasSuffix("shape [4, 10], expected [40]"), reshaped.outcome.reason)

        let doubles = TensorFile(name: "logits", tensor: Tensor(shape: [4, 10], elements: logits.map(Double.init)))
        let typed = runner.run(try makeCase(root, "dtype", inputs: [input], outputs: [doubles]))
        XCTAssertTrue(typed.outcome.reason.hasSuffix("data type float32, expected float64"), typed.outcome.reason)

        let extra = runner.run(try makeCase(root, "extra", inputs: [input], outputs: [output(logits), output(logits)]))
        XCTAssertEqual(extra.outcome.reason, "1 outputs, expected 2")

        let wrongInput = TensorFile(name: "input", tensor: Tensor(shape: [4, 64], floats: x.elements(as: Float.self)))
        let bad = runner.run(try makeCase(root, "bad_input", inputs: [wrongInput], outputs: [output(logits)]))
        guard case .error(let error) = bad.outcome else { return XCTFail("\(bad.outcome)") }
        XCTAssertEqual(error.kind, .shapeMismatch)
    }

    func testBrokenCaseFoldersAreOutcomesNotCrashes() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let (x, _) = try digits()
        let runner = ConformanceRunner()

        // A .pb that is not a TensorProto.
        let garbage = try makeCase(root, "garbage", inputs: [], outputs: [])
        try Data("definitely not protobuf \u{0}\u{ff}".utf8)
            .write(to: garbage.directory.appendingPathComponent("test_data_set_0/input_0.pb"))
        guard case .error(let garbageError) = runner.run(garbage).outcome else { return XCTFail("garbage input ran") }
        XCTAssertEqual(garbageError.kind, .invalidModel)

        // No model, but a data.json naming one to download (Debian's `real/` cases): skipped.
        let download = try makeCase(root, "download", model: false, inputs: [], outputs: [])
        try Data("{}".utf8).write(to: download.directory.appendingPathComponent("data.json"))
        XCTAssertEqual(runner.run(download).outcome.status, .skipped)

        // No model and no data.json: an io error.
        let noModel = try makeCase(root, "no_model", model: false,
                                   inputs: [TensorFile(name: "", tensor: x)], outputs: [])
        guard case .error(let noModelError) = runner.run(noModel).outcome else { return XCTFail("ran without a model") }
        XCTAssertEqual(noModelError.kind, .io)

        // A model file that is not a model.
        let notModel = try makeCase(root, "not_model", model: false, inputs: [], outputs: [])
        try Data("text".utf8).write(to: notModel.modelURL)
        guard case .error(let notModelError) = runner.run(notModel).outcome else { return XCTFail("ran a text model") }
        XCTAssertEqual(notModelError.kind, .invalidModel)

        // A model without data sets.
        let empty = try makeCase(root, "no_data", inputs: [], outputs: [])
        try FileManager.default.removeItem(at: empty.directory.appendingPathComponent("test_data_set_0"))
        XCTAssertEqual(runner.run(empty).outcome.status, .error)
    }
}
