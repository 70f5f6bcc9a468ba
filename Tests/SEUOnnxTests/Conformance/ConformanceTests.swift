import Foundation
import XCTest
@testable import SEUOnnx

/// Runs exactly the conformance cases claimed in `Conformance/allow-list.txt` that the data
/// folder holds; fails naming every claimed case that does not pass.
///
/// Data: `$SEU_CONFORMANCE_DIR`, else `../shared/conformance/onnx-1.23` next to the checkout, else
/// `conformance/onnx-1.23` beside `$SEU_SHARED_MODELS`.
/// Without it (a clean CI machine) the test is skipped with a printed reason.
final class ConformanceTests: XCTestCase {
    static var dataFolder: URL? {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["SEU_CONFORMANCE_DIR"].map { URL(fileURLWithPath: $0) },
                          TestPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/onnx-1.23"),
                          // beside the reference models when only SEU_SHARED_MODELS is set
                          environment["SEU_SHARED_MODELS"].map {
                              URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("conformance/onnx-1.23")
                          }]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static let allowListURL = TestPaths.packageRoot.appendingPathComponent("Conformance/allow-list.txt")

    func testClaimedCasesPass() throws {
        guard let folder = Self.dataFolder else {
            let reason = "conformance data not found (../shared/conformance/onnx-1.23; set SEU_CONFORMANCE_DIR): skipping the claimed conformance cases"
            print("SKIP: \(reason)")
            throw XCTSkip(reason)
        }
        let allowList = try AllowList(url: Self.allowListURL)
        XCTAssertFalse(allowList.claimed.isEmpty, "the allow-list claims no case")
        let cases = try ConformanceCase.discover(in: folder).filter { allowList.isClaimed($0.id) }
        let start = Date()
        let runner = ConformanceRunner()
        var results: [ConformanceResult] = []
        for testCase in cases {
            let result = runner.run(testCase)
            results.append(result)
            if !result.passed {
                XCTFail("claimed conformance case \(testCase.id) [\(result.operatorLabel)]: \(result.outcome)")
            }
        }
        let found = Set(cases.map(\.id))
        let missing = allowList.claimed.filter { !found.contains($0) }
        let slowest = results.sorted { $0.seconds > $1.seconds }.prefix(3)
            .map { "\($0.testCase.id) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", ")
        print("conformance: \(results.filter(\.passed).count)/\(cases.count) claimed cases passed in \(String(format: "%.1f", Date().timeIntervalSince(start))) s (\(folder.path)); slowest: \(slowest)")
        if !missing.isEmpty {
            print("note: \(missing.count) claimed case(s) not in \(folder.path): \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", ..." : "")")
        }
    }
}
