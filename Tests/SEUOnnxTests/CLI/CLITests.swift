import Foundation
import XCTest

/// The `seu-onnx` executable end to end on the shipped fixtures.
final class CLITests: XCTestCase {
    let model = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx").path
    let x = TestPaths.fixtures.appendingPathComponent("digits_x.npy").path
    let y = TestPaths.fixtures.appendingPathComponent("digits_y.npy").path

    func testInfoListsInputsOperatorsAndInitializers() throws {
        let result = try CLIRunner.run(["info", model])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("format: ONNX IR 8, opset ai.onnx 17"), result.stdout)
        XCTAssertTrue(result.stdout.contains("input  float32[batch,1,8,8]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Conv 2"), result.stdout)
        XCTAssertTrue(result.stdout.contains("3,658 parameters"), result.stdout)
        XCTAssertTrue(result.stdout.range(of: #"conv2\.weight\s+float32\s+\[16,8,3,3\]\s+1,152"#, options: .regularExpression) != nil, result.stdout)
    }

    func testRunPrintsAccuracyAndWritesOutput() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("logits.npy").path
        let result = try CLIRunner.run(["run", model, "--input", x, "--labels", y, "--output", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("accuracy: 0.97778 (352/360)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("OpenBLAS"), result.stdout)
        let logits = try SEUOnnxTestsNPY.read(out)
        XCTAssertEqual(logits.shape, [360, 10])
    }

    func testInjectExhaustiveWritesOneRecordPerSite() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let csv = folder.appendingPathComponent("records.csv").path
        let result = try CLIRunner.run(["inject", model, "--input", x, "--labels", y, "--tensors", "fc2.bias",
                                        "--bits", "0,1", "--exhaustive", "--out", csv])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("baseline: accuracy 0.97778"), result.stdout)
        XCTAssertTrue(result.stdout.contains("injections: 20 in"), result.stdout)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 21)
        XCTAssertTrue(lines[0].hasPrefix("id,tensor,index,bit,field,dtype,before,after,bits_before,bits_after,metric,delta"))
        XCTAssertTrue(lines[1].hasPrefix("0,fc2.bias,0,0,sign,float32,"), String(lines[1]))
    }

    func testInjectWithoutDataOrFlagsRunsADefaultCampaign() throws {
        let jsonl = try TestPaths.temporaryDirectory(self).appendingPathComponent("r.jsonl").path
        let result = try CLIRunner.run(["inject", model, "--out", jsonl, "--seed", "3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("random, 300 distinct sites (seed 3)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("per bit (0 = most significant):"), result.stdout)
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 300)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        XCTAssertNotNil(first?["bits_before"] as? String)
        // Same seed, same faults and results.
        let again = try TestPaths.temporaryDirectory(self).appendingPathComponent("r.jsonl").path
        XCTAssertEqual(try CLIRunner.run(["inject", model, "--out", again, "--seed", "3", "--quiet"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: again, encoding: .utf8), try String(contentsOfFile: jsonl, encoding: .utf8))
    }

    /// Each bad invocation: non-zero exit, exactly one line on stderr naming the culprit.
    func testBadInputGivesOneLineErrors() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let truncated = folder.appendingPathComponent("cut.onnx").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: model)).prefix(5000)).write(to: URL(fileURLWithPath: truncated))
        // A copy of the model named like the sidecar of --out: inject must not overwrite it.
        let sidecarVictim = folder.appendingPathComponent("r.csv.campaign.json").path
        try FileManager.default.copyItem(atPath: model, toPath: sidecarVictim)
        let outOfRange = folder.appendingPathComponent("labels99.npy")
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (360,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var labels = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8)
        for _ in 0..<360 { labels.append(contentsOf: [99, 0, 0, 0, 0, 0, 0, 0]) }  // int64 99, little-endian
        try labels.write(to: outOfRange)
        let cases: [([String], Int32, String)] = [
            (["inject", model, "--frobnicate"], 2, "--frobnicate"),
            (["inject", model, "--count"], 2, "--count"),
            (["inject", model, "--count", "ten"], 2, "--count"),
            (["inject", model, "--count", "5", "--exhaustive"], 2, "--exhaustive"),
            (["inject", model, "--probability", "1.5"], 2, "--probability"),
            (["inject", model, "--bits", "32"], 2, "bit 32"),
            (["inject", model, "--tensors", "nothing*"], 1, "nothing*"),
            (["inject", model, "--out", "records.txt"], 2, "records.txt"),
            (["inject", folder.appendingPathComponent("missing.onnx").path], 1, "missing.onnx"),
            (["run", truncated, "--input", x], 1, "cut.onnx"),
            (["run", model, "--input", model], 1, "tiny_cnn.onnx"),
            (["run", model, "--input", y], 1, "digits_y.npy"),
            (["run", model, "--input", x, "--output", x], 1, "digits_x.npy"),
            (["inject", sidecarVictim, "--input", x, "--count", "2", "--out", folder.appendingPathComponent("r.csv").path], 1, "r.csv.campaign.json"),
            (["run", model, "--input", x, "--labels", outOfRange.path], 1, "--labels"),
            (["inject", model, "--input", x, "--labels", outOfRange.path, "--count", "2"], 1, "--labels"),
            (["inject", model, "--tensors", ""], 2, "--tensors"),
            // Output folders and report flags are checked before any work.
            (["inject", model, "--count", "2", "--out", folder.appendingPathComponent("nodir/r.csv").path], 1, "nodir"),
            (["run", model, "--input", x, "--output", folder.appendingPathComponent("nodir/o.npy").path], 1, "nodir"),
            (["report", "--top", "-1", folder.appendingPathComponent("absent.csv").path], 2, "--top"),
            (["frobnicate"], 2, "frobnicate"),
            (["info"], 2, "info"),
        ]
        for (arguments, status, culprit) in cases {
            let result = try CLIRunner.run(arguments)
            let label = arguments.joined(separator: " ")
            XCTAssertEqual(result.status, status, "\(label): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("seu-onnx: error: "), "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(culprit), "\(label) should name \(culprit): \(result.stderr)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sidecarVictim)), try Data(contentsOf: URL(fileURLWithPath: model)))
    }
}

/// Reads .npy from a test without importing the library under another name.
enum SEUOnnxTestsNPY {
    static func read(_ path: String) throws -> (shape: [Int], count: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = String(decoding: data.prefix(128), as: UTF8.self)
        guard let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else { return ([], 0) }
        let shape = header[header.index(after: open)..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (shape, shape.reduce(1, *))
    }
}
