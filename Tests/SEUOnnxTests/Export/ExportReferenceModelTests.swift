import Foundation
import XCTest
@testable import SEUOnnx

/// Export on the reference models in ../shared/models (skipped with a printed reason when
/// absent): byte-exact flips on digits_cnn and resnet18_digits32, and for digits_cnn the
/// exported worst faults scoring exactly the recorded accuracies.
final class ExportReferenceModelTests: XCTestCase {
    func testDigitsCNNExportWorstMatchesTheCampaign() throws {
        let shared = try TestPaths.requireSharedModels()
        let modelURL = shared.appendingPathComponent("digits_cnn.onnx")
        let model = try Model(contentsOf: modelURL)
        let data = try CampaignData(inputs: [NPY.read(path: shared.appendingPathComponent("digits_test_x.npy").path)],
                                    labels: NPY.read(path: shared.appendingPathComponent("digits_test_y.npy").path))
        let campaign = try Campaign(model: model, data: data, configuration: .init(selection: TensorSelection(patterns: ["conv1.weight"]),
                                                                                   bits: BitSelection(positions: [1]), mode: .count(40), seed: 5))
        XCTAssertEqual(campaign.baselineMetric, 356.0 / 360.0)
        var worst = WorstRecords(capacity: 3, hasLabels: true)
        try campaign.run { worst.add($0) }
        let folder = try TestPaths.temporaryDirectory(self)
        let sourceBytes = try Data(contentsOf: modelURL)
        for (rank, record) in worst.records.enumerated() {
            let out = folder.appendingPathComponent("worst\(rank).onnx")
            try model.applying(record.fault).write(to: out)
            let written = try Data(contentsOf: out)
            XCTAssertEqual(written.count, sourceBytes.count)
            let diff = ByteDiff.cmp(sourceBytes, written)
            XCTAssertEqual(diff.count, 1)
            XCTAssertEqual(diff.first.map { $0.old ^ $0.new }, 0x40, "bit 1 is mask 0x40 of the element's last byte")
            let exported = try Model(contentsOf: out)
            exported.assertEqualsSource(model, flipped: record.fault.sites)
            let outputs = try BatchedInference.run(session: InferenceSession(model: exported), data: data, batchSize: 64)
            let hits = try BatchedInference.hits(output: outputs[0], labels: try XCTUnwrap(data.labels))
            XCTAssertEqual(Double(hits.top1) / 360, record.metric, "rank \(rank + 1), \(record.site)")
        }
    }

    func testResNet18Digits32FlipsAreByteExact() throws {
        let shared = try TestPaths.requireSharedModels()
        let url = shared.appendingPathComponent("resnet18_digits32.onnx")
        // Library level (no model import, no digests) to stay quick in debug builds.
        let sites = [FaultSite(tensor: "conv1.weight", index: 0, bit: 1), FaultSite(tensor: "fc.bias", index: 9, bit: 0),
                     FaultSite(tensor: "layer4.1.conv2.weight", index: 2_359_295, bit: 31)]
        let faulty = try FaultyModel(contentsOf: url, flipping: sites)
        let source = try Data(contentsOf: url, options: .alwaysMapped)
        let output = faulty.bytes
        XCTAssertEqual(output.count, source.count)
        let diff = FaultyModel.differences(source, output)
        XCTAssertEqual(diff.values.sorted(), [0x01, 0x40, 0x80])
        XCTAssertEqual(faulty.changedModelBits, 3)
        // conv1.weight[0] = -0.18328701 (0xbe3baf97) becomes -6.2369337e+37 (0xfe3baf97).
        XCTAssertEqual(faulty.flips.first.map { [$0.bitsBefore, $0.bitsAfter] }, [0xbe3b_af97, 0xfe3b_af97])
        XCTAssertEqual(faulty.flips.map(\.storage), ["raw_data", "raw_data", "raw_data"])
    }
}
