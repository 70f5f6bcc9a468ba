import Foundation
import XCTest

/// `seu-onnx conformance` on the fixture cases (Fixtures/conformance).
final class ConformanceCLITests: XCTestCase {
    let data = TestPaths.fixtures.appendingPathComponent("conformance").path

    private func allowList(_ text: String) throws -> String {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("allow-list.txt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testReportAndExitStatusFollowTheClaims() throws {
        let passing = try allowList("node/test_fixture_relu\n")
        let ok = try CLIRunner.run(["conformance", data, "--allow-list", passing])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("data: \(data) (6 cases)"), ok.stdout)
        XCTAssertTrue(ok.stdout.range(of: #"\n  Relu\s+2\s+1\s+1\s+0\s+0\n"#, options: .regularExpression) != nil, ok.stdout)
        XCTAssertTrue(ok.stdout.range(of: #"\n  node\s+5\s+1\s+1\s+1\s+2\n"#, options: .regularExpression) != nil, ok.stdout)
        XCTAssertTrue(ok.stdout.contains("Failures of cases not claimed in the allow-list (3):"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("  simple/test_fixture_two_sets  failed: output 0 'd' in test_data_set_1: element 1: 5.0, expected 5.5"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("Claimed cases: 1 run, all passed."), ok.stdout)

        let failing = try allowList("node/test_fixture_relu\nsimple/test_fixture_two_sets\nnode/test_fixture_custom_op\n")
        let bad = try CLIRunner.run(["conformance", data, "--allow-list", failing])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("Claimed cases that did not pass (2 of 3):"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("  node/test_fixture_custom_op  error: unsupported-operator:"), bad.stdout)
        XCTAssertTrue(bad.stderr.contains("2 claimed conformance cases did not pass: node/test_fixture_custom_op, simple/test_fixture_two_sets"), bad.stderr)

        // In-process and filtered runs give the same verdicts.
        let filtered = try CLIRunner.run(["conformance", data, "--allow-list", failing, "--filter", "test_fixture_relu*", "--in-process", "--list"])
        XCTAssertEqual(filtered.status, 0, filtered.stderr)
        XCTAssertTrue(filtered.stdout.contains("(2 cases)"), filtered.stdout)
        XCTAssertTrue(filtered.stdout.contains("node/test_fixture_relu_off  [Relu]"), filtered.stdout)
    }

    func testWriteAllowListKeepsExclusionsAndNeverOverwritesItsInput() throws {
        let input = try allowList("# my notes\n!node/test_fixture_float8_output  float8 types are out of scope\nnode/test_fixture_relu_off\n")
        let output = try TestPaths.temporaryDirectory(self).appendingPathComponent("new.txt").path
        let result = try CLIRunner.run(["conformance", data, "--allow-list", input, "--write-allow-list", output])
        XCTAssertEqual(result.status, 1, "the claimed test_fixture_relu_off fails")
        XCTAssertTrue(result.stdout.contains("wrote \(output) (1 claimed, 1 excluded)"), result.stdout)
        let written = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertTrue(written.hasPrefix("# my notes\n!node/test_fixture_float8_output  float8 types are out of scope\n"), written)
        XCTAssertTrue(written.contains("\n# node: 1 case\nnode/test_fixture_relu\n"), written)
        XCTAssertFalse(written.contains("test_fixture_relu_off"), written)

        let refused = try CLIRunner.run(["conformance", data, "--allow-list", input, "--write-allow-list", input])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("refused-overwrite"), refused.stderr)
        XCTAssertTrue(try String(contentsOfFile: input, encoding: .utf8).contains("node/test_fixture_relu_off"))
    }

    func testBadArguments() throws {
        let missing = try CLIRunner.run(["conformance", "/nonexistent/conformance", "--allow-list", try allowList("")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("error: io:"), missing.stderr)
        let malformed = try CLIRunner.run(["conformance", data, "--allow-list", try allowList("not a case name\n")])
        XCTAssertEqual(malformed.status, 2)
        XCTAssertTrue(malformed.stderr.contains("line 1"), malformed.stderr)
        XCTAssertEqual(try CLIRunner.run(["conformance", data, "--timeout", "0"]).status, 2)
    }
}
