import Foundation
import XCTest
@testable import SEUOnnx

/// Replaying listed faults gives the campaign's records again, and an exported faulty model,
/// evaluated on its own, scores exactly what the campaign recorded for its fault.
final class ReplayConsistencyTests: XCTestCase {
    let tiny = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx")

    private func digits() throws -> CampaignData {
        try CampaignData(inputs: [NPY.read(path: TestPaths.fixtures.appendingPathComponent("digits_x.npy").path)],
                         labels: NPY.read(path: TestPaths.fixtures.appendingPathComponent("digits_y.npy").path))
    }

    /// 24 of conv1.weight's exponent MSBs: about half give NaN/Inf outputs.
    private func campaignRecords(_ model: Model, _ data: CampaignData) throws -> [InjectionRecord] {
        let campaign = try Campaign(model: model, data: data, configuration: .init(selection: TensorSelection(patterns: ["conv1.weight"]),
                                                                                   bits: BitSelection(positions: [1]), mode: .count(24), seed: 3))
        var records: [InjectionRecord] = []
        try campaign.run { records.append($0) }
        return records
    }

    func testAnExplicitFaultListReplaysTheRecords() throws {
        let model = try Model(contentsOf: tiny)
        let data = try digits()
        let records = try campaignRecords(model, data)
        let picked = [records[20], records[3], records[11], records[3]]
        let multi = Fault([FaultSite(tensor: "conv1.weight", index: 3, bit: 1), FaultSite(tensor: "fc2.bias", index: 0, bit: 0)])
        let replay = try Campaign(model: model, data: data, faults: picked.map(\.fault) + [multi])
        XCTAssertEqual(replay.faults.count, 5)
        XCTAssertEqual(replay.configuration.mode, .explicit(5))
        var replayed: [InjectionRecord] = []
        let summary = try replay.run { replayed.append($0) }
        XCTAssertEqual(summary.overall.injections, 5)
        XCTAssertEqual(replayed.map(\.id), [0, 1, 2, 3, 4])
        for (a, b) in zip(replayed, picked) {
            XCTAssertEqual(a.site, b.site)
            XCTAssertEqual(a.metric, b.metric)
            XCTAssertEqual(a.mismatches, b.mismatches)
            XCTAssertEqual(a.bitsAfter, b.bitsAfter)
            XCTAssertEqual(a.nonfiniteSamples, b.nonfiniteSamples)
            XCTAssertEqual(a.meanSquaredError.bitPattern, b.meanSquaredError.bitPattern)
        }
        XCTAssertEqual(replayed[4].extraSites, [FaultSite(tensor: "fc2.bias", index: 0, bit: 0)])
        XCTAssertEqual(replayed[4].metric, try replay.inject(multi, id: 9).metric)
        XCTAssertTrue(CampaignReport(summary: summary).text.contains("replay of 5 listed faults"))
        XCTAssertThrowsError(try Campaign(model: model, data: data, faults: [Fault(FaultSite(tensor: "conv1.weight", index: 72, bit: 1))])) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidFault)
        }
    }

    /// Each exported model, loaded from its bytes and evaluated alone, gives the recorded
    /// accuracy, top-5 and changed-input count — including faults with NaN/Inf outputs.
    func testExportedModelsScoreWhatTheCampaignRecorded() throws {
        let model = try Model(contentsOf: tiny)
        let data = try digits()
        let records = try campaignRecords(model, data)
        var worst = WorstRecords(capacity: 4, hasLabels: true)
        records.forEach { worst.add($0) }
        let nonfinite = try XCTUnwrap(records.first { $0.nonfinite })
        let mild = try XCTUnwrap(records.max { $0.metric < $1.metric })
        let baselineTop1 = try CampaignEvaluator(session: InferenceSession(model: model), data: data, batchSize: 64).baselineTop1
        for record in worst.records + [nonfinite, mild] {
            let faulty = try model.applying(record.fault)
            let exported = try ONNXImporter.load(data: faulty.bytes, baseDirectory: nil)
            let outputs = try BatchedInference.run(session: InferenceSession(model: exported), data: data, batchSize: 64)
            let hits = try BatchedInference.hits(output: outputs[0], labels: try XCTUnwrap(data.labels))
            XCTAssertEqual(Double(hits.top1) / 360, record.metric, "record \(record.id)")
            XCTAssertEqual(Double(hits.top5) / 360, record.top5, "record \(record.id)")
            let logits = outputs[0].convertedToFloat()
            let changed = (0..<360).filter { Classification.argmax(logits.floats + $0 * 10, count: 10) != baselineTop1[$0] }.count
            XCTAssertEqual(changed, record.mismatches, "record \(record.id)")
        }
        XCTAssertEqual(worst.records.first?.metric, records.map(\.metric).min())
    }

    func testWorstRecordsFeedTheExportThroughTheCLI() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let x = TestPaths.fixtures.appendingPathComponent("digits_x.npy").path
        let y = TestPaths.fixtures.appendingPathComponent("digits_y.npy").path
        let csv = folder.appendingPathComponent("r.csv").path
        let dir = folder.appendingPathComponent("worst").path
        let result = try CLIRunner.run(["inject", tiny.path, "--input", x, "--labels", y, "--tensors", "conv1.weight", "--bits", "1",
                                        "--exhaustive", "--out", csv, "--export-worst", "3", dir, "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("exported the 3 most damaging faulty models"), result.stdout)
        let records = try RecordReader.read(path: csv).records
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".onnx") }.sorted()
        XCTAssertEqual(files.count, 3)
        XCTAssertTrue(files[0].hasPrefix("tiny_cnn-worst01-conv1.weight-"), files[0])
        for file in files {
            let path = (dir as NSString).appendingPathComponent(file)
            let manifest = try ExportManifest.read(url: URL(fileURLWithPath: path + ".json"))
            let recorded = try XCTUnwrap(manifest.campaign)
            XCTAssertEqual(manifest.sites, records[recorded.id].fault.sites)
            XCTAssertEqual(recorded.metric, records[recorded.id].metric)
            let run = try CLIRunner.run(["run", path, "--input", x, "--labels", y])
            XCTAssertEqual(run.status, 0, run.stderr)
            let correct = Int((recorded.metric * 360).rounded())
            XCTAssertTrue(run.stdout.contains("accuracy: \(Format.fixed(recorded.metric)) (\(correct)/360)"), run.stdout)
            XCTAssertTrue(run.stdout.contains("campaign record \(recorded.id) (export manifest): accuracy \(Format.fixed(recorded.metric))"), run.stdout)
        }
        // Replaying the worst rows evaluates exactly those faults again.
        let ids = try files.map { try XCTUnwrap(ExportManifest.read(url: URL(fileURLWithPath: (dir as NSString).appendingPathComponent($0) + ".json")).campaign?.id) }
        let replayCSV = folder.appendingPathComponent("replay.csv").path
        let replay = try CLIRunner.run(["inject", tiny.path, "--input", x, "--labels", y, "--faults", csv,
                                        "--rows", ids.map(String.init).joined(separator: ","), "--out", replayCSV, "--quiet"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertTrue(replay.stdout.contains("campaign: replay of 3 listed faults"), replay.stdout)
        let replayed = try RecordReader.read(path: replayCSV).records
        XCTAssertEqual(Set(replayed.map(\.site)), Set(ids.map { records[$0].site }))
        for r in replayed {
            let original = try XCTUnwrap(records.first { $0.site == r.site })
            XCTAssertEqual(r.metric, original.metric)
            XCTAssertEqual(r.mismatches, original.mismatches)
        }
    }

    func testReplayReadsMultiSiteRowsFromAHandWrittenFile() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let csv = folder.appendingPathComponent("faults.csv")
        try Data("""
        id,tensor,index,bit,extra_sites
        0,fc2.bias,3,0,
        1,conv1.weight,67,1,fc2.bias[0]:0;conv1.bias[2]:1

        """.utf8).write(to: csv)
        let x = TestPaths.fixtures.appendingPathComponent("digits_x.npy").path
        let y = TestPaths.fixtures.appendingPathComponent("digits_y.npy").path
        let out = folder.appendingPathComponent("replay.jsonl").path
        let result = try CLIRunner.run(["inject", tiny.path, "--input", x, "--labels", y, "--faults", csv.path, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try RecordReader.read(path: out).records
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[1].fault.sites.count, 3)
        let model = try Model(contentsOf: tiny)
        let campaign = try Campaign(model: model, data: try digits(), faults: [])
        for record in records {
            XCTAssertEqual(record.metric, try campaign.inject(record.fault, id: record.id).metric)
        }
        // --faults cannot be combined with a drawn campaign, and --rows needs --faults.
        let conflict = try CLIRunner.run(["inject", tiny.path, "--faults", csv.path, "--count", "5"])
        XCTAssertEqual(conflict.status, 2)
        XCTAssertTrue(conflict.stderr.contains("--count"), conflict.stderr)
        XCTAssertEqual(try CLIRunner.run(["inject", tiny.path, "--rows", "1"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["inject", tiny.path, "--faults", csv.path, "--rows", "7"]).status, 2)
        let overwrite = try CLIRunner.run(["inject", tiny.path, "--faults", csv.path, "--out", csv.path])
        XCTAssertEqual(overwrite.status, 1)
        XCTAssertTrue(overwrite.stderr.contains("refused-overwrite"), overwrite.stderr)
    }
}
