import Foundation
import XCTest
@testable import SEUOnnx

/// The CLI on the float16, bfloat16 and int8 fixtures, and `inject --as`.
final class FormatCLITests: XCTestCase {
    private func fixture(_ name: String) -> String { TestPaths.fixtures.appendingPathComponent(name).path }

    /// The first `count` digits and labels, written to a temporary folder.
    private func digits(_ count: Int) throws -> (x: String, y: String) {
        let folder = try TestPaths.temporaryDirectory(self)
        let all = try CampaignData(inputs: [NPY.read(path: fixture("digits_x.npy"))], labels: nil)
        let labels = try NPY.read(path: fixture("digits_y.npy")).intValues().prefix(count).map { Int64($0) }
        let x = folder.appendingPathComponent("x.npy"), y = folder.appendingPathComponent("y.npy")
        try NPY.write(all.batch(0..<count)[0], to: x)
        try NPY.write(Tensor(shape: [count], elements: labels), to: y)
        return (x.path, y.path)
    }

    func testSixteenBitModelsRunOnFloat32Data() throws {
        for (name, type) in [("tiny_cnn_fp16.onnx", "float16"), ("tiny_cnn_bf16.onnx", "bfloat16")] {
            let result = try CLIRunner.run(["run", fixture(name), "--input", fixture("digits_x.npy"), "--labels", fixture("digits_y.npy")])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("input 'input': \(type) [360, 1, 8, 8]"), result.stdout)
            XCTAssertTrue(result.stdout.contains("accuracy: 0.97778 (352/360)"), result.stdout)
        }
    }

    func testInt8CampaignReportsSiteKinds() throws {
        let (x, y) = try digits(48)
        let csv = try TestPaths.temporaryDirectory(self).appendingPathComponent("r.csv").path
        let result = try CLIRunner.run(["inject", fixture("tiny_cnn_int8.onnx"), "--input", x, "--labels", y,
                                        "--tensors", "fc2.weight_scale,fc2.weight_zero_point,conv1.bias_quantized",
                                        "--bits", "0,1", "--exhaustive", "--out", csv, "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // Per-channel scale and zero point (10 each) and the int32 bias (8), × 2 bits.
        XCTAssertTrue(result.stdout.contains("injections: 56 in"), result.stdout)
        XCTAssertTrue(result.stdout.contains("per site kind:"), result.stdout)
        XCTAssertTrue(result.stdout.range(of: #"int8\s+0\s+sign"#, options: .regularExpression) != nil, result.stdout)
        XCTAssertTrue(result.stdout.range(of: #"float32\s+1\s+exponent"#, options: .regularExpression) != nil, result.stdout)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines[0].hasSuffix(",site_kind"))
        XCTAssertEqual(Set(lines.dropFirst().map { String($0.split(separator: ",").last ?? "") }), ["weight", "scale", "zero_point"])
    }

    func testInjectAsComparesFormatsSideBySide() throws {
        let (x, y) = try digits(32)
        let jsonl = try TestPaths.temporaryDirectory(self).appendingPathComponent("r.jsonl").path
        let result = try CLIRunner.run(["inject", fixture("tiny_cnn.onnx"), "--input", x, "--labels", y, "--as", "float32,fp16,bf16",
                                        "--count", "12", "--seed", "4", "--out", jsonl])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("storage formats: float32, float16, bfloat16"), result.stdout)
        XCTAssertTrue(result.stdout.contains("the same 12 elements in every format"), result.stdout)
        XCTAssertTrue(result.stdout.range(of: #"bits per weight\s+32\s+16\s+16"#, options: .regularExpression) != nil, result.stdout)
        XCTAssertTrue(result.stdout.contains("per field"), result.stdout)
        let records = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(records.count, 36)
        XCTAssertEqual(records.map { $0["dtype"] as? String }, Array(repeating: "float32", count: 12) + Array(repeating: "float16", count: 12) + Array(repeating: "bfloat16", count: 12))
        XCTAssertEqual(records[12..<24].map { $0["index"] as? Int }, records[0..<12].map { $0["index"] as? Int })
    }

    func testConvertWritesARunnableModel() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("half.onnx").path
        let result = try CLIRunner.run(["convert", fixture("tiny_cnn_external.onnx"), "--to", "float16", "-o", out, "--keep-io-types"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("tensors converted: 8 (3,658 values)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("casts added: 2"), result.stdout)
        XCTAssertTrue(result.stdout.contains("top-1 equal"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + ".data"))
        let run = try CLIRunner.run(["run", out, "--input", fixture("digits_x.npy"), "--labels", fixture("digits_y.npy")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("accuracy: 0.97778 (352/360)"), run.stdout)
        // Never over the input, and the flags are checked.
        let over = try CLIRunner.run(["convert", fixture("tiny_cnn.onnx"), "--to", "float16", "-o", fixture("tiny_cnn.onnx")])
        XCTAssertEqual(over.status, 1)
        XCTAssertTrue(over.stderr.contains("refused-overwrite"), over.stderr)
        let missing = try CLIRunner.run(["convert", fixture("tiny_cnn.onnx"), "-o", out])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("--to"), missing.stderr)
        let both = try CLIRunner.run(["convert", fixture("tiny_cnn.onnx"), "--to", "bf16", "-o", out, "--weights-only", "--keep-io-types"])
        XCTAssertEqual(both.status, 2, both.stderr)
    }

    func testBadFormatFlagsAreUsageErrors() throws {
        let model = fixture("tiny_cnn.onnx")
        let cases: [([String], String)] = [
            (["inject", model, "--as", "float8"], "--as"),
            (["inject", model, "--as", "float16", "--bits", "20"], "--bits"),
            (["inject", model, "--as", "float16,float16"], "--as"),
            (["inject", model, "--as", "bfloat16", "--probability", "0.01"], "--probability"),
            (["inject", fixture("tiny_cnn_fp16.onnx"), "--as", "bfloat16"], "--as"),
            (["inject", fixture("tiny_cnn_int8.onnx"), "--tensors", "conv1.weight_quantized", "--bits", "exponent"], "--bits"),
            (["inject", fixture("tiny_cnn_fp16.onnx"), "--bits", "16"], "--bits"),
        ]
        for (arguments, flag) in cases {
            let result = try CLIRunner.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("invalid-argument") && result.stderr.contains(flag), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
    }
}
