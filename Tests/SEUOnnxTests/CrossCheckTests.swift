import Foundation
import XCTest
@testable import SEUOnnx

/// Agreement with the Python seu-injection-framework 1.3.0, injection by injection, on the
/// first-release cross-check: the exhaustive campaign of bit 1 (bit 0 = sign = MSB) over
/// `conv1.weight` of digits_cnn.onnx (16×1×3×3 = 144 injections), accuracy on the 360 digits of
/// digits_test_x/y. The framework's results are committed in
/// `Fixtures/crosscheck_digits_bit1_conv1.csv` (written by Examples/crosscheck/crosscheck_digits.py,
/// which runs the framework on the same model rebuilt in PyTorch), so no Python is needed here.
/// Skipped when ../shared/models is absent.
final class CrossCheckTests: XCTestCase {
    /// One row of the fixture: the framework's result for the fault at flat index `index`.
    struct FrameworkResult {
        let index: Int
        let afterBits: UInt64
        let accuracy: Double
        let correct: Int
        let nonfinite: Bool
    }

    // The 13 non-finite injections are the delicate ones: the flipped weight (~2.0e38) passes
    // through conv1 unchanged (input pixels are in [0, 1]), so conv2, fc1 and fc2 sum several
    // terms near float32's limit (3.4e38), and whether a partial sum overflows depends on the
    // order of the additions. seu-onnx's GEMM adds in a fixed order on every CPU (AVX-512, AVX2
    // and the portable kernel give the same bits), and that order gives PyTorch's accuracy on all
    // 144 injections. (With OpenBLAS, Haswell kernels differed from PyTorch by one image on
    // injections 31 and 100; SkylakeX/Cooperlake kernels agreed.)

    static func loadFixture() throws -> [FrameworkResult] {
        let url = TestPaths.fixtures.appendingPathComponent("crosscheck_digits_bit1_conv1.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.first, "index,after_bits,accuracy,correct,nonfinite,nonfinite_samples")
        return try lines.dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 6, let index = Int(f[0]), let bits = UInt64(f[1].dropFirst(2), radix: 16),
                  let accuracy = Double(f[2]), let correct = Int(f[3]) else {
                throw SEUError(.invalidArgument, "bad fixture line: \(line)")
            }
            return FrameworkResult(index: index, afterBits: bits, accuracy: accuracy, correct: correct,
                                   nonfinite: f[4] == "true")
        }
    }

    func testExhaustiveBit1OverConv1AgreesWithFrameworkPerInjection() throws {
        let folder = try TestPaths.requireSharedModels()
        let expected = try Self.loadFixture()
        XCTAssertEqual(expected.count, 144)
        XCTAssertEqual(expected.filter(\.nonfinite).count, 13, "fixture: injections with NaN/Inf logits in PyTorch")

        let model = try Model(contentsOf: folder.appendingPathComponent("digits_cnn.onnx"))
        let data = try CampaignData(inputs: [NPY.read(contentsOf: folder.appendingPathComponent("digits_test_x.npy"))],
                                    labels: NPY.read(contentsOf: folder.appendingPathComponent("digits_test_y.npy")))
        // Batch 64, as the framework's classification_accuracy (the batch does not change a
        // sample's result here, but it is the same computation).
        let campaign = try Campaign(model: model, data: data,
                                    configuration: .init(selection: TensorSelection(patterns: ["conv1.weight"]),
                                                         bits: BitSelection(parsing: "1"), mode: .exhaustive,
                                                         batchSize: 64))
        XCTAssertEqual(campaign.baseline.correct, 356, "baseline 0.98889 = 356/360")
        XCTAssertEqual(String(format: "%.5f", campaign.baselineMetric), "0.98889")

        var records: [InjectionRecord] = []
        try campaign.run(record: { records.append($0) })
        XCTAssertEqual(records.count, expected.count)
        let kernels = Kernels.summary
        var finiteCompared = 0
        for (record, framework) in zip(records, expected) {
            let at = "injection at conv1.weight[\(framework.index)] (\(kernels))"
            // Same fault order (flat row-major) and the same flipped pattern: bit 1 from the MSB.
            XCTAssertEqual(record.index, framework.index, at)
            XCTAssertEqual(record.bit, 1, at)
            XCTAssertEqual(record.bitsAfter, framework.afterBits, at)
            let correct = Int((record.metric * 360).rounded())
            if !framework.nonfinite {
                // Finite in PyTorch: must be finite here too and give exactly the same accuracy.
                XCTAssertFalse(record.nonfinite, at)
                XCTAssertEqual(correct, framework.correct, at)
                XCTAssertEqual(record.metric, framework.accuracy, at)
                finiteCompared += 1
            } else {
                // Non-finite in PyTorch: non-finite here too, with the same accuracy.
                XCTAssertTrue(record.nonfinite, at)
                XCTAssertEqual(correct, framework.correct, at)
                XCTAssertEqual(record.metric, framework.accuracy, at)
            }
        }
        XCTAssertEqual(finiteCompared, 131)
        let mean = records.map(\.metric).reduce(0, +) / Double(records.count)
        XCTAssertEqual(String(format: "%.5f", mean), "0.47000", "mean accuracy (\(kernels))")
        XCTAssertEqual(records.filter(\.nonfinite).count, 13)
    }
}
