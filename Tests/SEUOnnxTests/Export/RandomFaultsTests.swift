import Foundation
import XCTest
@testable import SEUOnnx

/// The random draws of `seu-onnx corrupt`: the binomial count and the distinct sites.
final class RandomFaultsTests: XCTestCase {
    private func moments(n: Int, p: Double, draws: Int, seed: UInt64) -> (mean: Double, variance: Double) {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<draws).map { _ in Double(RandomFaults.binomial(trials: n, probability: p, generator: &generator)) }
        let mean = values.reduce(0, +) / Double(draws)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws - 1)
        return (mean, variance)
    }

    func testBinomialMomentsMatchTheLaw() {
        // n = 10,000, p = 0.003: mean 30, variance 29.91. Standard error of the mean over 4,000
        // draws: 0.086; of the variance: about 0.7.
        let small = moments(n: 10_000, p: 0.003, draws: 4000, seed: 1)
        XCTAssertEqual(small.mean, 30, accuracy: 0.35)
        XCTAssertEqual(small.variance, 29.91, accuracy: 3)
        // A resnet18-sized space at BER 1e-3: n = 357.7 M bits, mean 357,655, sd 598.
        let large = moments(n: 357_654_848, p: 1e-3, draws: 400, seed: 2)
        XCTAssertEqual(large.mean, 357_654.8, accuracy: 4 * 598 / 20)
        XCTAssertEqual(large.variance.squareRoot(), 598, accuracy: 60)
    }

    func testBinomialProbabilitiesForASmallCase() {
        // Binomial(3, 0.5): 1/8, 3/8, 3/8, 1/8.
        var generator = SeededGenerator(seed: 3)
        var counts = [Int](repeating: 0, count: 4)
        let draws = 80_000
        for _ in 0..<draws { counts[RandomFaults.binomial(trials: 3, probability: 0.5, generator: &generator)] += 1 }
        for (k, expected) in [0.125, 0.375, 0.375, 0.125].enumerated() {
            XCTAssertEqual(Double(counts[k]) / Double(draws), expected, accuracy: 0.006, "k = \(k)")
        }
        XCTAssertEqual(RandomFaults.binomial(trials: 17, probability: 1, generator: &generator), 17)
        XCTAssertEqual(RandomFaults.binomial(trials: 0, probability: 0.5, generator: &generator), 0)
    }

    func testSitesAreDistinctOrderedAndReproducible() throws {
        let model = TinyModels.classifier()
        let space = try FaultSpace(model: model, names: ["fc.weight", "fc.bias"], bits: BitSelection(parsing: "0-8"))
        XCTAssertEqual(space.size, 15 * 9)
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        let first = try RandomFaults.sites(in: space, count: 40, generator: &a)
        let second = try RandomFaults.sites(in: space, count: 40, generator: &b)
        XCTAssertEqual(first, second)
        XCTAssertEqual(Set(first).count, 40)
        XCTAssertEqual(first.compactMap(space.position(of:)), first.compactMap(space.position(of:)).sorted())
        XCTAssertTrue(first.allSatisfy { $0.bit <= 8 })
        var c = SeededGenerator(seed: 7)
        XCTAssertEqual(try RandomFaults.sites(in: space, count: space.size, generator: &c).count, space.size)
        XCTAssertThrowsError(try RandomFaults.sites(in: space, count: space.size + 1, generator: &c)) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try RandomFaults.sites(in: space, bitErrorRate: 0, generator: &c))
        XCTAssertEqual(try RandomFaults.sites(in: space, bitErrorRate: 1, generator: &c).count, space.size)
    }

    func testWorstRecordsKeepsTheKLowestAccuraciesInOrder() {
        func record(_ id: Int, _ metric: Double, _ mismatches: Int = 0) -> InjectionRecord {
            InjectionRecord(id: id, tensor: "w", index: id, bit: 1, dataType: .float, before: 0, after: 0, bitsBefore: 0, bitsAfter: 0,
                            metric: metric, delta: 0, top5: nil, mismatches: mismatches, nonfiniteSamples: 0, masked: false,
                            maxAbsoluteError: 0, meanSquaredError: 0)
        }
        var worst = WorstRecords(capacity: 3, hasLabels: true)
        for r in [record(0, 0.9), record(1, 0.2), record(2, 0.5), record(3, 0.2), record(4, 0.95), record(5, 0.1), record(6, 0.2, 3)] {
            worst.add(r)
        }
        // 0.1 first; then the 0.2 with more changed inputs; then the earlier of the tied 0.2s.
        XCTAssertEqual(worst.records.map(\.id), [5, 6, 1])
        var mismatchRates = WorstRecords(capacity: 2, hasLabels: false)
        for r in [record(0, 0.1), record(1, 0.7), record(2, 0.3)] { mismatchRates.add(r) }
        XCTAssertEqual(mismatchRates.records.map(\.id), [1, 2])
    }
}
