import XCTest
@testable import SEUOnnx

/// `FormatConversion` (seu-onnx convert): float32 models rewritten in float16/bfloat16.
final class ModelConversionTests: XCTestCase {
    private func fixture(_ name: String) -> URL { TestPaths.fixtures.appendingPathComponent(name) }

    /// Converts a fixture into a temporary folder and loads the result.
    private func convert(_ name: String, _ conversion: FormatConversion) throws -> (Model, FormatConversion.Summary) {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out.onnx")
        let output = try conversion.convert(contentsOf: fixture(name), dataFileName: "out.onnx.data")
        var files = [(url: out, contents: output.modelBytes)]
        if let data = output.externalData { files.append((out.deletingLastPathComponent().appendingPathComponent("out.onnx.data"), data)) }
        try OutputFiles.writeAll(files)
        return (try Model(contentsOf: out), output.summary)
    }

    private func digits(for model: Model) throws -> [Tensor] {
        try InferenceSession(model: model).convertingFloatInputs([NPY.read(contentsOf: fixture("digits_x.npy"))])
    }

    private func logits(_ model: Model) throws -> Tensor {
        try InferenceSession(model: model).run(digits(for: model))[0]
    }

    func testWholeModelConversionEqualsPyTorchsOwn16BitExports() throws {
        for (target, reference) in [(DataType.float16, "tiny_cnn_fp16.onnx"), (.bfloat16, "tiny_cnn_bf16.onnx")] {
            let (model, summary) = try convert("tiny_cnn.onnx", FormatConversion(to: target))
            XCTAssertEqual(summary.tensors, 8)
            XCTAssertEqual(summary.elements, 3658)
            XCTAssertEqual(model.graph.runtimeInputs[0].type?.dataType, target)
            XCTAssertEqual(model.graph.outputs[0].type?.dataType, target)
            // PyTorch's .half() / .to(bfloat16) round the same way: every weight bit-identical.
            let exported = try Model(contentsOf: fixture(reference))
            for name in model.graph.initializerNames {
                XCTAssertTrue(model.graph.initializers[name]!.isBitIdentical(to: exported.graph.initializers[name]!), "\(target) \(name)")
            }
            XCTAssertTrue(try logits(model).isBitIdentical(to: logits(exported)), "\(target)")
        }
    }

    func testKeepIOTypesAddsCastsAtTheBoundary() throws {
        let (model, summary) = try convert("tiny_cnn.onnx", FormatConversion(to: .float16, keepIOTypes: true))
        XCTAssertEqual(summary.castsAdded, 2)
        XCTAssertEqual(model.graph.runtimeInputs[0].type?.dataType, .float)
        XCTAssertEqual(model.graph.outputs[0].type?.dataType, .float)
        XCTAssertEqual(model.graph.nodes.first?.opType, "Cast")
        XCTAssertEqual(model.graph.nodes.last?.opType, "Cast")
        XCTAssertEqual(model.graph.initializers["conv1.weight"]?.dataType, .float16)
        let (whole, _) = try convert("tiny_cnn.onnx", FormatConversion(to: .float16))
        let y = try logits(model)
        XCTAssertEqual(y.dataType, .float)
        XCTAssertTrue(y.isBitIdentical(to: try logits(whole).convertedToFloat()))
    }

    func testWeightsOnlyStoresWeightsIn16BitsWithCastsAndMatchesStorageEmulation() throws {
        let (model, summary) = try convert("tiny_cnn.onnx", FormatConversion(to: .bfloat16, scope: .weightsOnly))
        XCTAssertEqual(summary.castsAdded, 8)
        XCTAssertEqual(model.graph.nodes.filter { $0.opType == "Cast" }.count, 8)
        XCTAssertEqual(Set(model.graph.initializers.values.map(\.dataType)), [.bfloat16])
        XCTAssertEqual(model.graph.runtimeInputs[0].type?.dataType, .float)
        XCTAssertEqual(Set(WeightAnalysis(graph: model.graph).siteKinds.keys), Set(model.graph.initializerNames))
        // `inject --as bfloat16` on the float32 model and a campaign on this deployment form
        // give the same results for the same faults.
        let x = try NPY.read(contentsOf: fixture("digits_x.npy"))
        let all = try CampaignData(inputs: [x], labels: nil)
        let y = try NPY.read(contentsOf: fixture("digits_y.npy")).intValues().prefix(64).map { Int64($0) }
        let data = try CampaignData(inputs: all.batch(0..<64), labels: Tensor(shape: [64], elements: y))
        let emulated = try FormatComparison(model: Model(contentsOf: fixture("tiny_cnn.onnx")), data: data,
                                            configuration: .init(mode: .count(24), seed: 9), formats: [.bfloat16])
        let campaign = try Campaign(model: model, data: data, configuration: .init())
        XCTAssertEqual(campaign.baseline, emulated.campaigns[0].baseline)
        _ = try emulated.run(record: { record in
            let real = try campaign.inject(record.site, id: record.id)
            XCTAssertEqual(real.bitsBefore, record.bitsBefore, "\(record.site)")
            XCTAssertEqual(real.metric, record.metric, "\(record.site)")
            XCTAssertEqual(real.maxAbsoluteError.bitPattern, record.maxAbsoluteError.bitPattern, "\(record.site)")
        })
    }

    func testExternalDataStaysExternalInTheNewDataFile() throws {
        let (model, summary) = try convert("tiny_cnn_external.onnx", FormatConversion(to: .float16))
        XCTAssertGreaterThan(summary.externalTensors, 0)
        guard case .external(let location, _, _) = model.graph.initializerSources["conv2.weight"] else {
            return XCTFail("conv2.weight should stay external")
        }
        XCTAssertEqual(location, "out.onnx.data")
        let (inline, _) = try convert("tiny_cnn.onnx", FormatConversion(to: .float16))
        for name in inline.graph.initializerNames {
            XCTAssertTrue(model.graph.initializers[name]!.isBitIdentical(to: inline.graph.initializers[name]!), name)
        }
    }

    func testConversionRules() throws {
        let (model, summary) = try convert("conversion_cases.onnx", FormatConversion(to: .float16))
        let graph = model.graph
        XCTAssertEqual(graph.initializers["scales"]?.dataType, .float)        // Resize scales stay float32
        XCTAssertEqual(summary.keptFloat32.map(\.name), ["scales"])
        let big = try XCTUnwrap(graph.initializers["big"])
        XCTAssertEqual(big.dataType, .float16)
        XCTAssertEqual(big.doubleValue(at: 0), .infinity)                     // 1e5 > 65504
        XCTAssertEqual(summary.overflows, 1)
        XCTAssertEqual(summary.underflows, 1)                                  // the 1e-9 Constant
        XCTAssertEqual(graph.initializers["three"]?.dataType, .int64)
        let cast = try XCTUnwrap(graph.nodes.first { $0.opType == "Cast" })
        XCTAssertEqual(try cast.int("to"), Int(DataType.float16.rawValue))
        let constant = try XCTUnwrap(graph.nodes.first { $0.opType == "Constant" })
        XCTAssertEqual(try constant.tensor("value")?.dataType, .float16)
        XCTAssertEqual(try constant.tensor("value")?.doubleValue(at: 0), 0)
        XCTAssertEqual(try graph.nodes.first { $0.opType == "ConstantOfShape" }?.tensor("value")?.doubleValue(at: 0), 0.5)
        XCTAssertEqual(graph.outputs[0].type?.dataType, .float16)
    }

    func testBadConversions() throws {
        func kind(_ body: () throws -> Void) -> SEUError.Kind? {
            do { try body() } catch let error as SEUError { return error.kind } catch { return nil }
            return nil
        }
        XCTAssertEqual(kind { _ = try FormatConversion(to: .int8) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try FormatConversion(to: .double) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try FormatConversion(to: .float16, scope: .weightsOnly, keepIOTypes: true) }, .invalidArgument)
        let conversion = try FormatConversion(to: .float16)
        XCTAssertEqual(kind { _ = try conversion.convert(contentsOf: self.fixture("tiny_cnn_int8.onnx"), dataFileName: "x") }, .invalidArgument)
        XCTAssertEqual(kind { _ = try conversion.convert(contentsOf: self.fixture("tiny_cnn_bf16.onnx"), dataFileName: "x") }, .invalidArgument)
        XCTAssertEqual(kind { _ = try conversion.convert(contentsOf: self.fixture("absent.onnx"), dataFileName: "x") }, .io)
    }
}
