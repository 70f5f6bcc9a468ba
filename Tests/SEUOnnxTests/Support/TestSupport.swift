import Foundation
import XCTest
@testable import SEUOnnx

/// Paths and helpers shared by the tests.
enum TestPaths {
    /// The package root (two levels above this file's folder).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = packageRoot.appendingPathComponent("Fixtures")

    /// `../shared/models` next to the checkout, or `SEU_SHARED_MODELS`; nil when absent.
    static var sharedModels: URL? {
        let candidates = [ProcessInfo.processInfo.environment["SEU_SHARED_MODELS"].map { URL(fileURLWithPath: $0) },
                          packageRoot.deletingLastPathComponent().appendingPathComponent("shared/models")]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("MODELS.md").path) }
    }

    /// The shared model folder, or skips the test with a printed reason.
    static func requireSharedModels(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard let url = sharedModels else {
            let reason = "../shared/models not found (set SEU_SHARED_MODELS): skipping a test on the reference models"
            print("SKIP: \(reason)")
            throw XCTSkip(reason, file: file, line: line)
        }
        return url
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seu-onnx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Builds small graphs in memory and runs them: the way operator tests check hand-computed values.
enum GraphRunner {
    /// Runs a single node with the given inputs (graph inputs named "x0", "x1", ...; pass nil
    /// for an omitted optional input) and initializers, at `opset`.
    static func run(_ opType: String, inputs: [Tensor?], attributes: [String: AttributeValue] = [:],
                    outputCount: Int = 1, opset: Int = 17, domain: String = "") throws -> [Tensor] {
        var names: [String] = []
        var infos: [ValueInfo] = []
        var feeds: [Tensor] = []
        for (i, input) in inputs.enumerated() {
            guard let input else { names.append(""); continue }
            let name = "x\(i)"
            names.append(name)
            infos.append(ValueInfo(name: name, type: TensorType(dataType: input.dataType, shape: input.shape.map { .fixed($0) })))
            feeds.append(input)
        }
        let outputs = (0..<outputCount).map { "y\($0)" }
        let node = Node(name: "node", opType: opType, domain: domain, inputs: names, outputs: outputs, attributes: attributes)
        let graph = Graph(name: "test", nodes: [node], inputs: infos,
                          outputs: outputs.map { ValueInfo(name: $0, type: nil) })
        let model = Model(irVersion: 8, opsetImports: [domain: opset], graph: graph)
        return try InferenceSession(model: model).run(feeds)
    }
}

/// Asserts two float arrays agree within an absolute tolerance.
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element count", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance || (a.isNaN && e.isNaN) || a == e) {
        XCTFail("element \(i): \(a) != \(e) (tolerance \(tolerance))", file: file, line: line)
        return
    }
}
