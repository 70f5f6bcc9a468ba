/// A set of plane indices (see `PlaneKernel`) kept as ascending, disjoint runs: outputs are
/// computed and compared in runs (an image's planes, one filter's planes), so runs are what the
/// bookkeeping of incremental re-execution inserts and iterates.
final class PlaneRuns {
    private var lower: [Int] = []
    private var upper: [Int] = []
    /// Runs were inserted in ascending, non-overlapping order.
    private var ordered = true

    var isEmpty: Bool { lower.isEmpty }

    @inline(__always)
    func insert(_ run: Range<Int>) {
        guard !run.isEmpty else { return }
        if let last = upper.last {
            if run.lowerBound == last {
                upper[upper.count - 1] = run.upperBound
                return
            }
            if run.lowerBound < last { ordered = false }
        }
        lower.append(run.lowerBound)
        upper.append(run.upperBound)
    }

    @inline(__always)
    func insert(_ plane: Int) { insert(plane..<plane + 1) }

    func removeAll() {
        lower.removeAll(keepingCapacity: true)
        upper.removeAll(keepingCapacity: true)
        ordered = true
    }

    /// The runs, ascending and disjoint (adjacent runs merged).
    var runs: [Range<Int>] {
        normalize()
        return zip(lower, upper).map { $0..<$1 }
    }

    private func normalize() {
        guard !ordered else { return }
        let sorted = zip(lower, upper).sorted { $0.0 < $1.0 }
        lower.removeAll(keepingCapacity: true)
        upper.removeAll(keepingCapacity: true)
        ordered = true
        for (l, u) in sorted {
            if let last = upper.last, l <= last {
                upper[upper.count - 1] = max(last, u)
            } else {
                lower.append(l)
                upper.append(u)
            }
        }
    }
}

/// A bitset over `0..<capacity` without a member list (for sets that are filled in ranges and
/// only tested): clearing costs capacity / 64 words.
final class PlaneBits {
    let capacity: Int
    private let bits: UnsafeMutablePointer<UInt64>
    private let words: Int

    init(capacity: Int) {
        self.capacity = capacity
        words = (capacity + 63) / 64
        bits = .allocate(capacity: max(words, 1))
        bits.initialize(repeating: 0, count: max(words, 1))
    }

    deinit { bits.deallocate() }

    @inline(__always)
    func contains(_ plane: Int) -> Bool { bits[plane >> 6] & (1 << UInt64(plane & 63)) != 0 }

    /// Inserts `plane`; returns true when it was not a member.
    @inline(__always) @discardableResult
    func insert(_ plane: Int) -> Bool {
        let mask: UInt64 = 1 << UInt64(plane & 63)
        if bits[plane >> 6] & mask != 0 { return false }
        bits[plane >> 6] |= mask
        return true
    }

    /// Inserts every plane of `range`.
    func insert(_ range: Range<Int>) {
        var plane = range.lowerBound
        while plane < range.upperBound {
            if plane & 63 == 0 && plane + 64 <= range.upperBound {
                bits[plane >> 6] = ~0
                plane += 64
            } else {
                bits[plane >> 6] |= 1 << UInt64(plane & 63)
                plane += 1
            }
        }
    }

    func removeAll() { bits.update(repeating: 0, count: words) }
}
