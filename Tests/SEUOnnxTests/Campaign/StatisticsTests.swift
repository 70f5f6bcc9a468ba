import XCTest
@testable import SEUOnnx

/// Reference values from SciPy 1.17.1 (scipy.stats.binomtest(...).proportion_ci with
/// method 'wilson' and 'exact', stats.norm.ppf, stats.t.ppf, stats.t.interval,
/// special.betainc, special.betaincinv), copied here so the tests need no Python.
final class StatisticsTests: XCTestCase {
    private func assertRelative(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9, _ message: String = "",
                                file: StaticString = #filePath, line: UInt = #line) {
        if b == 0 { XCTAssertEqual(a, 0, accuracy: tolerance, message, file: file, line: line); return }
        XCTAssertEqual(a / b, 1, accuracy: tolerance, "\(a) vs \(b) \(message)", file: file, line: line)
    }

    func testWilsonAndClopperPearsonMatchSciPy() {
        // (k, n, confidence, wilson low, wilson high, exact low, exact high)
        let cases: [(Int, Int, Double, Double, Double, Double, Double)] = [
            (0, 10, 0.95, 0.0, 0.27753279986288926, 0.0, 0.30849710781876294),
            (3, 10, 0.95, 0.10779126740630102, 0.6032218525388546, 0.06673951117773447, 0.652452850060008),
            (10, 10, 0.95, 0.7224672001371109, 1.0, 0.6915028921812371, 1.0),
            (45, 660, 0.99, 0.0469687622320198, 0.09799049071698517, 0.045347514616480025, 0.09746528963757037),
            (1, 16587, 0.99, 7.078201031254078e-06, 0.0005132958252039473, 3.021969651618652e-07, 0.00044786215025301184),
            (8293, 16587, 0.99, 0.4899717946277867, 0.5099679413007044, 0.4899408070014274, 0.5099989221797607),
            (7, 1_000_000, 0.95, 3.3908678349008543e-06, 1.445052244882719e-05, 2.8143675343108e-06, 1.4422621834285585e-05),
        ]
        for (k, n, c, wl, wh, el, eh) in cases {
            let w = Intervals.proportion(k, of: n, confidence: c, method: .wilson)
            assertRelative(w.lower, wl, 1e-9, "wilson low \(k)/\(n)")
            assertRelative(w.upper, wh, 1e-9, "wilson high \(k)/\(n)")
            XCTAssertEqual(w.estimate, Double(k) / Double(n))
            let e = Intervals.proportion(k, of: n, confidence: c, method: .clopperPearson)
            assertRelative(e.lower, el, 1e-8, "exact low \(k)/\(n)")
            assertRelative(e.upper, eh, 1e-8, "exact high \(k)/\(n)")
        }
        XCTAssertEqual(Intervals.proportion(0, of: 0, confidence: 0.95).lower, 0)
        XCTAssertTrue(Intervals.proportion(0, of: 0, confidence: 0.95).estimate.isNaN)
    }

    func testNormalAndStudentQuantilesMatchSciPy() {
        let normal: [(Double, Double)] = [
            (0.995, 2.5758293035489004), (0.975, 1.959963984540054), (0.5, 0.0), (1e-10, -6.361340902404056),
            (0.9999999, 5.199337582290661), (0.02, -2.053748910631823), (0.3, -0.5244005127080409),
        ]
        for (p, x) in normal { assertRelative(SpecialFunctions.normalQuantile(p), x, 1e-12, "Φ⁻¹(\(p))") }
        let student: [(Double, Double, Double)] = [
            (0.975, 1, 12.706204736174694), (0.975, 5, 2.5705818356363146), (0.995, 29, 2.756385903670605),
            (0.995, 16586, 2.576125763232162), (0.05, 3, -2.353363434801824), (0.9, 2.5, 1.7302509288071766),
            (0.999, 1000, 3.0984021639129233),
        ]
        for (p, df, t) in student { assertRelative(SpecialFunctions.studentTQuantile(p, degrees: df), t, 1e-10, "t(\(p), \(df))") }
    }

    func testIncompleteBetaAndItsInverseMatchSciPy() {
        let values: [(Double, Double, Double, Double)] = [
            (2, 3, 0.4, 0.5247999999999999), (0.5, 0.5, 0.1, 0.20483276469913345), (100, 200, 0.3, 0.10884306564490986),
            (8293, 8295, 0.5, 0.5061949314182441), (1, 16587, 1e-6, 0.016450201321950186), (5, 0.5, 0.99, 0.7571581091015623),
        ]
        for (a, b, x, v) in values { assertRelative(SpecialFunctions.regularizedIncompleteBeta(x, a: a, b: b), v, 1e-11, "I(\(a),\(b),\(x))") }
        let inverses: [(Double, Double, Double, Double)] = [
            (2, 3, 0.4, 0.3291665033784079), (0.5, 0.5, 0.1, 0.024471741852423214), (100, 200, 0.3, 0.31878823339371),
            (1, 16587, 0.005, 3.021969654643263e-07), (3, 8, 1e-9, 0.00020281203929570454),
        ]
        for (a, b, p, x) in inverses { assertRelative(SpecialFunctions.inverseRegularizedIncompleteBeta(p, a: a, b: b), x, 1e-10, "I⁻¹(\(a),\(b),\(p))") }
    }

    func testMeanIntervalMatchesSciPyTInterval() {
        var moments = RunningMoments()
        for v in [-0.5, 0.0, 0.0, -0.25, 0.125, -0.0625, 0.0, -0.75, 0.0, 0.03125] { moments.add(v) }
        XCTAssertEqual(moments.mean, -0.140625, accuracy: 1e-15)
        XCTAssertEqual(moments.variance, 0.07752821180555555, accuracy: 1e-15)
        let i95 = Intervals.mean(moments.mean, variance: moments.variance, count: moments.count, confidence: 0.95)
        assertRelative(i95.lower, -0.33980817815216785, 1e-11)
        assertRelative(i95.upper, 0.05855817815216785, 1e-10)
        let i99 = Intervals.mean(moments.mean, variance: moments.variance, count: moments.count, confidence: 0.99)
        assertRelative(i99.lower, -0.42677336417708905, 1e-11)
        assertRelative(i99.upper, 0.14552336417708905, 1e-10)
        XCTAssertEqual(i99.method, .studentT)
        XCTAssertEqual(Intervals.mean(0.5, variance: .nan, count: 1, confidence: 0.95).upper, .infinity)
    }

    func testLeveugleSampleSizes() throws {
        // Textbook values (Cochran; any survey sample-size table): 95 % / ±5 % → 385 for an
        // unlimited population and 278 for N = 1000. The others: the formula with
        // scipy.stats.norm.ppf, ceil(659.756) = 660 etc.
        let p95 = try SamplePlan(margin: 0.05, confidence: 0.95)
        XCTAssertEqual(p95.infinitePopulationSize, 385)
        XCTAssertEqual(p95.sampleSize(population: 1000), 278)
        XCTAssertEqual(try SamplePlan(margin: 0.05, confidence: 0.95, expectedRate: 0.1).sampleSize(population: 1000), 122)
        let p99 = try SamplePlan(margin: 0.01, confidence: 0.99)
        XCTAssertEqual(p99.infinitePopulationSize, 16588)
        XCTAssertEqual(p99.sampleSize(population: 357_658_944), 16587)
        XCTAssertEqual(p99.sampleSize(population: 2304), 2024)
        XCTAssertEqual(try SamplePlan(margin: 0.05, confidence: 0.99).sampleSize(population: 117_056), 660)
        XCTAssertEqual(p99.sampleSize(population: 1), 1)
        XCTAssertEqual(p99.sampleSize(population: 0), 0)
        XCTAssertThrowsError(try SamplePlan(margin: 0, confidence: 0.99)) { XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument) }
        XCTAssertThrowsError(try SamplePlan(margin: 0.01, confidence: 1)) { XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument) }
    }

    func testStratifiedEstimateWeightsStrataByPopulation() {
        // Stratum A: 1000 sites, 100 sampled, 10 % critical; B: 9000 sites, 100 sampled, 50 %.
        // p = 0.1·0.1 + 0.9·0.5 = 0.46. Var = 0.01·0.9·(0.1·0.9·100/99)/100
        //   + 0.81·(1 − 100/9000)·(0.25·100/99)/100 = 8.1818e-6 + 2.0227e-3.
        let a = StratumSample.proportion(10, of: 100, population: 1000)
        let b = StratumSample.proportion(50, of: 100, population: 9000)
        let interval = StratifiedEstimate.interval([a, b], confidence: 0.95, isProportion: true)
        XCTAssertEqual(interval.estimate, 0.46, accuracy: 1e-12)
        let variance = 0.01 * 0.9 * (0.09 * 100 / 99) / 100 + 0.81 * (1 - 100.0 / 9000) * (0.25 * 100 / 99) / 100
        XCTAssertEqual(interval.halfWidth, 1.959963984540054 * variance.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(interval.method, .stratifiedNormal)
        // A census of every stratum has no sampling error.
        let census = StratifiedEstimate.interval([.proportion(3, of: 10, population: 10), .proportion(0, of: 5, population: 5)],
                                                 confidence: 0.99, isProportion: true)
        XCTAssertEqual(census.method, .exact)
        XCTAssertEqual(census.estimate, 0.2, accuracy: 1e-15)
    }
}
