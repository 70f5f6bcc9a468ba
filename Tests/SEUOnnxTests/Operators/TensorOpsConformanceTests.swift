import Foundation
import XCTest
@testable import SEUOnnx

/// ONNX backend node cases for the tensor-manipulation and recurrent operators
/// (../shared/conformance/onnx-1.23/node; skipped when absent). A case passes when every
/// output matches in dtype, shape and value (rtol 1e-3, atol 1e-7, as ONNX's runner).
final class TensorOpsConformanceTests: XCTestCase {
    /// Case-name prefixes of the operators this family implements.
    static let prefixes = [
        "test_flatten_", "test_reshape_", "test_transpose_", "test_concat_", "test_split_",
        "test_slice", "test_gather_", "test_shape", "test_size", "test_squeeze", "test_unsqueeze",
        "test_expand_", "test_tile", "test_constant_pad", "test_edge_pad", "test_reflect_pad",
        "test_wrap_pad", "test_constant", "test_constantofshape_", "test_range_", "test_identity",
        "test_lstm_", "test_gru_", "test_rnn_", "test_simple_rnn_", "test_clip_default_inbounds_expanded",
        "test_clip_default_int8_inbounds_expanded",
    ]
    /// Cases outside the project's scope: other operators sharing a prefix, sequences, optionals
    /// and the Loop-based expansions of Range.
    static let excluded: Set<String> = [
        "test_split_to_sequence_1", "test_split_to_sequence_2", "test_split_to_sequence_nokeepdims",
        "test_identity_opt", "test_identity_sequence",
        "test_range_bfloat16_type_positive_delta_expanded", "test_range_float16_type_positive_delta_expanded",
        "test_range_float_type_positive_delta_expanded", "test_range_int32_type_negative_delta_expanded",
    ]

    /// `conformance/onnx-1.23/node` next to the shared models (`../shared` or the parent of
    /// `SEU_SHARED_MODELS`), or `SEU_CONFORMANCE_NODE`.
    static var nodeFolder: URL? {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["SEU_CONFORMANCE_NODE"] { candidates.append(URL(fileURLWithPath: path)) }
        if let models = TestPaths.sharedModels {
            candidates.append(models.deletingLastPathComponent().appendingPathComponent("conformance/onnx-1.23/node"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func cases(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { name in
            !excluded.contains(name) && !name.hasPrefix("test_gathernd")
                && prefixes.contains { name.hasPrefix($0) }
        }.sorted()
    }

    func testNodeCases() throws {
        guard let folder = Self.nodeFolder else { throw XCTSkip("conformance data not found") }
        let filter = ProcessInfo.processInfo.environment["SEU_CONFORMANCE_FILTER"]
        var failures: [String] = []
        var count = 0
        for name in try Self.cases(in: folder) where filter.map({ name.contains($0) }) ?? true {
            count += 1
            if let problem = Self.check(folder.appendingPathComponent(name)) { failures.append("\(name): \(problem)") }
        }
        print("tensor-op node cases: \(count - failures.count)/\(count) passed")
        for failure in failures { print("FAIL \(failure)") }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
        XCTAssertGreaterThan(count, 0)
    }

    /// Cases from PyTorch's exporter and ONNX's small models that use only these operators,
    /// in their opset 6 and 9 forms (Pad, Split, Slice, Squeeze and Unsqueeze attributes).
    static let olderOpsetCases = [
        "pytorch-converted/test_ConstantPad2d", "pytorch-converted/test_Embedding",
        "pytorch-converted/test_Embedding_sparse", "pytorch-converted/test_PixelShuffle",
        "pytorch-converted/test_ReflectionPad2d", "pytorch-converted/test_ReplicationPad2d",
        "pytorch-converted/test_ZeroPad2d", "pytorch-operator/test_operator_chunk",
        "pytorch-operator/test_operator_concat2", "pytorch-operator/test_operator_flatten",
        "pytorch-operator/test_operator_index", "pytorch-operator/test_operator_pad",
        "pytorch-operator/test_operator_permute2", "pytorch-operator/test_operator_repeat",
        "pytorch-operator/test_operator_repeat_dim_overflow", "pytorch-operator/test_operator_view",
        "simple/test_expand_shape_model1", "simple/test_expand_shape_model2",
        "simple/test_expand_shape_model3", "simple/test_expand_shape_model4",
    ]

    func testOlderOpsetCases() throws {
        guard let root = Self.nodeFolder?.deletingLastPathComponent() else { throw XCTSkip("conformance data not found") }
        let failures = Self.olderOpsetCases.compactMap { name in
            Self.check(root.appendingPathComponent(name)).map { "\(name): \($0)" }
        }
        print("older-opset cases: \(Self.olderOpsetCases.count - failures.count)/\(Self.olderOpsetCases.count) passed")
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    /// nil when the case passes, else what went wrong.
    static func check(_ folder: URL) -> String? {
        do {
            let session = try InferenceSession(model: Model(contentsOf: folder.appendingPathComponent("model.onnx")))
            let sets = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasPrefix("test_data_set_") }.sorted()
            for set in sets {
                let dir = folder.appendingPathComponent(set)
                func load(_ prefix: String, _ n: Int) throws -> [Tensor] {
                    try (0..<n).map { try ONNXImporter.loadTensor(url: dir.appendingPathComponent("\(prefix)_\($0).pb")) }
                }
                let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
                let inputs = try load("input", files.filter { $0.hasPrefix("input_") }.count)
                let expected = try load("output", files.filter { $0.hasPrefix("output_") }.count)
                let outputs = try session.run(inputs)
                guard outputs.count == expected.count else { return "\(outputs.count) outputs, expected \(expected.count)" }
                for (i, (actual, wanted)) in zip(outputs, expected).enumerated() {
                    if let problem = compare(actual, wanted) { return "\(set) output \(i): \(problem)" }
                }
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func compare(_ actual: Tensor, _ expected: Tensor) -> String? {
        guard actual.dataType == expected.dataType else { return "dtype \(actual.dataType), expected \(expected.dataType)" }
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        for i in 0..<expected.count {
            if expected.dataType.isFloatingPoint {
                let a = actual.doubleValue(at: i), e = expected.doubleValue(at: i)
                if a.isNaN && e.isNaN { continue }
                if a == e { continue }
                guard abs(a - e) <= 1e-7 + 1e-3 * abs(e) else { return "element \(i): \(a), expected \(e)" }
            } else if actual.int64Value(at: i) != expected.int64Value(at: i) {
                return "element \(i): \(actual.int64Value(at: i)), expected \(expected.int64Value(at: i))"
            }
        }
        return nil
    }
}
