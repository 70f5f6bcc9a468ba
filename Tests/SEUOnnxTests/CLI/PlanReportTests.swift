import Foundation
import XCTest
@testable import SEUOnnx

/// `plan`, planned `inject` and `report` on the shipped CNN.
final class PlanReportTests: XCTestCase {
    let model = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx").path
    let x = TestPaths.fixtures.appendingPathComponent("digits_x.npy").path
    let y = TestPaths.fixtures.appendingPathComponent("digits_y.npy").path

    func testPlanPrintsLeveugleSizesPerStratum() throws {
        let whole = try CLIRunner.run(["plan", model, "--margin", "0.05", "--confidence", "0.99"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertTrue(whole.stdout.contains("population: 117,056 sites"), whole.stdout)
        XCTAssertTrue(whole.stdout.contains("t = 2.5758"), whole.stdout)
        XCTAssertTrue(whole.stdout.contains("total: 660 injections"), whole.stdout)

        // ±5 % at 99 %: conv1.weight N = 2304 → 515.3 → 516; conv1.bias N = 256 → 185 > 128,
        // so all 256 (values from the formula with scipy.stats.norm.ppf(0.995)).
        let strata = try CLIRunner.run(["plan", model, "--tensors", "conv1.*", "--margin", "0.05", "--confidence", "0.99", "--per-tensor", "--shard", "2/3"])
        XCTAssertEqual(strata.status, 0, strata.stderr)
        XCTAssertNotNil(strata.stdout.range(of: #"conv1\.weight\s+2,304\s+516\s"#, options: .regularExpression), strata.stdout)
        XCTAssertNotNil(strata.stdout.range(of: #"conv1\.bias\s+256\s+256\s+100\.0000%\s+exhaustive"#, options: .regularExpression), strata.stdout)
        XCTAssertTrue(strata.stdout.contains("total: 772 injections in 2 strata (1 exhaustive)"), strata.stdout)
        XCTAssertTrue(strata.stdout.contains("shard 2/3: fault ids 1, 4, 7, ... (257 injections)"), strata.stdout)

        let threat = try CLIRunner.run(["plan", model, "--upset-rate", "500fit", "--mission-days", "3650"])
        XCTAssertEqual(threat.status, 0, threat.stderr)
        XCTAssertTrue(threat.stdout.contains("= 0.00488953857421875"), threat.stdout)

        for bad in [["--per-tensor"], ["--margin", "2"], ["--margin", "0.01", "--count", "5"], ["--mission-days", "3"]] {
            let result = try CLIRunner.run(["plan", model] + bad)
            XCTAssertEqual(result.status, 2, "\(bad): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("seu-onnx: error: invalid-argument"), result.stderr)
        }
    }

    func testPlannedInjectPrintsIntervalsAndReportWritesASelfContainedPage() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("r.jsonl").path
        let result = try CLIRunner.run(["inject", model, "--input", x, "--labels", y, "--tensors", "conv1.*", "--bits", "0-8",
                                        "--margin", "0.2", "--confidence", "0.95", "--per-tensor", "--out", out, "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // ±20 % at 95 %: conv1.weight 72 × 9 = 648 sites → 648/(1 + 0.04·647/0.960365) = 23.2 → 24;
        // conv1.bias 72 sites → 18.2 → 19 ≤ 36, sampled too.
        XCTAssertTrue(result.stdout.contains("plan: 2 strata, 0 injected exhaustively, 43 faults"), result.stdout)
        XCTAssertTrue(result.stdout.contains("intervals (95%): rates — stratified normal approximation; mean Δ — stratified normal approximation"), result.stdout)
        XCTAssertNotNil(result.stdout.range(of: #"critical\s+\d+\s+[\d.]+%\s+\[[\d.]+, [\d.]+\]%"#, options: .regularExpression), result.stdout)

        let html = folder.appendingPathComponent("report.html").path
        let svg = folder.appendingPathComponent("charts").path
        let report = try CLIRunner.run(["report", out, "--html", html, "--svg", svg, "--interval", "clopper-pearson"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("injections: 43\n"), report.stdout)
        XCTAssertNotNil(report.stdout.range(of: #"conv1\.weight\s+24\s"#, options: .regularExpression), report.stdout)
        // The per-tensor row carries the Clopper–Pearson interval of its critical count.
        let weightRecords = try RecordReader.read(path: out).records.filter { $0.tensor == "conv1.weight" }
        let critical = weightRecords.filter { $0.outcome.isCritical }.count
        let expected = CampaignReport.bracket(Intervals.proportion(critical, of: 24, confidence: 0.95, method: .clopperPearson))
        XCTAssertNotNil(report.stdout.range(of: #"conv1\.weight\s+24\s.*\s"# + NSRegularExpression.escapedPattern(for: expected),
                                            options: .regularExpression), "\(expected) in \(report.stdout)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(page.components(separatedBy: "<svg ").count - 1, 3, "bit chart, heatmap, histogram")
        for forbidden in ["<script", "<link", "src=", "https://", "@import"] {
            XCTAssertFalse(page.contains(forbidden), "self-contained: found \(forbidden)")
        }
        XCTAssertEqual(page.components(separatedBy: "http://").count - 1, 3, "only the SVG namespace")
        let changed = try RecordReader.read(path: out).records.filter { !$0.masked }.count
        XCTAssertTrue(page.contains("Worst \(min(20, changed)) faults"), "masked faults are not listed")
        XCTAssertTrue(page.contains("stratified normal approximation"))
        for name in ["bits.svg", "heatmap.svg", "delta.svg"] {
            let chart = try String(contentsOfFile: (svg as NSString).appendingPathComponent(name), encoding: .utf8)
            XCTAssertTrue(chart.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), name)
            XCTAssertTrue(chart.hasSuffix("</svg>\n"), name)
        }

        let missing = try CLIRunner.run(["report", folder.appendingPathComponent("none.csv").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no campaign sidecar"), missing.stderr)
    }

    func testExhaustiveCampaignReportsExactRates() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("r.csv").path
        let result = try CLIRunner.run(["inject", model, "--input", x, "--labels", y, "--tensors", "fc2.bias", "--bits", "0,1",
                                        "--exhaustive", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("intervals (95%): rates — exact (whole population injected); mean Δ — exact"), result.stdout)
        let records = try RecordReader.read(path: out).records
        let due = records.filter { $0.outcome == .due }.count
        XCTAssertNotNil(result.stdout.range(of: #"DUE\s+\#(due)\s+[\d.]+%\s+exact"#, options: .regularExpression), result.stdout)
        XCTAssertTrue(records.contains { $0.outcome == .masked || $0.outcome == .tolerable })
    }
}
