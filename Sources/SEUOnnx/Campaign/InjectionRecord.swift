/// The result of one injection: where the fault was, what it did to the stored value, and how
/// the model's metric changed.
public struct InjectionRecord: Equatable, Sendable {
    /// Position of the fault in the campaign's fault list.
    public var id: Int
    public var tensor: String
    /// Flat element index, row-major.
    public var index: Int
    /// Bit position, 0 = most significant.
    public var bit: Int
    public var dataType: DataType
    /// The stored element before and after the flip, as numbers and as bit patterns.
    public var before: Double
    public var after: Double
    public var bitsBefore: UInt64
    public var bitsAfter: UInt64
    /// The campaign metric with the fault (accuracy with labels, else the rate of inputs whose
    /// top-1 class changed) and its change against the fault-free run.
    public var metric: Double
    public var delta: Double
    /// Top-5 accuracy (with labels).
    public var top5: Double?
    /// Inputs whose top-1 class changed against the fault-free run.
    public var mismatches: Int
    /// Inputs whose outputs contained NaN or Inf.
    public var nonfiniteSamples: Int
    /// Outputs bit-identical to the fault-free run.
    public var masked: Bool
    public var maxAbsoluteError: Double
    public var meanSquaredError: Double
    /// Further sites flipped together with the first (multi-bit faults); empty for an SEU.
    public var extraSites: [FaultSite] = []
    /// What the first site's tensor is to the model: weight, quantization scale or zero point.
    public var siteKind: SiteKind = .weight
    /// Inputs whose fault-free top-1 class left the top 5 of the faulty output (SDC-5).
    public var top5Mismatches: Int = 0

    public var nonfinite: Bool { nonfiniteSamples > 0 }
    public var site: FaultSite { FaultSite(tensor: tensor, index: index, bit: bit) }
    /// Every site of the fault.
    public var fault: Fault { Fault([site] + extraSites) }
    /// Field hit: sign, exponent, mantissa (floats) or value.
    public var field: String { BitLayout(dataType).field(of: bit) }
}
