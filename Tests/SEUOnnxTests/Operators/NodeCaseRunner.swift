import Foundation
import XCTest
@testable import SEUOnnx

/// Runs ONNX node conformance cases (`<case>/model.onnx` + `test_data_set_*/input_N.pb`,
/// `output_N.pb`) and compares outputs with rtol 1e-3, atol 1e-7, exact type and shape.
enum NodeCaseRunner {
    /// `onnx-1.23` conformance folder: `SEU_SHARED_CONFORMANCE`, `../shared/conformance/onnx-1.23`
    /// next to the checkout, or next to `SEU_SHARED_MODELS`; nil when absent.
    static var root: URL? {
        let env = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let path = env["SEU_SHARED_CONFORMANCE"] { candidates.append(URL(fileURLWithPath: path)) }
        candidates.append(TestPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/onnx-1.23"))
        if let models = env["SEU_SHARED_MODELS"] {
            candidates.append(URL(fileURLWithPath: models).deletingLastPathComponent().appendingPathComponent("conformance/onnx-1.23"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("node").path) }
    }

    static func requireRoot(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard let url = root else {
            let reason = "conformance data not found (set SEU_SHARED_CONFORMANCE): skipping"
            print("SKIP: \(reason)")
            throw XCTSkip(reason, file: file, line: line)
        }
        return url
    }

    /// Case folders under `root/subfolder` whose name starts with one of `prefixes`, sorted.
    static func cases(in root: URL, subfolder: String = "node", prefixes: [String],
                      excluding: (String) -> Bool = { _ in false }) throws -> [URL] {
        let folder = root.appendingPathComponent(subfolder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { name in prefixes.contains { name.hasPrefix($0) } && !excluding(name) }
            .sorted().map { folder.appendingPathComponent($0) }
    }

    /// Runs one case; returns nil when every data set matches, else a one-line reason.
    static func check(_ folder: URL) -> String? {
        do {
            let model = try Model(contentsOf: folder.appendingPathComponent("model.onnx"))
            let session = try InferenceSession(model: model)
            let sets = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasPrefix("test_data_set_") }.sorted()
            for set in sets {
                let dir = folder.appendingPathComponent(set)
                let inputs = try numbered(dir, "input"), expected = try numbered(dir, "output")
                // Feeds follow the graph's declared inputs; initializer-backed inputs are not fed.
                let declared = model.graph.inputs.map(\.name)
                let runtime = Set(session.inputs.map(\.name))
                let feeds = zip(declared, inputs).filter { runtime.contains($0.0) }.map(\.1)
                let outputs = try session.run(feeds)
                guard outputs.count == expected.count else { return "\(set): \(outputs.count) outputs, expected \(expected.count)" }
                for (i, (actual, wanted)) in zip(outputs, expected).enumerated() {
                    if let problem = compare(actual, wanted) { return "\(set) output \(i): \(problem)" }
                }
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func numbered(_ dir: URL, _ stem: String) throws -> [Tensor] {
        var tensors: [Tensor] = []
        while true {
            let url = dir.appendingPathComponent("\(stem)_\(tensors.count).pb")
            guard FileManager.default.fileExists(atPath: url.path) else { return tensors }
            tensors.append(try ONNXImporter.loadTensor(url: url))
        }
    }

    static func compare(_ actual: Tensor, _ expected: Tensor) -> String? {
        guard actual.dataType == expected.dataType else { return "type \(actual.dataType), expected \(expected.dataType)" }
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        for i in 0..<actual.count {
            if actual.dataType.isFloatingPoint {
                let a = actual.doubleValue(at: i), e = expected.doubleValue(at: i)
                if a.isNaN && e.isNaN { continue }
                if a == e { continue }
                if !(abs(a - e) <= 1e-7 + 1e-3 * abs(e)) { return "element \(i): \(a) != \(e)" }
            } else if actual.int64Value(at: i) != expected.int64Value(at: i) {
                return "element \(i): \(actual.int64Value(at: i)) != \(expected.int64Value(at: i))"
            }
        }
        return nil
    }
}
