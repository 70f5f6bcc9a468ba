import Foundation
import XCTest
@testable import SEUOnnx

/// `seu-onnx flip`, `corrupt` and `info` on exported models, end to end.
final class ExportCLITests: XCTestCase {
    let tiny = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx").path
    let external = TestPaths.fixtures.appendingPathComponent("tiny_cnn_external.onnx").path

    func testFlipWithFlatIndexOrCoordinatesWritesTheSameModel() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let a = folder.appendingPathComponent("a.onnx").path, b = folder.appendingPathComponent("b.onnx").path
        let first = try CLIRunner.run(["flip", tiny, "--fault", "conv1.weight[67]:1", "-o", a])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("conv1.weight[67] [7,0,1,1] bit 1 exponent float32 raw_data: 0.8049122 (0x3f4e0eba) → 2.7389743e+38 (0x7f4e0eba)"), first.stdout)
        XCTAssertTrue(first.stdout.contains("the output differs from the source in 1 bit"), first.stdout)
        XCTAssertEqual(try CLIRunner.run(["flip", tiny, "--fault", "conv1.weight[7,0,1,1]:1", "--output", b]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))

        let info = try CLIRunner.run(["info", a])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("export manifest: a.onnx.json (seu-onnx \(SEUOnnxVersion.string))"), info.stdout)
        XCTAssertTrue(info.stdout.contains("a.onnx: sha256 matches the manifest"), info.stdout)
        XCTAssertTrue(info.stdout.contains("command: seu-onnx flip \(tiny) --fault 'conv1.weight[67]:1' -o \(a)"), info.stdout)
    }

    func testFlipReadsRowsOfARecordFile() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let csv = folder.appendingPathComponent("r.csv").path
        XCTAssertEqual(try CLIRunner.run(["inject", tiny, "--tensors", "fc2.bias", "--bits", "0,1", "--exhaustive", "--out", csv, "--quiet"]).status, 0)
        let records = try RecordReader.read(path: csv).records
        let out = folder.appendingPathComponent("rows.onnx").path
        let result = try CLIRunner.run(["flip", tiny, "--faults", csv, "--rows", "1,4-5", "--fault", "conv1.bias[0]:0", "-o", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let manifest = try ExportManifest.read(url: URL(fileURLWithPath: out + ".json"))
        XCTAssertEqual(manifest.sites, [FaultSite(tensor: "conv1.bias", index: 0, bit: 0)] + [1, 4, 5].map { records[$0].site })
        try Model(path: out).assertEqualsSource(try Model(path: tiny), flipped: manifest.sites)
    }

    func testCorruptIsReproducibleAndRecordsItsSeed() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let a = folder.appendingPathComponent("a.onnx").path, b = folder.appendingPathComponent("b.onnx").path
        let c = folder.appendingPathComponent("c.onnx").path
        let args = ["corrupt", external, "--ber", "0.001", "--tensors", "conv2.weight,fc1.weight", "--bits", "exponent", "--seed", "11"]
        let first = try CLIRunner.run(args + ["-o", a])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try CLIRunner.run(args + ["-o", b]).status, 0)
        let ma = try ExportManifest.read(url: URL(fileURLWithPath: a + ".json"))
        let mb = try ExportManifest.read(url: URL(fileURLWithPath: b + ".json"))
        XCTAssertEqual(ma.seed, 11)
        XCTAssertEqual(ma.sites, mb.sites)
        XCTAssertEqual(ma.outputDataFiles.first?.sha256, mb.outputDataFiles.first?.sha256)
        // (1,152 + 2,048) elements × 8 exponent bits = 25,600 sites at 1e-3: about 25.6 flips.
        XCTAssertTrue(first.stdout.contains("over 25,600 bits (2 tensors): \(ma.faults.count) flips drawn (expected 25.60)"), first.stdout)
        XCTAssertTrue((10...45).contains(ma.faults.count), "\(ma.faults.count)")
        XCTAssertTrue(ma.faults.allSatisfy { (1...8).contains($0.bit) && ["conv2.weight", "fc1.weight"].contains($0.tensor) })
        XCTAssertEqual(ma.changedBits, ma.faults.count)
        try Model(path: a).assertEqualsSource(try Model(path: external), flipped: ma.sites)

        let count = try CLIRunner.run(["corrupt", tiny, "--count", "5", "--seed", "3", "-o", c])
        XCTAssertEqual(count.status, 0, count.stderr)
        let mc = try ExportManifest.read(url: URL(fileURLWithPath: c + ".json"))
        XCTAssertEqual(Set(mc.sites).count, 5)
        XCTAssertEqual(ByteDiff.cmp(try Data(contentsOf: URL(fileURLWithPath: tiny)), try Data(contentsOf: URL(fileURLWithPath: c))).count, 5)
    }

    /// Each bad invocation: non-zero exit, one line on stderr naming the culprit, no output.
    func testBadInvocationsFailCleanly() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("o.onnx").path
        let cases: [([String], Int32, String)] = [
            (["flip", tiny, "--fault", "conv1.weight[0]:1"], 2, "-o"),
            (["flip", tiny, "-o", out], 2, "--fault"),
            (["flip", tiny, "--fault", "conv1.weight[0]", "-o", out], 2, "conv1.weight[0]"),
            (["flip", tiny, "--fault", "nope[0]:1", "-o", out], 1, "nope"),
            (["flip", tiny, "--fault", "conv1.weight[72]:1", "-o", out], 1, "out of range"),
            (["flip", tiny, "--fault", "conv1.weight[8,0,0,0]:1", "-o", out], 1, "axis 0"),
            (["flip", tiny, "--fault", "conv1.weight[1,2]:1", "-o", out], 1, "2 coordinates"),
            (["flip", tiny, "--fault", "conv1.weight[0]:32", "-o", out], 1, "bit 32"),
            (["flip", tiny, "--fault", "conv1.weight[0]:1", "-o", tiny], 1, "refused-overwrite"),
            (["flip", tiny, "--rows", "1", "--fault", "conv1.weight[0]:1", "-o", out], 2, "--rows"),
            (["corrupt", tiny, "-o", out], 2, "--count"),
            (["corrupt", tiny, "--count", "3", "--ber", "0.1", "-o", out], 2, "--ber"),
            (["corrupt", tiny, "--count", "200000", "-o", out], 2, "117056 sites"),
            (["corrupt", tiny, "--ber", "2", "-o", out], 2, "--ber"),
            (["inject", tiny, "--export-worst", "0", folder.path], 2, "--export-worst"),
            (["inject", tiny, "--export-worst", "3"], 2, "--export-worst"),
        ]
        for (arguments, status, culprit) in cases {
            let result = try CLIRunner.run(arguments)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(culprit), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testJSONLinesMetricsReadBackExactly() throws {
        // Foundation parses JSON numbers as decimals; 352/360 must come back as the same double.
        let line = #"{"id":0,"tensor":"w","index":1,"bit":2,"metric":0.9777777777777777,"delta":-0.011111111111111072}"#
        let record = try XCTUnwrap(RecordReader.parse(Data((line + "\n").utf8), format: .jsonl).records.first)
        XCTAssertEqual(record.metric, 352.0 / 360.0)
        XCTAssertEqual(record.delta, -0.011111111111111072)
    }
}
