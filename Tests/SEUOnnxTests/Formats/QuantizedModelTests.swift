import XCTest
@testable import SEUOnnx

/// int8 models from onnxruntime's quantization tools (Fixtures/, made by
/// Examples/make_format_fixtures.py): parity with onnxruntime, fault-site kinds, and faults
/// in int8 weights (two's complement), scales and zero points.
final class QuantizedModelTests: XCTestCase {
    private func fixture(_ name: String) -> URL { TestPaths.fixtures.appendingPathComponent(name) }

    private func digits(_ count: Int? = nil) throws -> CampaignData {
        let x = try NPY.read(contentsOf: fixture("digits_x.npy"))
        let y = try NPY.read(contentsOf: fixture("digits_y.npy"))
        guard let count else { return try CampaignData(inputs: [x], labels: y) }
        let all = try CampaignData(inputs: [x], labels: nil)
        return try CampaignData(inputs: all.batch(0..<count), labels: Tensor(shape: [count], elements: y.intValues().prefix(count).map { Int64($0) }))
    }

    private func assertMatchesOnnxRuntime(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try Model(contentsOf: fixture("\(name).onnx"))
        // One batch of 360, as onnxruntime ran: DynamicQuantizeLinear (tiny_cnn_int8_dyn) takes
        // its scale from the whole batch, so its results depend on how samples are batched.
        let ours = try BatchedInference.run(session: InferenceSession(model: model), data: digits(), batchSize: 360)[0]
        let reference = try NPY.read(contentsOf: fixture("\(name)_logits_ort.npy"))
        XCTAssertEqual(ours.shape, reference.shape, file: file, line: line)
        var identical = 0, agree = 0
        for i in 0..<reference.count where ours.floats[i] == reference.floats[i] { identical += 1 }
        for row in 0..<360 where Classification.argmax(ours.floats + row * 10, count: 10) == Classification.argmax(reference.floats + row * 10, count: 10) { agree += 1 }
        XCTAssertEqual(agree, 360, "\(name): top-1 agreement", file: file, line: line)
        // Measured: all 3,600 logits bit-identical (integer arithmetic and exact
        // requantization); allow a few float32 rounding ties resolved otherwise by another
        // BLAS kernel in the dequantized Conv/Gemm of the QDQ models.
        XCTAssertGreaterThanOrEqual(identical, 3590, "\(name): identical logits", file: file, line: line)
    }

    func testQDQPerChannelMatchesOnnxRuntime() throws { try assertMatchesOnnxRuntime("tiny_cnn_int8") }
    func testQDQPerTensorMatchesOnnxRuntime() throws { try assertMatchesOnnxRuntime("tiny_cnn_int8_pt") }
    func testQLinearConvAndQLinearMatMulModelMatchesOnnxRuntime() throws { try assertMatchesOnnxRuntime("tiny_cnn_int8_qop") }
    func testConvIntegerAndMatMulIntegerModelMatchesOnnxRuntime() throws { try assertMatchesOnnxRuntime("tiny_cnn_int8_dyn") }

    func testSiteKinds() throws {
        let qdq = WeightAnalysis(graph: try Model(contentsOf: fixture("tiny_cnn_int8.onnx")).graph).siteKinds
        XCTAssertEqual(qdq["conv1.weight_quantized"], .weight)
        XCTAssertEqual(qdq["conv1.bias_quantized"], .weight)          // int32 bias through DequantizeLinear
        XCTAssertEqual(qdq["conv1.weight_scale"], .scale)
        XCTAssertEqual(qdq["conv1.weight_zero_point"], .zeroPoint)
        XCTAssertEqual(qdq["conv1.bias_quantized_zero_point"], .zeroPoint)
        XCTAssertEqual(qdq["input_scale"], .scale)                     // activation quantization
        XCTAssertEqual(qdq["input_zero_point"], .zeroPoint)
        XCTAssertEqual(qdq.count, 34)
        let qop = WeightAnalysis(graph: try Model(contentsOf: fixture("tiny_cnn_int8_qop.onnx")).graph).siteKinds
        XCTAssertEqual(qop["conv2.weight_quantized"], .weight)         // QLinearConv input 3
        XCTAssertEqual(qop["conv2.bias_quantized"], .weight)           // QLinearConv input 8
        XCTAssertEqual(qop["fc1.weight_quantized"], .weight)           // QLinearMatMul input 3
        XCTAssertEqual(qop["fc1.weight_zero_point"], .zeroPoint)
        XCTAssertEqual(qop["/conv1/Conv_output_0_scale"], .scale)
        XCTAssertEqual(qop["fc1.bias"], .weight)                       // float bias of the Add
        // A float model has weights only.
        XCTAssertEqual(Set(WeightAnalysis(graph: try Model(contentsOf: fixture("tiny_cnn.onnx")).graph).siteKinds.values), [.weight])
    }

    func testSelectionByPatternIncludesQuantizationParameters() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_int8.onnx"))
        XCTAssertEqual(try TensorSelection(patterns: ["conv1.weight*"]).resolve(in: model),
                       ["conv1.weight_zero_point", "conv1.weight_scale", "conv1.weight_quantized"])
        XCTAssertEqual(try TensorSelection.weights.resolve(in: model).count, 34)
        // `exponent` selects only the float32 scales of a mixed selection...
        let space = try FaultSpace(model: model, names: ["conv1.weight_quantized", "conv1.weight_scale"], bits: BitSelection(parsing: "exponent"))
        XCTAssertEqual(space.targets.map(\.name), ["conv1.weight_scale"])
        // ...and fails when nothing has it.
        XCTAssertThrowsError(try FaultSpace(model: model, names: ["conv1.weight_quantized", "conv2.weight_quantized"], bits: BitSelection(parsing: "exponent"))) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try FaultSpace(model: model, names: ["conv1.weight_quantized"], bits: BitSelection(parsing: "9"))) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument)
        }
    }

    func testInt8WeightScaleAndZeroPointFaults() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_int8.onnx"))
        let weights = try XCTUnwrap(model.graph.initializers["fc2.weight_quantized"])
        let snapshot = model.graph.initializerNames.map { model.graph.initializers[$0]!.copy() }
        let campaign = try Campaign(model: model, data: digits(96), configuration: .init())
        // The int8 weight with the largest magnitude; its sign bit gives v - 128 (two's complement).
        let values = weights.elements(as: Int8.self)
        let index = try XCTUnwrap(values.indices.max { abs(Int(values[$0])) < abs(Int(values[$1])) })
        let sign = try campaign.inject(FaultSite(tensor: "fc2.weight_quantized", index: index, bit: 0), id: 0)
        let v = Int(values[index])
        XCTAssertEqual(sign.dataType, .int8)
        XCTAssertEqual(sign.siteKind, .weight)
        XCTAssertEqual(sign.field, "sign")
        XCTAssertEqual(sign.before, Double(v))
        XCTAssertEqual(sign.after, Double(v < 0 ? v + 128 : v - 128))
        XCTAssertEqual(sign.bitsAfter, sign.bitsBefore ^ 0x80)
        XCTAssertFalse(sign.masked)
        // The same change made by hand to a copy of the weights gives the same metric.
        weights.flipBit(at: 0, ofElement: index)
        let manual = try campaign.evaluator.evaluate()
        weights.flipBit(at: 0, ofElement: index)
        XCTAssertEqual(sign.metric, campaign.metric(of: manual))

        let scale = try campaign.inject(FaultSite(tensor: "logits_scale", index: 0, bit: 1), id: 1)
        XCTAssertEqual(scale.siteKind, .scale)
        XCTAssertEqual(scale.dataType, .float)
        XCTAssertEqual(scale.field, "exponent")
        let zero = try campaign.inject(FaultSite(tensor: "fc2.weight_zero_point", index: 3, bit: 1), id: 2)
        XCTAssertEqual(zero.siteKind, .zeroPoint)
        XCTAssertEqual(zero.after - zero.before, 64)
        // A quantized int32 bias is read at run time, not folded at plan time: its flips show.
        let bias = try campaign.inject(FaultSite(tensor: "fc2.bias_quantized", index: 0, bit: 1), id: 3)
        XCTAssertEqual(bias.dataType, .int32)
        XCTAssertFalse(bias.masked)
        // (+2^30 · scale on logit 0's accumulator: the requantized logit saturates at 127 steps.)
        XCTAssertGreaterThan(bias.maxAbsoluteError, 10)
        for (name, before) in zip(model.graph.initializerNames, snapshot) {
            XCTAssertTrue(model.graph.initializers[name]!.isBitIdentical(to: before), name)
        }
    }

    func testRecordsCarrySiteKindAndReadBack() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_int8_qop.onnx"))
        let campaign = try Campaign(model: model, data: digits(32), configuration: .init())
        let sites = ["fc2.weight_quantized[3]:2", "fc2.weight_scale[0]:5", "fc2.weight_zero_point[0]:7",
                     "logits_matmul_zero_point[0]:0", "conv1.bias_quantized[2]:20"]
        var summary = CampaignSummary(campaign: campaign)
        let records = try sites.enumerated().map { try campaign.inject(FaultSite(parsing: $1), id: $0) }
        records.forEach { summary.add($0) }
        XCTAssertEqual(records.map(\.siteKind), [.weight, .scale, .zeroPoint, .zeroPoint, .weight])
        XCTAssertEqual(records.map(\.dataType), [.int8, .float, .int8, .uint8, .int32])
        XCTAssertEqual(records.map(\.field), ["value", "exponent", "value", "value", "value"])
        XCTAssertEqual(summary.perSiteKind.mapValues(\.injections), [.weight: 2, .scale: 1, .zeroPoint: 2])
        XCTAssertTrue(CampaignReport(summary: summary).text.contains("per site kind:"))
        for format in [RecordFormat.csv, .jsonl] {
            var text = format.header.map { $0 + "\n" } ?? ""
            for record in records { text += format.line(for: record) + "\n" }
            XCTAssertTrue(text.hasPrefix("id") ? text.split(separator: "\n")[0].hasSuffix(",site_kind") : true)
            let read = try RecordReader.parse(Data(text.utf8), format: format).records
            XCTAssertEqual(read.map(\.siteKind), records.map(\.siteKind))
            XCTAssertEqual(read.map(\.dataType), records.map(\.dataType))
            XCTAssertEqual(read.map(\.bitsAfter), records.map(\.bitsAfter))
        }
    }
}
