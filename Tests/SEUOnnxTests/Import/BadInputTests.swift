import CONNXProto
import Foundation
import XCTest
@testable import SEUOnnx

/// Bad files and bad graphs give one `SEUError` of a stable kind, never a crash.
final class BadInputTests: XCTestCase {
    private func kind(_ body: () throws -> Void) -> SEUError.Kind? {
        do { try body() } catch let error as SEUError { return error.kind } catch { return nil }
        return nil
    }

    func testMissingEmptyAndNonONNXFiles() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        XCTAssertEqual(kind { _ = try Model(path: folder.appendingPathComponent("absent.onnx").path) }, .io)
        XCTAssertEqual(kind { _ = try Model(path: folder.path) }, .io)
        let empty = folder.appendingPathComponent("empty.onnx")
        try Data().write(to: empty)
        XCTAssertEqual(kind { _ = try Model(contentsOf: empty) }, .invalidModel)
        let text = folder.appendingPathComponent("text.onnx")
        try Data("this is not a model, just text\n".utf8).write(to: text)
        XCTAssertEqual(kind { _ = try Model(contentsOf: text) }, .invalidModel)
        let npy = folder.appendingPathComponent("array.onnx")
        try NPY.encode(Tensor(shape: [3], floats: [1, 2, 3])).write(to: npy)
        XCTAssertEqual(kind { _ = try Model(contentsOf: npy) }, .invalidModel)
    }

    func testTruncatedModelsAreRejectedAtEveryLength() throws {
        let source = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx")
        let bytes = try Data(contentsOf: source)
        let folder = try TestPaths.temporaryDirectory(self)
        let truncated = folder.appendingPathComponent("truncated.onnx")
        // Cutting inside the weights or the graph must fail cleanly, never trap.
        for length in stride(from: 1, to: bytes.count - 1, by: max(1, bytes.count / 97)) {
            try bytes.prefix(length).write(to: truncated)
            let result = kind { _ = try Model(contentsOf: truncated) }
            XCTAssertTrue(result == .invalidModel, "length \(length): \(String(describing: result))")
        }
    }

    /// protobuf-c recurses once per nested message: a crafted file of nested types (or graphs in
    /// graph attributes) must be refused before decoding, not exhaust the stack.
    func testDeeplyNestedMessagesAreRefusedNotACrash() throws {
        func field(_ number: UInt8, _ payload: [UInt8]) -> [UInt8] {
            var length: [UInt8] = []
            var n = payload.count
            repeat { length.append(UInt8(n & 0x7F) | (n >= 0x80 ? 0x80 : 0)); n >>= 7 } while n > 0
            return [number << 3 | 2] + length + payload
        }
        func model(sequenceLevels: Int) -> Data {
            var type = field(1, [0x08, 0x01])  // TypeProto { tensor_type { elem_type: FLOAT } }
            for _ in 0..<sequenceLevels { type = field(4, field(1, type)) }  // sequence_type { elem_type }
            let valueInfo = field(1, Array("x".utf8)) + field(2, type)
            let graph = field(11, valueInfo)
            return Data([0x08, 0x08] + field(7, graph) + field(8, [0x10, 0x11]))
        }
        // 10 levels of sequences (24 nested messages) decode; 20,000 (40,004) are refused.
        let shallow = try ModelMessage.unpack(model(sequenceLevels: 10))
        onnx__model_proto__free_unpacked(shallow, nil)
        let deep = model(sequenceLevels: 20_000)
        XCTAssertEqual(kind { _ = try ModelMessage.unpack(deep) }, .invalidModel)
        let folder = try TestPaths.temporaryDirectory(self)
        let file = folder.appendingPathComponent("deep.onnx")
        try deep.write(to: file)
        XCTAssertEqual(kind { _ = try Model(contentsOf: file) }, .invalidModel)
        XCTAssertThrowsError(try ModelMessage.unpack(model(sequenceLevels: 49))) { error in
            XCTAssertTrue("\(error)".contains("100 levels"), "\(error)")
        }
    }

    func testMissingExternalDataNamesTheFile() throws {
        let source = TestPaths.fixtures.appendingPathComponent("tiny_cnn_external.onnx")
        let folder = try TestPaths.temporaryDirectory(self)
        let copy = folder.appendingPathComponent("model.onnx")
        try FileManager.default.copyItem(at: source, to: copy)
        do {
            _ = try Model(contentsOf: copy)
            XCTFail("expected an error")
        } catch let error as SEUError {
            XCTAssertEqual(error.kind, .missingExternalData)
            XCTAssertTrue(error.description.contains("tiny_cnn_external.onnx.data"), error.description)
            XCTAssertFalse(error.description.contains("\n"))
        }
    }

    func testExternalDataMustStayInTheModelFolder() throws {
        // The fixture's location is "tiny_cnn_external.onnx.data" (27 bytes); same-length
        // replacements keep the protobuf valid.
        let source = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny_cnn_external.onnx"))
        let original = Data("tiny_cnn_external.onnx.data".utf8)
        let folder = try TestPaths.temporaryDirectory(self)
        for location in ["../" + String(repeating: "x", count: 24), "/etc/" + String(repeating: "y", count: 22)] {
            XCTAssertEqual(location.utf8.count, original.count)
            var bytes = source
            while let range = bytes.range(of: original) { bytes.replaceSubrange(range, with: Data(location.utf8)) }
            let url = folder.appendingPathComponent("escape.onnx")
            try bytes.write(to: url)
            do {
                _ = try Model(contentsOf: url)
                XCTFail("\(location): expected an error")
            } catch let error as SEUError {
                XCTAssertEqual(error.kind, .invalidModel, error.description)
                XCTAssertTrue(error.description.contains(location), error.description)
            }
            XCTAssertThrowsError(try FaultyModel(contentsOf: url, flipping: [])) { error in
                XCTAssertEqual((error as? SEUError)?.kind, .invalidModel)
            }
        }
    }

    func testArrayHeadersCannotAskForHugeAllocations() throws {
        // 64 bytes of data behind headers claiming 25.6 TB, and a shape whose size overflows Int.
        for shape in ["(100000000000, 1, 8, 8)", "(4611686018427387904, 4, 8, 8)"] {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
            header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
            data.append(Data(header.utf8))
            data.append(Data(count: 64))
            XCTAssertEqual(kind { _ = try NPY.decode(data) }, .invalidArray, shape)
        }
        let huge = ValueInfo(name: "x", type: TensorType(dataType: .float, shape: [.fixed(100_000), .fixed(100_000), .fixed(1000)]))
        XCTAssertEqual(kind { _ = try SyntheticInput.make(for: [huge], seed: 0) }, .shapeMismatch)
        let overflowing = ValueInfo(name: "x", type: TensorType(dataType: .float, shape: [.fixed(1 << 62), .fixed(4)]))
        XCTAssertEqual(kind { _ = try SyntheticInput.make(for: [overflowing], seed: 0) }, .shapeMismatch)
    }

    func testLabelsMustBeClassIndicesOfTheOutput() throws {
        let x = try NPY.read(contentsOf: TestPaths.fixtures.appendingPathComponent("digits_x.npy"))
        let negative = Tensor(shape: [360], elements: [Int64](repeating: -1, count: 360))
        XCTAssertEqual(kind { _ = try CampaignData(inputs: [x], labels: negative) }, .invalidArray)
        let tooLarge = Tensor(shape: [360], elements: [Int64](repeating: 10, count: 360))
        let model = try Model(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx"))
        XCTAssertEqual(kind { _ = try Campaign(model: model, data: CampaignData(inputs: [x], labels: tooLarge), configuration: .init()) }, .invalidArray)
        let empty = Tensor(dataType: .float, shape: [0, 1, 8, 8])
        XCTAssertEqual(kind { _ = try CampaignData(inputs: [empty], labels: nil) }, .invalidArray)
    }

    func testUnsupportedOperatorsAreListedTogetherBeforeRunning() throws {
        let nodes = [
            Node(name: "a", opType: "FancyOp", inputs: ["x"], outputs: ["y"]),
            Node(name: "b", opType: "Relu", inputs: ["y"], outputs: ["z"]),
            Node(name: "c", opType: "OtherOp", domain: "com.example", inputs: ["z"], outputs: ["w"]),
            Node(name: "d", opType: "FancyOp", inputs: ["w"], outputs: ["v"]),
        ]
        let graph = Graph(nodes: nodes, inputs: [ValueInfo(name: "x", type: TensorType(dataType: .float, shape: [.fixed(2)]))],
                          outputs: [ValueInfo(name: "v", type: nil)])
        let model = Model(irVersion: 8, opsetImports: ["": 17, "com.example": 1], graph: graph)
        do {
            _ = try InferenceSession(model: model)
            XCTFail("expected an error")
        } catch let error as SEUError {
            XCTAssertEqual(error.kind, .unsupportedOperator)
            XCTAssertTrue(error.message.contains("FancyOp (ai.onnx opset 17)"), error.message)
            XCTAssertTrue(error.message.contains("OtherOp (com.example opset 1)"), error.message)
            XCTAssertTrue(error.message.contains("2 unsupported operators"), error.message)
        }
    }

    func testWrongInputShapeAndType() throws {
        let session = try InferenceSession(model: TinyModels.classifier())
        XCTAssertEqual(kind { _ = try session.run([Tensor(shape: [2, 5], floats: Array(repeating: 0, count: 10))]) }, .shapeMismatch)
        XCTAssertEqual(kind { _ = try session.run([Tensor(shape: [4], floats: [0, 0, 0, 0])]) }, .shapeMismatch)
        XCTAssertEqual(kind { _ = try session.run([Tensor(shape: [1, 4], elements: [Int64(0), 0, 0, 0])]) }, .shapeMismatch)
        XCTAssertEqual(kind { _ = try session.run([]) }, .shapeMismatch)
        // Any batch size works for a symbolic batch axis.
        XCTAssertEqual(try session.run([Tensor(shape: [5, 4], floats: Array(repeating: 1, count: 20))])[0].shape, [5, 3])
    }

    func testPatternMatchingNoTensor() throws {
        let model = TinyModels.classifier()
        XCTAssertEqual(kind { _ = try TensorSelection(patterns: ["conv*"]).resolve(in: model) }, .noMatchingTensor)
        XCTAssertEqual(try TensorSelection(patterns: ["fc.*"]).resolve(in: model), ["fc.weight", "fc.bias"])
    }

    func testMalformedNPY() throws {
        XCTAssertEqual(kind { _ = try NPY.decode(Data("nope".utf8)) }, .invalidArray)
        var truncated = NPY.encode(Tensor(shape: [10], floats: Array(repeating: 1, count: 10)))
        truncated.removeLast(8)
        XCTAssertEqual(kind { _ = try NPY.decode(truncated) }, .invalidArray)
        let round = try NPY.decode(NPY.encode(Tensor(shape: [2, 3], elements: [Int64(1), 2, 3, 4, 5, 6])))
        XCTAssertEqual(round.shape, [2, 3])
        XCTAssertEqual(round.elements(as: Int64.self), [1, 2, 3, 4, 5, 6])
    }
}
