/// What a fault did, judged against the fault-free run on the same inputs. Each fault is put
/// in exactly one class, the first that applies in this order:
///
/// 1. `masked`: every output element is bit-identical to the fault-free output.
/// 2. `due` (detected unrecoverable error): some output is NaN or ±Inf — a cheap check
///    would catch it.
/// 3. `sdc5`: on some input, the fault-free top-1 class is no longer among the top 5.
/// 4. `sdc1`: on some input, the top-1 class changed (but stayed in the top 5 everywhere).
/// 5. `tolerable`: outputs changed, the top-1 class of every input did not.
///
/// So the five rates add up to 1, and "top-1 changed on some input" in the usual SDC-1
/// sense is `sdc1 + sdc5` (plus the DUE faults that also changed a class). Classes come from
/// the counts in a record, so they can be recomputed from any record file.
public enum OutcomeClass: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case masked
    case tolerable
    case sdc1 = "sdc-1"
    case sdc5 = "sdc-5"
    case due

    /// Classifies a fault from its record fields.
    public init(masked: Bool, nonfiniteSamples: Int, top1Changes: Int, top5Losses: Int) {
        if masked { self = .masked }
        else if nonfiniteSamples > 0 { self = .due }
        else if top5Losses > 0 { self = .sdc5 }
        else if top1Changes > 0 { self = .sdc1 }
        else { self = .tolerable }
    }

    /// Short label for tables and charts.
    public var description: String {
        switch self {
        case .masked: return "masked"
        case .tolerable: return "tolerable"
        case .sdc1: return "SDC-1"
        case .sdc5: return "SDC-5"
        case .due: return "DUE"
        }
    }

    /// One line explaining the class (report legends).
    public var meaning: String {
        switch self {
        case .masked: return "outputs bit-identical to the fault-free run"
        case .tolerable: return "outputs changed, top-1 class unchanged on every input"
        case .sdc1: return "top-1 class changed on some input (fault-free top-1 still in the top 5)"
        case .sdc5: return "fault-free top-1 class left the top 5 on some input"
        case .due: return "NaN or Inf in the outputs (detectable)"
        }
    }

    /// SDC-1, SDC-5 and DUE: the fault visibly broke a result.
    public var isCritical: Bool { self == .sdc1 || self == .sdc5 || self == .due }

    /// Index in `allCases` (for count arrays).
    public var index: Int {
        switch self {
        case .masked: return 0
        case .tolerable: return 1
        case .sdc1: return 2
        case .sdc5: return 3
        case .due: return 4
        }
    }
}

/// Counts of faults per outcome class.
public struct OutcomeCounts: Equatable, Sendable {
    public private(set) var counts = [Int](repeating: 0, count: OutcomeClass.allCases.count)

    public init() {}

    public mutating func add(_ outcome: OutcomeClass) { counts[outcome.index] += 1 }
    public mutating func add(_ other: OutcomeCounts) { for i in counts.indices { counts[i] += other.counts[i] } }

    public subscript(_ outcome: OutcomeClass) -> Int { counts[outcome.index] }
    public var total: Int { counts.reduce(0, +) }
    /// Faults in SDC-1, SDC-5 or DUE.
    public var critical: Int { self[.sdc1] + self[.sdc5] + self[.due] }
}

extension InjectionRecord {
    /// The fault's outcome class (see `OutcomeClass`).
    public var outcome: OutcomeClass {
        OutcomeClass(masked: masked, nonfiniteSamples: nonfiniteSamples, top1Changes: mismatches, top5Losses: top5Mismatches)
    }
}
