import XCTest
@testable import SEUOnnx

final class CampaignTests: XCTestCase {
    private func snapshot(_ model: Model) -> [String: [UInt8]] {
        model.graph.initializers.mapValues { t in
            Array(UnsafeRawBufferPointer(start: t.storage.bytes, count: t.byteCount))
        }
    }

    func testExhaustiveCampaignVisitsEverySiteInOrderAndRestoresWeights() throws {
        let model = TinyModels.classifier()
        let before = snapshot(model)
        let campaign = try Campaign(model: model, data: TinyModels.classifierData(),
                                    configuration: .init(selection: TensorSelection(patterns: ["fc.weight"]),
                                                         bits: BitSelection(positions: [0, 1]), mode: .exhaustive))
        XCTAssertEqual(campaign.baselineMetric, 1.0)
        var records: [InjectionRecord] = []
        let summary = try campaign.run { records.append($0) }
        XCTAssertEqual(records.count, 24)
        XCTAssertEqual(records.map(\.index), (0..<12).flatMap { [$0, $0] })
        XCTAssertEqual(records.map(\.bit), Array(repeating: [0, 1], count: 12).flatMap { $0 })
        XCTAssertEqual(snapshot(model), before, "weights must be bit-identical after the campaign")
        // W[0,0] = 1.0, bit 1 → +inf: class 0 logits become inf for samples with x0 > 0,
        // and NaN (inf·0) for samples with x0 == 0.
        let first = try XCTUnwrap(records.first { $0.index == 0 && $0.bit == 1 })
        XCTAssertEqual(first.before, 1.0)
        XCTAssertEqual(first.after, .infinity)
        XCTAssertEqual(first.bitsBefore, 0x3F80_0000)
        XCTAssertEqual(first.bitsAfter, 0x7F80_0000)
        XCTAssertTrue(first.nonfinite)
        XCTAssertEqual(summary.overall.injections, 24)
        XCTAssertEqual(summary.perBit[0]?.injections, 12)
    }

    func testRecordedMetricEqualsAManualRerun() throws {
        let model = TinyModels.classifier()
        let data = try TinyModels.classifierData()
        let campaign = try Campaign(model: model, data: data,
                                    configuration: .init(bits: BitSelection(positions: [0]), mode: .exhaustive))
        var records: [InjectionRecord] = []
        try campaign.run { records.append($0) }
        // Sign flip of W[1,1] (1.0 → -1.0): samples 1 and 4 (labels 1) lose class 1.
        let record = try XCTUnwrap(records.first { $0.tensor == "fc.weight" && $0.index == 5 })
        let weight = try XCTUnwrap(model.initializer(named: "fc.weight"))
        weight.flipBit(at: 0, ofElement: 5)
        let logits = try InferenceSession(model: model).run(data.inputs)[0]
        weight.flipBit(at: 0, ofElement: 5)
        let hits = try BatchedInference.hits(output: logits, labels: try XCTUnwrap(data.labels))
        XCTAssertEqual(record.metric, Double(hits.top1) / 6)
        XCTAssertEqual(record.metric, 4.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(record.mismatches, 2)
        XCTAssertEqual(record.delta, record.metric - 1.0, accuracy: 1e-12)
    }

    func testSameSeedSameFaultsDifferentSeedDifferentFaults() throws {
        let model = TinyModels.classifier()
        func sites(seed: UInt64, mode: CampaignMode) throws -> [FaultSite] {
            let campaign = try Campaign(model: model, data: TinyModels.classifierData(),
                                        configuration: .init(mode: mode, seed: seed))
            return (0..<campaign.faults.count).map { campaign.faults[$0] }
        }
        XCTAssertEqual(try sites(seed: 7, mode: .count(20)), try sites(seed: 7, mode: .count(20)))
        XCTAssertNotEqual(try sites(seed: 7, mode: .count(20)), try sites(seed: 8, mode: .count(20)))
        XCTAssertEqual(Set(try sites(seed: 7, mode: .count(20))).count, 20, "count mode draws distinct sites")
        XCTAssertEqual(try sites(seed: 3, mode: .bernoulli(0.1)), try sites(seed: 3, mode: .bernoulli(0.1)))
    }

    func testBernoulliSelectsAboutPOfTheSites() throws {
        let model = TinyModels.classifier()
        let names = try TensorSelection.weights.resolve(in: model)
        let space = try FaultSpace(model: model, names: names, bits: .all)
        XCTAssertEqual(space.size, 15 * 32)
        var total = 0
        for seed in 0..<200 { total += try FaultList(space: space, mode: .bernoulli(0.05), seed: UInt64(seed)).count }
        let mean = Double(total) / 200
        // Expected 24 per draw; the mean of 200 draws has a standard error of about 0.34.
        XCTAssertEqual(mean, 24, accuracy: 1.5)
    }

    func testCountAtLeastThePopulationIsExhaustive() throws {
        let model = TinyModels.classifier()
        let space = try FaultSpace(model: model, names: ["fc.bias"], bits: BitSelection(positions: [1]))
        let list = try FaultList(space: space, mode: .count(10), seed: 1)
        XCTAssertEqual(list.count, 3)
        XCTAssertEqual((0..<3).map { list[$0].index }, [0, 1, 2])
    }

    func testArgmaxFollowsNumPy() {
        var row: [Float] = [1, 3, 3, 2]
        XCTAssertEqual(Classification.argmax(&row, count: 4), 1, "first of equal maxima")
        row = [1, .nan, 5, .nan]
        XCTAssertEqual(Classification.argmax(&row, count: 4), 1, "NaN is the largest; first NaN wins")
        row = [.infinity, 2, .infinity, 0]
        XCTAssertEqual(Classification.argmax(&row, count: 4), 0)
        row = [0.5, 0.9, 0.1, 0.9, 0.3, 0.2, 0.8]
        XCTAssertEqual(Classification.rank(of: 3, in: &row, count: 7), 1)
        XCTAssertEqual(Classification.rank(of: 2, in: &row, count: 7), 6)
    }
}
