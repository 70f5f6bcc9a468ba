import Foundation
import XCTest
@testable import SEUOnnx

final class SidecarTests: XCTestCase {
    /// A resumed run compares the sidecar it reads back with the one it would write: every mode
    /// must survive the JSON round trip exactly (strata are saved without their members).
    func testSidecarsReadBackEqualForEveryMode() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let model = TinyModels.classifier()
        let modes: [CampaignMode] = [
            .exhaustive, .count(7), .bernoulli(0.125),
            .planned(try SamplePlan(margin: 0.1, confidence: 0.95, stratification: .tensor)),
            .planned(try SamplePlan(margin: 0.3, confidence: 0.9, expectedRate: 0.2, stratification: .tensorAndBit)),
            .missions(try ThreatModel(upsetsPerBitDay: 1.1444091796875e-11, missionDays: 3650, missions: 9)),
        ]
        for (i, mode) in modes.enumerated() {
            let campaign = try Campaign(model: model, data: TinyModels.classifierData(),
                                        configuration: .init(bits: try BitSelection(parsing: "0,3-8,31"), mode: mode, seed: UInt64.max - 1))
            let settings = CampaignSettings(model: FileIdentity(path: "/m.onnx", size: 10), inputs: [], labels: nil,
                                            tensors: ["fc.*"], bits: "0,3-8,31", mode: mode, seed: UInt64.max - 1, batchSize: 4,
                                            shard: try Shard(index: 2, count: 3))
            let sidecar = CampaignSidecar(settings: settings, facts: CampaignFacts(campaign: campaign), ids: FaultIDs(first: 1, end: 9, step: 3))
            let path = folder.appendingPathComponent("r\(i).csv").path
            try sidecar.write(for: path)
            let back = try CampaignSidecar.read(for: path)
            XCTAssertEqual(back, sidecar, "\(mode)")
            XCTAssertNil(back.settings.firstDifference(from: sidecar.settings))
            XCTAssertEqual(back.facts.targets.first?.bits, [0, 3, 4, 5, 6, 7, 8, 31])
        }
    }

    func testFirstDifferenceNamesTheSetting() throws {
        let a = CampaignSettings(model: FileIdentity(path: "/m.onnx", size: 10), inputs: [FileIdentity(path: "/x.npy", size: 5)],
                                 labels: nil, tensors: [], bits: "all", mode: .count(3), seed: 1, batchSize: 64, shard: nil)
        var b = a
        b.batchSize = 32
        XCTAssertEqual(a.firstDifference(from: b), "--batch-size is 64 there, 32 here")
        b = a
        b.inputs = [FileIdentity(path: "/x.npy", size: 6)]
        XCTAssertEqual(a.firstDifference(from: b), "--input is /x.npy (5 bytes) there, /x.npy (6 bytes) here")
        b = a
        b.mode = .count(4)
        XCTAssertEqual(a.firstDifference(from: b), "mode is random, 3 distinct sites there, random, 4 distinct sites here")
    }

    func testBrokenSidecarIsAnError() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let path = folder.appendingPathComponent("r.csv").path
        try "{\"format\": 3}".write(toFile: CampaignSidecar.path(for: path), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CampaignSidecar.read(for: path)) { XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument) }
        try "{\"kind\": \"warp\"}".write(toFile: CampaignSidecar.path(for: path), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CampaignSidecar.read(for: path))
    }
}
