/// Summary of a conformance run against an allow-list: counts per operator and per suite,
/// the failures of unclaimed cases and the claimed cases that did not pass.
public struct ConformanceReport {
    /// Cases, passed, failed, errors, skipped.
    public struct Counts: Equatable, Sendable {
        public var cases = 0, passed = 0, failed = 0, errors = 0, skipped = 0

        public init() {}

        mutating func add(_ status: ConformanceOutcome.Status) {
            cases += 1
            switch status {
            case .passed: passed += 1
            case .failed: failed += 1
            case .error: errors += 1
            case .skipped: skipped += 1
            }
        }

        var cells: [String] { [cases, passed, failed, errors, skipped].map(String.init) }
    }

    public let results: [ConformanceResult]
    public let allowList: AllowList
    /// Counts by operator label (see `ModelSignature.operatorLabel`), sorted by label.
    public let byOperator: [(label: String, counts: Counts)]
    /// Counts by suite, sorted by suite name.
    public let bySuite: [(suite: String, counts: Counts)]
    public let total: Counts
    /// Claimed cases that did not pass (these make a run fail), by id.
    public let claimedFailures: [ConformanceResult]
    /// Failed or erroneous cases the allow-list does not claim (excluded ones included), by id.
    public let unclaimedFailures: [ConformanceResult]
    /// Claimed cases in scope that are not among the results (absent from the data folders).
    public let missingClaims: [String]
    /// Excluded cases that pass (the exclusion may be stale).
    public let excludedButPassing: [String]

    /// `inScope` says which claimed ids the run was expected to find (default: those of the
    /// suites that appear among the results).
    public init(results: [ConformanceResult], allowList: AllowList, inScope: ((String) -> Bool)? = nil) {
        let results = results.sorted { $0.testCase.id < $1.testCase.id }
        self.results = results
        self.allowList = allowList
        var operators: [String: Counts] = [:], suites: [String: Counts] = [:], total = Counts()
        for result in results {
            let status = result.outcome.status
            operators[result.operatorLabel, default: Counts()].add(status)
            suites[result.testCase.suite, default: Counts()].add(status)
            total.add(status)
        }
        byOperator = operators.keys.sorted().map { ($0, operators[$0] ?? Counts()) }
        bySuite = suites.keys.sorted().map { ($0, suites[$0] ?? Counts()) }
        self.total = total
        claimedFailures = results.filter { allowList.isClaimed($0.testCase.id) && !$0.passed }
        unclaimedFailures = results.filter {
            !allowList.isClaimed($0.testCase.id) && ($0.outcome.status == .failed || $0.outcome.status == .error)
        }
        let found = Set(results.map(\.testCase.id))
        let suiteNames = Set(results.map(\.testCase.suite))
        let scope = inScope ?? { id in suiteNames.contains(String(id.split(separator: "/").first ?? "")) }
        missingClaims = allowList.claimed.filter { scope($0) && !found.contains($0) }
        excludedButPassing = results.filter { $0.passed && allowList.exclusionReason($0.testCase.id) != nil }.map(\.testCase.id)
    }

    /// Ids of the passing cases (what `--write-allow-list` claims).
    public var passingIDs: [String] { results.filter(\.passed).map(\.testCase.id) }

    /// Skipped cases of operators that have a passing case (id → skip reason): the exclusions
    /// `--write-allow-list` generates. Labels in parentheses (`(model)`) are not operators.
    public var skippedOfPassingOperators: [String: String] {
        let operators = Set(results.filter { $0.passed && !$0.operatorLabel.hasPrefix("(") }.map(\.operatorLabel))
        var skipped: [String: String] = [:]
        for result in results where result.outcome.status == .skipped && operators.contains(result.operatorLabel) {
            skipped[result.testCase.id] = "skipped: \(result.outcome.reason)"
        }
        return skipped
    }

    /// The allow-list `--write-allow-list` writes: every passing case claimed, the skipped cases
    /// of claimed operators excluded, this allow-list's comments and hand-written exclusions kept.
    public var regeneratedAllowList: String {
        allowList.regenerated(claiming: passingIDs, excluding: skippedOfPassingOperators)
    }

    /// The full plain-text report.
    public var text: String {
        var lines: [String] = []
        var operatorTable = TextTable(header: ["operator", "cases", "passed", "failed", "errors", "skipped"],
                                      rightAligned: [1, 2, 3, 4, 5])
        for row in byOperator { operatorTable.add([row.label] + row.counts.cells) }
        lines += ["Operators (a case counts under the operator of its nodes; `X (expanded)`: ONNX's",
                  "function-body expansion of X; `(model)`: a model of several operators):",
                  operatorTable.render(), ""]
        var suiteTable = TextTable(header: ["suite", "cases", "passed", "failed", "errors", "skipped"],
                                   rightAligned: [1, 2, 3, 4, 5])
        for row in bySuite { suiteTable.add([row.suite] + row.counts.cells) }
        suiteTable.add(["total"] + total.cells)
        lines += ["Suites:", suiteTable.render(), ""]

        lines.append("Failures of cases not claimed in the allow-list (\(unclaimedFailures.count)):")
        for result in unclaimedFailures {
            let excluded = allowList.exclusionReason(result.testCase.id).map { "  [excluded: \($0.isEmpty ? "no reason given" : $0)]" } ?? ""
            lines.append("  \(result.testCase.id)  \(result.outcome)\(excluded)")
        }
        if !excludedButPassing.isEmpty {
            lines += ["", "Excluded cases that pass (\(excludedButPassing.count)): \(excludedButPassing.joined(separator: ", "))"]
        }
        if !missingClaims.isEmpty {
            let shown = missingClaims.prefix(10).joined(separator: ", ")
            lines += ["", "Claimed cases not found in these folders (\(missingClaims.count)): \(shown)\(missingClaims.count > 10 ? ", ..." : "")"]
        }
        let claimedRun = results.filter { allowList.isClaimed($0.testCase.id) }.count
        lines.append("")
        if claimedFailures.isEmpty {
            lines.append("Claimed cases: \(claimedRun) run, all passed.")
        } else {
            lines.append("Claimed cases that did not pass (\(claimedFailures.count) of \(claimedRun)):")
            for result in claimedFailures { lines.append("  \(result.testCase.id)  \(result.outcome)") }
        }
        return lines.joined(separator: "\n")
    }
}
