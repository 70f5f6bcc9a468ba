#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Random multi-bit faults for one corrupted model (`seu-onnx corrupt`): either a fixed number
/// of distinct sites, or every site of the space flipping independently with a bit error rate.
/// Sites are returned in the space's order (tensor, element, bit). Same seed, same sites.
public enum RandomFaults {
    /// More flips than this in one model would mostly measure noise, and every flip is listed
    /// in the manifest: the draw refuses rather than exhaust memory.
    public static let maximumFlips = 10_000_000

    /// `count` distinct sites, uniformly (Floyd's algorithm). Throws when the space has fewer.
    public static func sites(in space: FaultSpace, count: Int, generator: inout SeededGenerator) throws -> [FaultSite] {
        guard count > 0 else {
            throw SEUError(.invalidArgument, "must be positive, got \(count)", location: .init(argument: "--count"))
        }
        guard count <= maximumFlips else {
            throw SEUError(.invalidArgument, "at most \(maximumFlips) flips per model are supported, got \(count)", location: .init(argument: "--count"))
        }
        guard count <= space.size else {
            throw SEUError(.invalidArgument, "\(count) faults requested, but the selection has only \(space.size) sites", location: .init(argument: "--count"))
        }
        return distinctPositions(count, below: space.size, generator: &generator).map(space.site(at:))
    }

    /// Each site of the space flipped independently with probability `rate`: the number of
    /// flips K is drawn from Binomial(space.size, rate), then K distinct sites uniformly — the
    /// same law as one Bernoulli draw per site, in time proportional to K.
    public static func sites(in space: FaultSpace, bitErrorRate rate: Double, generator: inout SeededGenerator) throws -> [FaultSite] {
        guard rate > 0 && rate <= 1 else {
            throw SEUError(.invalidArgument, "the bit error rate must be in (0, 1], got \(rate)", location: .init(argument: "--ber"))
        }
        let k = binomial(trials: space.size, probability: rate, generator: &generator)
        guard k <= maximumFlips else {
            throw SEUError(.invalidArgument, "\(k) flips drawn (rate \(rate) over \(space.size) bits); at most \(maximumFlips) per model are supported, use a lower rate",
                           location: .init(argument: "--ber"))
        }
        return distinctPositions(k, below: space.size, generator: &generator).map(space.site(at:))
    }

    /// A Binomial(n, p) deviate by inversion, searching outward from the mode (alternately one
    /// step down and one up), so that no probability underflows even for n·p in the millions;
    /// expected cost O(√(n·p)).
    public static func binomial(trials n: Int, probability p: Double, generator: inout SeededGenerator) -> Int {
        guard n > 0, p > 0 else { return 0 }
        guard p < 1 else { return n }
        let q = 1 - p
        let mode = min(n, Int((Double(n + 1) * p).rounded(.down)))
        let logPMF = lgamma(Double(n) + 1) - lgamma(Double(mode) + 1) - lgamma(Double(n - mode) + 1)
            + Double(mode) * log(p) + Double(n - mode) * log1p(-p)
        let pMode = exp(logPMF)
        var u = generator.nextUnit() - pMode
        if u < 0 { return mode }
        var low = mode, high = mode
        var pLow = pMode, pHigh = pMode
        while low > 0 || high < n {
            if low > 0 {
                // P(k-1) = P(k) · k / (n-k+1) · q / p
                pLow *= Double(low) / Double(n - low + 1) * (q / p)
                low -= 1
                u -= pLow
                if u < 0 { return low }
            }
            if high < n {
                // P(k+1) = P(k) · (n-k) / (k+1) · p / q
                pHigh *= Double(n - high) / Double(high + 1) * (p / q)
                high += 1
                u -= pHigh
                if u < 0 { return high }
            }
            // Both tails exhausted or below double precision: what is left in u is rounding.
            if (low == 0 || pLow < 1e-300) && (high == n || pHigh < 1e-300) { break }
        }
        return mode
    }

    /// `k` distinct integers in 0..<n, uniformly, sorted (Floyd's algorithm).
    static func distinctPositions(_ k: Int, below n: Int, generator: inout SeededGenerator) -> [Int] {
        guard k > 0 else { return [] }
        guard k < n else { return Array(0..<n) }
        var chosen = Set<Int>()
        chosen.reserveCapacity(k)
        for j in (n - k)..<n {
            let t = generator.nextIndex(below: j + 1)
            if !chosen.insert(t).inserted { chosen.insert(j) }
        }
        return chosen.sorted()
    }
}
