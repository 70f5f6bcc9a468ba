import Foundation
import XCTest
@testable import SEUOnnx

final class ThreatModelTests: XCTestCase {
    func testRatesConvertAndParse() throws {
        // 1 FIT/Mbit = 1 upset per 10⁹ h per 2²⁰ bits = 24 / (10⁹ · 1,048,576) per bit-day.
        XCTAssertEqual(ThreatModel.upsetsPerBitDay(fitPerMbit: 1), 2.288818359375e-14, accuracy: 1e-27)
        XCTAssertEqual(try ThreatModel.parseRate("500fit"), 1.1444091796875e-11, accuracy: 1e-24)
        XCTAssertEqual(try ThreatModel.parseRate("500 FIT/Mbit"), 1.1444091796875e-11, accuracy: 1e-24)
        XCTAssertEqual(try ThreatModel.parseRate("1e-10"), 1e-10)
        XCTAssertEqual(try ThreatModel.parseRate("1e-10/bit/day"), 1e-10)
        for bad in ["", "fit", "-3", "abc/bit/day", "nan"] {
            XCTAssertThrowsError(try ThreatModel.parseRate(bad), bad) { XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument) }
        }
        // λ = rate × bits × days; the tiny CNN's 117,056 stored weight bits, 10 years at
        // 500 FIT/Mbit: 1.1444e-11 × 117,056 × 3650 = 0.0048895.
        let threat = try ThreatModel(upsetsPerBitDay: 1.1444091796875e-11, missionDays: 3650, missions: 10)
        XCTAssertEqual(threat.expectedUpsets(bits: 117_056), 0.00488953857421875, accuracy: 1e-17)
        XCTAssertEqual(threat.probabilityOfUpset(bits: 117_056), 1 - exp(-0.00488953857421875), accuracy: 1e-15)
        XCTAssertThrowsError(try ThreatModel(upsetsPerBitDay: 1e-10, missionDays: 0, missions: 1))
    }

    /// The zero-truncated Poisson mean is λ / (1 − e^(−λ)) and its variance
    /// m·(1 + λ − m) with m that mean; check both samplers (inverse transform below λ = 30,
    /// PTRS above) over 20,000 draws each, within 5 standard errors.
    func testZeroTruncatedPoissonMoments() {
        for lambda in [1e-9, 0.3, 2.5, 29.0, 31.0, 400.0] {
            var generator = SeededGenerator(seed: 9)
            var moments = RunningMoments()
            var minimum = Int.max
            for _ in 0..<20_000 {
                let k = ThreatModel.zeroTruncatedPoisson(lambda, &generator)
                minimum = min(minimum, k)
                moments.add(Double(k))
            }
            let mean = lambda / -expm1(-lambda)
            let variance = mean * (1 + lambda - mean)
            XCTAssertGreaterThanOrEqual(minimum, 1, "λ = \(lambda)")
            XCTAssertEqual(moments.mean, mean, accuracy: 5 * (max(variance, 1e-12) / 20_000).squareRoot() + 1e-12, "λ = \(lambda)")
            if lambda > 1 { XCTAssertEqual(moments.variance / variance, 1, accuracy: 0.06, "λ = \(lambda)") }
        }
    }

    func testMissionCampaignFlipsPoissonManySitesAndRestores() throws {
        let model = TinyModels.classifier()
        let weightsBefore = model.graph.initializers.mapValues { $0.bitPattern(ofElement: 0) }
        // 480 bits, λ = 0.01 × 480 × 1 = 4.8 upsets per mission.
        let threat = try ThreatModel(upsetsPerBitDay: 0.01, missionDays: 1, missions: 200)
        let campaign = try Campaign(model: model, data: TinyModels.classifierData(),
                                    configuration: .init(mode: .missions(threat), seed: 3))
        XCTAssertTrue(campaign.faults.isMultiSite)
        var records: [InjectionRecord] = []
        let summary = try campaign.run(record: { records.append($0) })
        XCTAssertEqual(records.count, 200)
        let sizes = records.map { 1 + $0.extraSites.count }
        let mean = Double(sizes.reduce(0, +)) / 200
        XCTAssertEqual(mean, 4.8 / -expm1(-4.8), accuracy: 0.5)
        XCTAssertEqual(summary.perSiteCount.values.reduce(0) { $0 + $1.injections }, 200)
        XCTAssertEqual(summary.facts.expectedUpsets ?? 0, 4.8, accuracy: 1e-12)
        XCTAssertEqual(summary.probabilityOfUpset ?? 0, -expm1(-4.8), accuracy: 1e-15)
        XCTAssertEqual(model.graph.initializers.mapValues { $0.bitPattern(ofElement: 0) }, weightsBefore)
        // Record i holds fault i's sites, in the list's order, and reads back the same.
        XCTAssertEqual(records[17].fault, campaign.faults.fault(17))
        let line = RecordFormat.csv.line(for: records[17])
        let back = try RecordReader.parse(Data((RecordFormat.csv.header! + "\n" + line + "\n").utf8), format: .csv).records
        XCTAssertEqual(back.first?.fault, records[17].fault)
        // Same seed, same missions.
        let again = try FaultList(space: campaign.faults.space, mode: .missions(threat), seed: 3)
        XCTAssertEqual((0..<200).map { again.fault($0) }, (0..<200).map { campaign.faults.fault($0) })
        // An absurd rate is refused rather than flipping millions of bits per mission.
        let absurd = try ThreatModel(upsetsPerBitDay: 1, missionDays: 1000, missions: 1)
        XCTAssertThrowsError(try FaultList(space: campaign.faults.space, mode: .missions(absurd), seed: 0)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument)
        }
    }
}
