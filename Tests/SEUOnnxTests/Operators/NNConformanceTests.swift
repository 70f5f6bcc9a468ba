import Foundation
import XCTest
@testable import SEUOnnx

/// The ONNX node conformance cases of the neural-network operator families, `_expanded`
/// variants (function bodies built from other operators) included (skipped when the
/// conformance data is absent).
final class NNConformanceTests: XCTestCase {
    static let prefixes = [
        "test_basic_conv_", "test_conv_", "test_convtranspose", "test_gemm_", "test_matmul_",
        "test_maxpool_", "test_averagepool_", "test_globalaveragepool", "test_globalmaxpool", "test_lppool_",
        "test_reduce_", "test_argmax_", "test_argmin_", "test_batchnorm_", "test_instancenorm_",
        "test_layer_normalization_", "test_lrn", "test_softmax_", "test_logsoftmax_", "test_hardmax_", "test_resize_",
        "test_upsample_",
    ]

    /// Cases deliberately not supported, with the reason.
    static let knownFailures: [String: String] = [:]

    func testNeuralNetworkNodeCases() throws {
        let root = try NodeCaseRunner.requireRoot()
        let filter = ProcessInfo.processInfo.environment["SEU_CONFORMANCE_FILTER"]
        let cases = try NodeCaseRunner.cases(in: root, prefixes: Self.prefixes) { name in
            name.contains("integer") || (filter.map { !name.contains($0) } ?? false)
        }
        var passed = 0
        var failures: [String] = []
        for folder in cases {
            let name = folder.lastPathComponent
            if let reason = NodeCaseRunner.check(folder) {
                if Self.knownFailures[name] == nil { failures.append("\(name): \(reason)") }
            } else {
                passed += 1
            }
        }
        print("NN node cases: \(passed)/\(cases.count) passed")
        for failure in failures { print("FAIL \(failure)") }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) unexpected failures; first: \(failures.first ?? "")")
    }

    /// Older-opset (mostly opset 6) models converted from PyTorch: Softmax's 2-D coercion,
    /// Gemm's `broadcast`, BatchNormalization's `is_test`/`spatial`, ReduceSum's axes attribute.
    func testPyTorchConvertedCases() throws {
        let root = try NodeCaseRunner.requireRoot()
        var cases = try NodeCaseRunner.cases(in: root, subfolder: "pytorch-converted", prefixes: [
            "test_AvgPool", "test_BatchNorm", "test_Conv", "test_Linear", "test_LogSoftmax", "test_MaxPool",
            "test_Softmax", "test_Softmin", "test_log_softmax", "test_softmax",
        ])
        cases += try NodeCaseRunner.cases(in: root, subfolder: "pytorch-operator", prefixes: [
            "test_operator_addmm", "test_operator_conv", "test_operator_maxpool", "test_operator_mm",
            "test_operator_reduced", "test_operator_symbolic_override",
        ])
        XCTAssertGreaterThanOrEqual(cases.count, 65)
        var failures: [String] = []
        for folder in cases {
            if let reason = NodeCaseRunner.check(folder) { failures.append("\(folder.lastPathComponent): \(reason)") }
        }
        print("PyTorch-converted NN cases: \(cases.count - failures.count)/\(cases.count) passed")
        for failure in failures { print("FAIL \(failure)") }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) failures; first: \(failures.first ?? "")")
    }
}
