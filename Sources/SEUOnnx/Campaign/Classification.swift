/// Class decisions on model outputs, with NumPy/PyTorch argmax semantics so accuracies agree
/// with PyTorch-based tools: NaN compares as the largest value (the first NaN wins) and, among
/// equal values, the lowest index wins.
public enum Classification {
    /// Index of the largest value of `row[0..<count]`.
    @inline(__always)
    public static func argmax(_ row: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        var bestValue = row[0]
        if bestValue.isNaN { return 0 }
        for j in 1..<max(count, 1) {
            let v = row[j]
            if v.isNaN { return j }
            if v > bestValue { bestValue = v; best = j }
        }
        return best
    }

    /// How many entries rank before `target` in descending order (0 = it is the top-1):
    /// larger values, and equal values at lower indices, rank first; NaN is the largest.
    @inline(__always)
    public static func rank(of target: Int, in row: UnsafePointer<Float>, count: Int) -> Int {
        let t = row[target]
        var ahead = 0
        for j in 0..<count where j != target {
            let v = row[j]
            let before: Bool
            if v.isNaN { before = !t.isNaN || j < target }
            else if t.isNaN { before = false }
            else { before = v > t || (v == t && j < target) }
            if before { ahead += 1 }
        }
        return ahead
    }
}

/// The outcome of evaluating the model on a campaign's data once.
public struct Score: Equatable, Sendable {
    /// Inputs evaluated.
    public var samples = 0
    /// Inputs whose top-1 class equals the label (with labels).
    public var correct = 0
    /// Inputs whose label is among the top 5 classes (with labels).
    public var correctTop5 = 0
    /// Inputs whose top-1 class differs from the fault-free run's.
    public var mismatches = 0
    /// Inputs whose fault-free top-1 class is no longer among the top 5 (SDC-5).
    public var top5Mismatches = 0
    /// Inputs whose output row contains NaN or ±Inf.
    public var nonfiniteSamples = 0
    /// True when every output element is bit-identical to the fault-free run (masked fault).
    public var identical = true
    /// Largest absolute difference from the fault-free output (NaN/Inf count as infinite).
    public var maxAbsoluteError: Double = 0
    /// Sum of squared differences from the fault-free output (for the mean squared error).
    public var sumSquaredError: Double = 0
    /// Output elements compared.
    public var elements = 0

    public init() {}

    public var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : 0 }
    public var top5Accuracy: Double { samples > 0 ? Double(correctTop5) / Double(samples) : 0 }
    /// Fraction of inputs whose top-1 changed (silent data corruption rate over inputs).
    public var mismatchRate: Double { samples > 0 ? Double(mismatches) / Double(samples) : 0 }
    public var nonfinite: Bool { nonfiniteSamples > 0 }
    public var meanSquaredError: Double { elements > 0 ? sumSquaredError / Double(elements) : 0 }
}
