import XCTest
@testable import SEUOnnx

final class PlannerTests: XCTestCase {
    private func space() throws -> FaultSpace {
        let model = TinyModels.classifier()
        return try FaultSpace(model: model, names: ["fc.weight", "fc.bias"], bits: .all)
    }

    func testPerTensorStrataAreSizedOnTheirOwnAndSmallOnesRunExhaustively() throws {
        let space = try space()
        // ±10 % at 95 %: t²p(1−p)/e² = 96.04. fc.weight: N = 384 → 384/(1 + 0.01·383/0.9604)
        // = 76.98 → 77. fc.bias: N = 96 → 48.26 → 49 > 48 = N/2 → all 96.
        let plan = try SamplePlan(margin: 0.1, confidence: 0.95, stratification: .tensor)
        let strata = plan.strata(of: space)
        XCTAssertEqual(strata.map(\.label), ["fc.weight", "fc.bias"])
        XCTAssertEqual(strata.map(\.population), [384, 96])
        XCTAssertEqual(strata.map(\.sampleSize), [77, 96])
        XCTAssertEqual(strata.map(\.isExhaustive), [false, true])
        let list = try FaultList(space: space, mode: .planned(plan), seed: 4)
        XCTAssertEqual(list.count, 77 + 96)
        let sites = (0..<list.count).map { list[$0] }
        XCTAssertEqual(Set(sites).count, sites.count, "distinct sites")
        XCTAssertEqual(sites.filter { $0.tensor == "fc.weight" }.count, 77)
        XCTAssertEqual(sites.filter { $0.tensor == "fc.bias" }.count, 96)
        // Random order: the first half of the list already holds both tensors about 4:5.
        let firstHalf = sites.prefix(86)
        XCTAssertNotEqual((0..<list.count).map { list.position($0) }, (0..<list.count).map { list.position($0) }.sorted())
        XCTAssertEqual(Double(firstHalf.filter { $0.tensor == "fc.bias" }.count), 86 * 96 / 173, accuracy: 12)
        // Same seed, same list; another seed, another sample of fc.weight.
        let again = try FaultList(space: space, mode: .planned(plan), seed: 4)
        XCTAssertEqual((0..<again.count).map { again[$0] }, sites)
        let other = try FaultList(space: space, mode: .planned(plan), seed: 5)
        XCTAssertNotEqual((0..<other.count).map { other[$0] }, sites)
    }

    func testPerBitStrataGroupEveryTensorsBitAndCoverTheSpaceWhenSmall() throws {
        let space = try space()
        let plan = try SamplePlan(margin: 0.01, confidence: 0.99, stratification: .bit)
        let strata = plan.strata(of: space)
        XCTAssertEqual(strata.count, 32)
        XCTAssertEqual(strata[3].label, "float32 bit 3")
        XCTAssertEqual(strata[3].population, 15, "12 weights + 3 biases")
        XCTAssertTrue(strata.allSatisfy(\.isExhaustive))
        // Every member of "bit 3" is bit 3 of some element.
        let members = (0..<15).map { space.site(at: strata[3].position(ofMember: $0)) }
        XCTAssertTrue(members.allSatisfy { $0.bit == 3 })
        XCTAssertEqual(Set(members).count, 15)
        XCTAssertEqual(try FaultList(space: space, mode: .planned(plan), seed: 0).count, space.size)
        let cells = try SamplePlan(margin: 0.3, confidence: 0.9, stratification: .tensorAndBit).strata(of: space)
        XCTAssertEqual(cells.count, 64)
        XCTAssertEqual(cells[33].label, "fc.bias bit 1")
        XCTAssertEqual(cells[33].population, 3)
    }

    func testUnstratifiedPlanDrawsLeveuglesCountAndStratifiedSummaryReweights() throws {
        let model = TinyModels.classifier()
        let data = try TinyModels.classifierData()
        let plan = try SamplePlan(margin: 0.1, confidence: 0.95)
        let campaign = try Campaign(model: model, data: data, configuration: .init(mode: .planned(plan), seed: 2))
        XCTAssertEqual(campaign.faults.count, 81, "480 / (1 + 0.01·479/0.96036) = 80.17 → 81")

        let stratified = try SamplePlan(margin: 0.1, confidence: 0.95, stratification: .tensor)
        let strat = try Campaign(model: model, data: data, configuration: .init(mode: .planned(stratified), seed: 2))
        var records: [InjectionRecord] = []
        let summary = try strat.run(record: { records.append($0) })
        XCTAssertEqual(records.count, 77 + 96)
        // Overall critical rate = 0.8·p̂(weight) + 0.2·p(bias), bias exact (census).
        let weight = records.filter { $0.tensor == "fc.weight" }, bias = records.filter { $0.tensor == "fc.bias" }
        let pw = Double(weight.filter { $0.outcome.isCritical }.count) / Double(weight.count)
        let pb = Double(bias.filter { $0.outcome.isCritical }.count) / Double(bias.count)
        let overall = summary.overallRate { $0.critical }
        XCTAssertEqual(overall.estimate, 0.8 * pw + 0.2 * pb, accuracy: 1e-12)
        XCTAssertEqual(overall.method, .stratifiedNormal)
        // Only the weight stratum contributes variance: 0.64·(1 − 77/384)·s²/77.
        let s2 = pw * (1 - pw) * 77 / 76
        XCTAssertEqual(overall.halfWidth, 1.959963984540054 * (0.64 * (1 - 77.0 / 384) * s2 / 77).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(summary.rate({ $0.critical }, in: summary.perTensor["fc.bias"] ?? .init(), scope: .tensor("fc.bias")).method, .exact)
    }

    func testOutcomeClassPrecedence() {
        XCTAssertEqual(OutcomeClass(masked: true, nonfiniteSamples: 3, top1Changes: 0, top5Losses: 0), .masked)
        XCTAssertEqual(OutcomeClass(masked: false, nonfiniteSamples: 1, top1Changes: 5, top5Losses: 5), .due)
        XCTAssertEqual(OutcomeClass(masked: false, nonfiniteSamples: 0, top1Changes: 5, top5Losses: 1), .sdc5)
        XCTAssertEqual(OutcomeClass(masked: false, nonfiniteSamples: 0, top1Changes: 2, top5Losses: 0), .sdc1)
        XCTAssertEqual(OutcomeClass(masked: false, nonfiniteSamples: 0, top1Changes: 0, top5Losses: 0), .tolerable)
    }

    /// A fault on the shipped CNN whose effect is checked against a manual re-run: the number
    /// of inputs whose fault-free top-1 class leaves the top 5 (sorting the logits here).
    func testSDC5CountsMatchAManualRerun() throws {
        let model = try Model(path: TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx").path)
        let x = try NPY.read(path: TestPaths.fixtures.appendingPathComponent("digits_x.npy").path)
        let y = try NPY.read(path: TestPaths.fixtures.appendingPathComponent("digits_y.npy").path)
        let data = try CampaignData(inputs: [x], labels: y)
        let campaign = try Campaign(model: model, data: data, configuration: .init())
        let site = FaultSite(tensor: "fc1.weight", index: 1780, bit: 1)
        let record = try campaign.inject(Fault(site), id: 0)

        let session = try InferenceSession(model: model)
        func topClasses() throws -> [[Int]] {
            let logits = try BatchedInference.run(session: session, data: data, batchSize: 64)[0]
            let values = logits.elements(as: Float.self)
            return (0..<360).map { row in
                let line = Array(values[(row * 10)..<(row * 10 + 10)])
                return line.indices.sorted { line[$0] != line[$1] ? line[$0] > line[$1] : $0 < $1 }
            }
        }
        let clean = try topClasses()
        let weight = try XCTUnwrap(model.initializer(named: "fc1.weight"))
        weight.flipBit(at: 1, ofElement: 1780)
        let faulty = try topClasses()
        weight.flipBit(at: 1, ofElement: 1780)
        let changed = zip(clean, faulty).filter { $0[0] != $1[0] }.count
        let left = zip(clean, faulty).filter { !$1.prefix(5).contains($0[0]) }.count
        XCTAssertEqual(record.mismatches, changed)
        XCTAssertEqual(record.top5Mismatches, left)
        XCTAssertEqual(left, 183, "value seen in the planned tiny_cnn campaign")
        XCTAssertEqual(record.outcome, .sdc5)
        // A low mantissa bit of a small conv weight changes outputs without changing a class.
        let small = try campaign.inject(Fault(FaultSite(tensor: "conv1.weight", index: 10, bit: 15)), id: 1)
        XCTAssertEqual(small.outcome, .tolerable)
        XCTAssertEqual(small.mismatches, 0)
        XCTAssertFalse(small.masked)
    }

    func testOutcomeColumnsRoundTrip() throws {
        // Foundation's JSON parser returned 0.9777777777777776 for this metric: records are
        // parsed with FlatJSON so they read back exactly.
        let record = InjectionRecord(id: 3, tensor: "w\"é,1", index: 1, bit: 2, dataType: .float, before: 1, after: 4,
                                     bitsBefore: 0x3F80_0000, bitsAfter: 0x4080_0000, metric: 0.9777777777777777,
                                     delta: -0.022222222222222254, top5: 0.75,
                                     mismatches: 4, nonfiniteSamples: 0, masked: false, maxAbsoluteError: 2, meanSquaredError: 0.5,
                                     top5Mismatches: 2)
        for format in [RecordFormat.csv, .jsonl] {
            let text = (format.header.map { $0 + "\n" } ?? "") + format.line(for: record) + "\n"
            XCTAssertTrue(text.contains("sdc-5"), text)
            let read = try RecordReader.parse(Data(text.utf8), format: format).records
            XCTAssertEqual(read, [record], "\(format)")
        }
    }
}

import Foundation
