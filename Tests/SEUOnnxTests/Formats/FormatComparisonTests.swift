import XCTest
@testable import SEUOnnx

/// `inject --as`: the same elements faulted with the weights stored in each format.
final class FormatComparisonTests: XCTestCase {
    private func kind(_ body: () throws -> Void) -> SEUError.Kind? {
        do { try body() } catch let error as SEUError { return error.kind } catch { return nil }
        return nil
    }

    func testSameElementsAndBitsCoupledByPosition() throws {
        let model = TinyModels.classifier()
        let comparison = try FormatComparison(model: model, data: TinyModels.classifierData(),
                                              configuration: .init(mode: .count(12), seed: 5),
                                              formats: [.float, .float16, .bfloat16, .double])
        let lists = comparison.campaigns.map { c in (0..<c.faults.count).map { c.faults[$0] } }
        XCTAssertEqual(lists.map(\.count), [12, 12, 12, 12])
        for list in lists.dropFirst() {
            XCTAssertEqual(list.map(\.tensor), lists[0].map(\.tensor))
            XCTAssertEqual(list.map(\.index), lists[0].map(\.index))
        }
        // One u per fault: bit ⌊32u⌋ in float32, ⌊16u⌋ in the 16-bit formats, ⌊64u⌋ in float64.
        for i in 0..<12 {
            XCTAssertEqual(lists[1][i].bit, lists[0][i].bit / 2)
            XCTAssertEqual(lists[2][i].bit, lists[0][i].bit / 2)
            XCTAssertEqual(lists[3][i].bit / 2, lists[0][i].bit)
        }
        XCTAssertEqual(comparison.campaigns.map { $0.faults.space.size }, [15 * 32, 15 * 16, 15 * 16, 15 * 64])
        // The elements are those a plain `--count` campaign over one bit per element would draw.
        let space = try FaultSpace(model: model, names: ["fc.weight", "fc.bias"], bits: BitSelection(positions: [0]))
        let plain = try FaultList(space: space, mode: .count(12), seed: 5)
        XCTAssertEqual((0..<12).map { plain[$0].index }, lists[0].map(\.index))
    }

    func testEmulatedStorageEqualsRoundedWeightsWithTheFlipApplied() throws {
        let model = TinyModels.classifier()
        let original = model.graph.initializers.mapValues { $0.copy() }
        // Weights that float16 and bfloat16 round differently.
        model.graph.initializers["fc.weight"]!.floats[1] = 0.1 + 0x1p-12
        let data = try TinyModels.classifierData()
        let comparison = try FormatComparison(model: model, data: data, configuration: .init(mode: .exhaustive),
                                              formats: [.float16, .bfloat16])
        for (format, campaign) in zip(comparison.formats, comparison.campaigns) {
            let stored = try XCTUnwrap(campaign.storage?.stored["fc.weight"])
            XCTAssertEqual(stored.dataType, format)
            // Baseline: the float32 model with its weights rounded to the format.
            let rounded = TinyModels.classifier()
            for name in ["fc.weight", "fc.bias"] {
                let value = try model.graph.initializers[name]!.converted(to: format).convertedToFloat()
                rounded.graph.initializers[name]!.assign(from: value)
            }
            let expected = try CampaignEvaluator(session: InferenceSession(model: rounded), data: data, batchSize: 64)
            XCTAssertEqual(campaign.baseline, expected.baseline)
            // Exponent MSB of W[1] (≈0.1): float16 multiplies it by 2^16, bfloat16 by 2^128.
            let bit = 1
            let record = try campaign.inject(FaultSite(tensor: "fc.weight", index: 1, bit: bit), id: 0)
            XCTAssertEqual(record.dataType, format)
            XCTAssertEqual(record.before, stored.doubleValue(at: 1))
            let flipped = try model.graph.initializers["fc.weight"]!.converted(to: format)
            flipped.flipBit(at: bit, ofElement: 1)
            XCTAssertEqual(record.after.bitPattern, flipped.doubleValue(at: 1).bitPattern)
            XCTAssertEqual(record.after, record.before * (format == .float16 ? 0x1p16 : 0x1p128))
            rounded.graph.initializers["fc.weight"]!.floats[1] = flipped.floatValue(at: 1)
            XCTAssertEqual(record.metric, campaign.metric(of: try expected.evaluate()))
            // Restored: the stored bits and the float32 copy the kernels read.
            XCTAssertTrue(stored.isBitIdentical(to: try model.graph.initializers["fc.weight"]!.converted(to: format)))
            XCTAssertEqual(campaign.model.graph.initializers["fc.weight"]!.floats[1], stored.floatValue(at: 1))
        }
        // The source model is never written.
        XCTAssertEqual(model.graph.initializers["fc.bias"]!.elements(as: Float.self), original["fc.bias"]!.elements(as: Float.self))
        _ = try comparison.run()
        XCTAssertEqual(model.graph.initializers["fc.weight"]!.floats[1], 0.1 + 0x1p-12)
    }

    func testReportShowsFormatsSideBySide() throws {
        let comparison = try FormatComparison(model: TinyModels.classifier(), data: TinyModels.classifierData(),
                                              configuration: .init(bits: BitSelection(parsing: "exponent"), mode: .count(10), seed: 1),
                                              formats: [.float, .float16, .bfloat16])
        let summaries = try comparison.run()
        let text = FormatComparisonReport(formats: comparison.formats, summaries: summaries).text
        XCTAssertTrue(text.contains("per field"))
        XCTAssertTrue(text.contains("float16 n"))
        // exponent only: float16 has bits 1-5; float32 and bfloat16 1-8.
        XCTAssertTrue(summaries[1].perBit.keys.allSatisfy { (1...5).contains($0) })
        XCTAssertTrue(summaries[0].perBit.keys.allSatisfy { (1...8).contains($0) })
        XCTAssertEqual(summaries.map(\.overall.injections), [10, 10, 10])
    }

    func testBadFormatArguments() throws {
        let model = TinyModels.classifier(), data = try TinyModels.classifierData()
        XCTAssertEqual(kind { _ = try DataType.storageFormat(named: "float8", flag: "--as") }, .invalidArgument)
        XCTAssertEqual(kind { _ = try DataType.storageFormat(named: "int8", flag: "--as") }, .invalidArgument)
        XCTAssertEqual(kind { _ = try FormatComparison(model: model, data: data, configuration: .init(), formats: [.float16, .float16]) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try FormatComparison(model: model, data: data, configuration: .init(), formats: []) }, .invalidArgument)
        // A float16-only bit position on a float16 emulation of float32 weights.
        XCTAssertEqual(kind { _ = try FormatComparison(model: model, data: data, configuration: .init(bits: BitSelection(parsing: "20")),
                                                       formats: [.float, .float16]) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try FormatComparison(model: model, data: data, configuration: .init(mode: .bernoulli(0.1)),
                                                       formats: [.float16]) }, .invalidArgument)
        // Weights that are not float32 cannot be emulated in another format.
        let half = try Model(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny_cnn_fp16.onnx"))
        let halfData = try CampaignData(inputs: [Tensor(dataType: .float16, shape: [2, 1, 8, 8])], labels: nil)
        XCTAssertEqual(kind { _ = try FormatComparison(model: half, data: halfData, configuration: .init(), formats: [.bfloat16]) }, .invalidArgument)
    }
}
