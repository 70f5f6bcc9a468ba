import XCTest
@testable import SEUOnnx

/// PyTorch `.half()` and `.to(torch.bfloat16)` exports of tiny_cnn (Fixtures/, made by
/// Examples/make_format_fixtures.py) run with float32 kernels rounded at each op output, and
/// match onnxruntime (float16) and PyTorch (bfloat16; onnxruntime's CPU provider rejects it).
final class SixteenBitModelTests: XCTestCase {
    private func fixture(_ name: String) -> URL { TestPaths.fixtures.appendingPathComponent(name) }

    /// Runs `model` on digits_x rounded to its input type; returns float32 logits.
    private func logits(_ model: Model) throws -> Tensor {
        let session = try InferenceSession(model: model)
        let x = try session.convertingFloatInputs([NPY.read(contentsOf: fixture("digits_x.npy"))])
        XCTAssertEqual(x[0].dataType, session.inputs[0].type?.dataType)
        let data = try CampaignData(inputs: x, labels: nil)
        return try BatchedInference.run(session: session, data: data, batchSize: 64)[0].convertedToFloat()
    }

    /// Top-1 agreement (fraction) and max |a - b| / max |b|.
    private func compare(_ ours: Tensor, _ reference: Tensor) -> (agreement: Double, relative: Double, identical: Int) {
        let a = ours.convertedToFloat(), b = reference.convertedToFloat()
        let rows = b.shape[0], classes = b.count / rows
        var agree = 0, identical = 0
        var maxDiff: Float = 0, maxRef: Float = 0
        for row in 0..<rows where Classification.argmax(a.floats + row * classes, count: classes)
            == Classification.argmax(b.floats + row * classes, count: classes) { agree += 1 }
        for i in 0..<b.count {
            maxDiff = max(maxDiff, abs(a.floats[i] - b.floats[i]))
            maxRef = max(maxRef, abs(b.floats[i]))
            if a.floats[i] == b.floats[i] { identical += 1 }
        }
        return (Double(agree) / Double(rows), Double(maxDiff / maxRef), identical)
    }

    func testFloat16ExportMatchesOnnxRuntime() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_fp16.onnx"))
        XCTAssertEqual(model.graph.initializers["conv1.weight"]?.dataType, .float16)
        XCTAssertEqual(model.graph.initializerSources["conv1.weight"], .rawData)
        let ours = try logits(model)
        let reference = try NPY.read(contentsOf: fixture("tiny_cnn_fp16_logits_ort.npy"))
        XCTAssertEqual(reference.dataType, .float16)
        let result = compare(ours, reference)
        XCTAssertEqual(result.agreement, 1, "same top-1 on all 360 digits")
        // Measured: 5.7e-4 (max |diff| 0.031, one float16 step at |logit| 16-32); onnxruntime
        // and PyTorch differ from each other by the same amount.
        XCTAssertLessThanOrEqual(result.relative, 1e-2)
        let labels = try NPY.read(contentsOf: fixture("digits_y.npy")).intValues()
        XCTAssertEqual(try BatchedInference.hits(output: ours, labels: labels).top1, 352)
    }

    func testBFloat16ExportMatchesPyTorch() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_bf16.onnx"))
        XCTAssertEqual(model.graph.initializers["conv2.weight"]?.dataType, .bfloat16)
        guard case .external = model.graph.initializerSources["conv2.weight"] else {
            return XCTFail("the default exporter stores conv2.weight as external data")
        }
        let ours = try logits(model)
        let result = compare(ours, try NPY.read(contentsOf: fixture("tiny_cnn_bf16_logits_torch.npy")))
        XCTAssertEqual(result.agreement, 1)
        XCTAssertLessThanOrEqual(result.relative, 1e-2)
        // Measured: every logit bit-identical to PyTorch's bfloat16 CPU run (both round each op's
        // float32 result); allow a few ties resolved differently by another BLAS kernel.
        XCTAssertGreaterThanOrEqual(result.identical, 3500, "of 3600 logits")
    }

    func testSixteenBitOutputsAreRoundedAtEachOp() throws {
        // Gemm on float16: x·W + b computed in float32, then rounded once to float16.
        let weight = Tensor(dataType: .float16, shape: [1, 2])
        weight.pointer(as: UInt16.self)[0] = HalfPrecision.float16Bits(from: 1)
        weight.pointer(as: UInt16.self)[1] = HalfPrecision.float16Bits(from: 0x1p-11)
        let x = try Tensor(shape: [1, 2], floats: [1, 1]).converted(to: .float16)
        let y = try GraphRunner.run("Gemm", inputs: [x, weight], attributes: ["transB": .int(1)])[0]
        XCTAssertEqual(y.dataType, .float16)
        // 1 + 2^-11 is a tie in float16: ties to even gives 1.0.
        XCTAssertEqual(y.pointer(as: UInt16.self)[0], 0x3C00)
    }

    func testCampaignOnBFloat16ModelFlipsExternalBFloat16Bits() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_bf16.onnx"))
        let session = try InferenceSession(model: model)
        let x = try session.convertingFloatInputs([NPY.read(contentsOf: fixture("digits_x.npy"))])
        let data = try CampaignData(inputs: [CampaignData(inputs: x, labels: nil).batch(0..<64)[0]], labels: nil)
        let before = model.graph.initializers["fc1.weight"]!.copy()
        let campaign = try Campaign(model: model, session: session, data: data,
                                    configuration: .init(selection: TensorSelection(patterns: ["fc1.weight"]),
                                                         bits: BitSelection(parsing: "mantissa"), mode: .count(40), seed: 2))
        var records: [InjectionRecord] = []
        let summary = try campaign.run { records.append($0) }
        XCTAssertEqual(summary.population, 2048 * 7)
        XCTAssertTrue(records.allSatisfy { $0.dataType == .bfloat16 && (9...15).contains($0.bit) })
        // A mantissa flip changes the weight by one step of its 8-bit significand, no more.
        for r in records where r.before != 0 {
            XCTAssertLessThanOrEqual(abs(r.after - r.before) / abs(r.before), 0.5)
            XCTAssertEqual(r.bitsAfter ^ r.bitsBefore, UInt64(1) << UInt64(15 - r.bit))
        }
        XCTAssertTrue(model.graph.initializers["fc1.weight"]!.isBitIdentical(to: before))
    }

    func testCampaignOnFloat16ModelFlipsFloat16Bits() throws {
        let model = try Model(contentsOf: fixture("tiny_cnn_fp16.onnx"))
        let session = try InferenceSession(model: model)
        let x = try session.convertingFloatInputs([NPY.read(contentsOf: fixture("digits_x.npy"))])
        // The first 96 digits keep the 72 injections quick.
        let all = try CampaignData(inputs: x, labels: nil)
        let labels = try NPY.read(contentsOf: fixture("digits_y.npy")).intValues().prefix(96).map { Int64($0) }
        let data = try CampaignData(inputs: all.batch(0..<96), labels: Tensor(shape: [96], elements: labels))
        let snapshot = model.graph.initializerNames.map { model.graph.initializers[$0]!.copy() }
        let campaign = try Campaign(model: model, session: session, data: data,
                                    configuration: .init(selection: TensorSelection(patterns: ["conv1.weight"]),
                                                         bits: BitSelection(parsing: "1"), mode: .exhaustive))
        var records: [InjectionRecord] = []
        let summary = try campaign.run { records.append($0) }
        XCTAssertEqual(summary.overall.injections, 72)
        XCTAssertTrue(records.allSatisfy { $0.dataType == .float16 && $0.field == "exponent" && $0.siteKind == .weight })
        // Bit 1 (exponent MSB, worth 2^4 in float16's biased exponent) multiplies a normal
        // weight below 1 in magnitude by 2^16; weights in [1, 2) become inf or NaN.
        for r in records where abs(r.before) >= 0x1p-14 {
            if abs(r.before) < 1 { XCTAssertEqual(r.after, r.before * 65536, "\(r.site)") } else { XCTAssertFalse(r.after.isFinite) }
        }
        XCTAssertEqual(records[0].bitsAfter, records[0].bitsBefore ^ 0x4000)
        XCTAssertLessThan(summary.meanMetric, summary.baselineMetric)
        for (name, before) in zip(model.graph.initializerNames, snapshot) {
            XCTAssertTrue(model.graph.initializers[name]!.isBitIdentical(to: before), name)
        }
    }
}
