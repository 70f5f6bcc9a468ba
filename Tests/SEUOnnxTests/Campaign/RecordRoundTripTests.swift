import Foundation
import XCTest
@testable import SEUOnnx

final class RecordRoundTripTests: XCTestCase {
    private func campaignRecords() throws -> [InjectionRecord] {
        let campaign = try Campaign(model: TinyModels.classifier(), data: TinyModels.classifierData(),
                                    configuration: .init(bits: BitSelection(positions: [0, 1, 9]), mode: .exhaustive))
        var records: [InjectionRecord] = []
        try campaign.run { records.append($0) }
        return records
    }

    func testCSVAndJSONLinesReadBackToTheSameRecords() throws {
        let records = try campaignRecords()
        XCTAssertTrue(records.contains { $0.nonfinite }, "the sample should include NaN/Inf outcomes")
        let folder = try TestPaths.temporaryDirectory(self)
        for name in ["r.csv", "r.jsonl"] {
            let path = folder.appendingPathComponent(name).path
            let writer = try RecordWriter(path: path)
            for record in records { try writer.write(record) }
            let read = try RecordReader.read(path: path)
            XCTAssertFalse(read.hadPartialLine)
            XCTAssertEqual(read.records.count, records.count, name)
            for (a, b) in zip(read.records, records) {
                XCTAssertEqual(a.site, b.site, name)
                XCTAssertEqual(a.bitsBefore, b.bitsBefore, name)
                XCTAssertEqual(a.bitsAfter, b.bitsAfter, name)
                XCTAssertEqual(a.metric, b.metric, name)
                XCTAssertEqual(a.mismatches, b.mismatches, name)
                XCTAssertEqual(a.masked, b.masked, name)
                XCTAssertEqual(a.nonfiniteSamples, b.nonfiniteSamples, name)
                XCTAssertEqual(a.after.isNaN ? 0 : a.after, b.after.isNaN ? 0 : b.after, name)
            }
        }
    }

    func testPartialLastLineIsIgnored() throws {
        let text = "id,tensor,index,bit,metric\n0,w,1,2,0.5\n1,w,3,4,0.25\n2,w,5"
        let contents = try RecordReader.parse(Data(text.utf8), format: .csv)
        XCTAssertEqual(contents.records.map(\.index), [1, 3])
        XCTAssertTrue(contents.hadPartialLine)
        XCTAssertEqual(contents.completeLength, text.utf8.count - "2,w,5".utf8.count)
    }

    func testMultiSiteFaultsRestoreAndRecordEverySite() throws {
        let model = TinyModels.classifier()
        let campaign = try Campaign(model: model, data: TinyModels.classifierData(), configuration: .init())
        let weight = try XCTUnwrap(model.initializer(named: "fc.weight"))
        let before = weight.elements(as: Float.self)
        // The same bit twice cancels out: the fault is masked.
        let twice = try campaign.inject(Fault([FaultSite(tensor: "fc.weight", index: 0, bit: 1),
                                               FaultSite(tensor: "fc.weight", index: 0, bit: 1)]), id: 0)
        XCTAssertTrue(twice.masked)
        let record = try campaign.inject(Fault([FaultSite(tensor: "fc.weight", index: 5, bit: 0),
                                                FaultSite(tensor: "fc.bias", index: 2, bit: 1)]), id: 1)
        XCTAssertEqual(record.extraSites, [FaultSite(tensor: "fc.bias", index: 2, bit: 1)])
        XCTAssertEqual(weight.elements(as: Float.self), before)
        XCTAssertEqual(RecordFormat.csv.line(for: record).hasSuffix(",fc.bias[2]:1,weight"), true)
        XCTAssertEqual(try FaultSite(parsing: "layer[1].w[12]:3"), FaultSite(tensor: "layer[1].w", index: 12, bit: 3))
    }
}
