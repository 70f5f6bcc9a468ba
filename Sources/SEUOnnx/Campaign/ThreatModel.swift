import Foundation

/// A mission under a constant single-event-upset rate, turned into a multi-fault campaign.
///
/// Assumptions (stated in the README and every summary):
/// - Upsets strike the stored bits in scope (the campaign's tensors × bits) independently and
///   uniformly, at a constant rate per bit (a Poisson process): the number of upsets in a
///   mission is Poisson with mean λ = rate × bits × days.
/// - Weights are loaded once at the start of the mission and never scrubbed or corrected
///   (no ECC, no reload); upsets accumulate. A bit hit twice flips back.
/// - Each upset flips one bit (no multi-cell upsets); activations, code and other memory are
///   out of scope.
/// - Every mission is evaluated at its end, with all of its upsets present.
///
/// Missions without any upset are fault-free by construction, so the campaign draws only
/// missions with at least one upset (a zero-truncated Poisson count) and reports both the
/// rates given an upset and the rates per mission, P(K ≥ 1) × rate.
public struct ThreatModel: Equatable, Sendable, Codable {
    /// Upsets per bit per day.
    public var upsetsPerBitDay: Double
    public var missionDays: Double
    /// Missions to simulate.
    public var missions: Int

    /// Bits in one Mbit for FIT/Mbit rates (memory-array convention, 2^20).
    public static let bitsPerMbit = 1_048_576.0
    /// A FIT is one failure per 10^9 device-hours.
    public static let hoursPerFIT = 1e9
    /// Largest expected number of upsets per mission a campaign accepts.
    public static let maximumExpectedUpsets = 10_000.0

    public init(upsetsPerBitDay: Double, missionDays: Double, missions: Int) throws {
        guard upsetsPerBitDay > 0, upsetsPerBitDay.isFinite else {
            throw SEUError(.invalidArgument, "the upset rate must be positive, got \(upsetsPerBitDay)", location: .init(argument: "--upset-rate"))
        }
        guard missionDays > 0, missionDays.isFinite else {
            throw SEUError(.invalidArgument, "the mission time must be positive, got \(missionDays) days", location: .init(argument: "--mission-days"))
        }
        guard missions > 0 else {
            throw SEUError(.invalidArgument, "the number of missions must be positive, got \(missions)", location: .init(argument: "--count"))
        }
        self.upsetsPerBitDay = upsetsPerBitDay
        self.missionDays = missionDays
        self.missions = missions
    }

    /// Converts FIT per Mbit (upsets per 10^9 hours per 2^20 bits) to upsets per bit per day.
    public static func upsetsPerBitDay(fitPerMbit: Double) -> Double {
        fitPerMbit * 24 / (hoursPerFIT * bitsPerMbit)
    }

    /// Parses `--upset-rate`: a number of upsets per bit per day (`1e-10`, `1e-10/bit/day`), or
    /// FIT per Mbit (`500fit`, `500 FIT/Mbit`). Returns upsets per bit per day.
    public static func parseRate(_ text: String) throws -> Double {
        let compact = text.lowercased().filter { !$0.isWhitespace }
        var number = compact, perBitDay = true
        for suffix in ["fit/mbit", "fit/mb", "fit"] where compact.hasSuffix(suffix) {
            number = String(compact.dropLast(suffix.count)); perBitDay = false; break
        }
        if perBitDay {
            for suffix in ["/bit/day", "/bit-day", "/bitday"] where compact.hasSuffix(suffix) {
                number = String(compact.dropLast(suffix.count)); break
            }
        }
        guard let value = Double(number), value > 0, value.isFinite else {
            throw SEUError(.invalidArgument, "cannot read upset rate '\(text)' (use upsets per bit per day like 1e-10, or FIT per Mbit like 500fit)",
                           location: .init(argument: "--upset-rate"))
        }
        return perBitDay ? value : upsetsPerBitDay(fitPerMbit: value)
    }

    /// λ: expected upsets per mission among `bits` stored bits.
    public func expectedUpsets(bits: Int) -> Double { upsetsPerBitDay * Double(bits) * missionDays }

    /// P(K ≥ 1) = 1 − e^(−λ): the chance a mission sees any upset at all.
    public func probabilityOfUpset(bits: Int) -> Double { -expm1(-expectedUpsets(bits: bits)) }

    /// The missions' faults as space positions (each sorted, repeats kept: two upsets of one
    /// bit cancel), drawn from one generator seeded with `seed`.
    public func missionPositions(in space: FaultSpace, seed: UInt64) throws -> [[Int]] {
        guard space.size > 0 else { throw SEUError(.invalidArgument, "no bits in scope for the threat model") }
        let lambda = expectedUpsets(bits: space.size)
        guard lambda <= Self.maximumExpectedUpsets else {
            throw SEUError(.invalidArgument, "a mission would see \(Format.fixed(lambda, 1)) upsets on average (more than \(Int(Self.maximumExpectedUpsets))): the model is certainly destroyed; shorten --mission-days or lower --upset-rate",
                           location: .init(argument: "--upset-rate"))
        }
        var generator = SeededGenerator(seed: seed)
        var missions: [[Int]] = []
        missions.reserveCapacity(self.missions)
        for _ in 0..<self.missions {
            let k = Self.zeroTruncatedPoisson(lambda, &generator)
            missions.append((0..<k).map { _ in generator.nextIndex(below: space.size) }.sorted())
        }
        return missions
    }

    /// A Poisson(λ) count conditioned on being at least 1. Small λ: inverse transform on the
    /// truncated distribution (exact even for λ = 1e-12, where almost every draw is 1). Large
    /// λ: Hörmann's PTRS rejection sampler (zero then has probability below 1e-13 and is redrawn).
    static func zeroTruncatedPoisson(_ lambda: Double, _ generator: inout SeededGenerator) -> Int {
        if lambda < 30 {
            let norm = -expm1(-lambda)
            let u = generator.nextUnit()
            var k = 1
            var pk = exp(-lambda) * lambda
            var cumulative = pk / norm
            while u > cumulative && k < 10_000 {
                k += 1
                pk *= lambda / Double(k)
                cumulative += pk / norm
            }
            return k
        }
        let s = lambda.squareRoot(), logLambda = log(lambda)
        let b = 0.931 + 2.53 * s, a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = generator.nextUnit() - 0.5, v = generator.nextUnit()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { if k >= 1 { return Int(k) } else { continue } }
            if k < 1 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - lgamma(k + 1) {
                return Int(k)
            }
        }
    }
}
