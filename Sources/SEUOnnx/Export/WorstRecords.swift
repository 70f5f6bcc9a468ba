/// The K most damaging records of a campaign, kept as the records stream in (for
/// `inject --export-worst`). With labels, lower accuracy is worse; without, a higher rate of
/// changed top-1 classes is worse. Ties: more changed inputs, then a larger mean squared error,
/// then the earlier record.
public struct WorstRecords: Sendable {
    public let capacity: Int
    public let hasLabels: Bool
    /// Worst first.
    public private(set) var records: [InjectionRecord] = []

    public init(capacity: Int, hasLabels: Bool) {
        self.capacity = max(0, capacity)
        self.hasLabels = hasLabels
    }

    public mutating func add(_ record: InjectionRecord) {
        guard capacity > 0 else { return }
        if records.count == capacity, let last = records.last, !isWorse(record, than: last) { return }
        // Insert after every record at least as bad, so earlier records win ties.
        let position = records.firstIndex { isWorse(record, than: $0) } ?? records.count
        records.insert(record, at: position)
        if records.count > capacity { records.removeLast() }
    }

    /// Strictly worse.
    func isWorse(_ a: InjectionRecord, than b: InjectionRecord) -> Bool {
        if a.metric != b.metric {
            // NaN metrics (should not happen) rank last.
            if a.metric.isNaN { return false }
            if b.metric.isNaN { return true }
            return hasLabels ? a.metric < b.metric : a.metric > b.metric
        }
        if a.mismatches != b.mismatches { return a.mismatches > b.mismatches }
        let (x, y) = (a.meanSquaredError.isNaN ? -1 : a.meanSquaredError, b.meanSquaredError.isNaN ? -1 : b.meanSquaredError)
        return x > y
    }
}
