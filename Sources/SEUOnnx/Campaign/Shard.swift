/// The fault ids a run or a record file covers: `first`, `first + step`, ... below `end`.
/// A whole campaign is `0..<total` with step 1; shard K of N is every N-th id from K − 1.
public struct FaultIDs: Equatable, Sendable, Sequence {
    public var first: Int
    public var end: Int
    public var step: Int

    public init(first: Int, end: Int, step: Int = 1) {
        self.first = first
        self.end = end
        self.step = Swift.max(1, step)
    }

    public init(_ range: Range<Int>) { self.init(first: range.lowerBound, end: range.upperBound) }

    public var count: Int { first < end ? (end - first + step - 1) / step : 0 }
    public var isEmpty: Bool { count == 0 }

    /// The id at `offset` (0-based) in this sequence.
    public subscript(offset: Int) -> Int { first + offset * step }

    /// The ids after the first `n`.
    public func dropping(_ n: Int) -> FaultIDs { FaultIDs(first: first + Swift.max(0, n) * step, end: end, step: step) }

    public func makeIterator() -> StrideTo<Int>.Iterator { stride(from: first, to: end, by: step).makeIterator() }
}

/// Shard K of N (1-based): fault ids K − 1, K − 1 + N, K − 1 + 2N, ... of the campaign's list.
///
/// Interleaving (rather than cutting the list into blocks) makes every shard a uniform
/// subsample of the list, which is sorted by site: one shard, or shards finished so far, are
/// then a random sample of the whole population and not of its first tensors. Shards differ
/// in size by at most one fault.
public struct Shard: Equatable, Sendable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw SEUError(.invalidArgument, "shard must be K/N with 1 ≤ K ≤ N, got \(index)/\(count)", location: .init(argument: "--shard"))
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw SEUError(.invalidArgument, "expects K/N (e.g. 2/4), got '\(text)'", location: .init(argument: "--shard"))
        }
        try self.init(index: k, count: n)
    }

    /// This shard's fault ids in a list of `total` faults.
    public func ids(total: Int) -> FaultIDs { FaultIDs(first: index - 1, end: max(total, index - 1), step: count) }

    public var description: String { "\(index)/\(count)" }
}
