/// A one-line text form of a `ConformanceResult`, so that cases can run in a worker process
/// (which a trapping kernel may kill) and report back through a pipe:
///
///     <status>\t<seconds>\t<operator label>\t<op,op,...>\t<error kind or ->\t<reason>
///
/// Tabs and line breaks inside fields are replaced by spaces.
extension ConformanceResult {
    public var line: String {
        let kind: String
        if case .error(let error) = outcome { kind = error.kind.rawValue } else { kind = "-" }
        let reason: String
        if case .error(let error) = outcome {
            // The message with its location, without the kind (which has its own field).
            reason = error.location.isEmpty ? error.message : "\(error.location): \(error.message)"
        } else {
            reason = outcome.reason
        }
        return [outcome.status.rawValue, String(seconds), operatorLabel,
                operators.joined(separator: ","), kind, reason].map(Self.clean).joined(separator: "\t")
    }

    /// Parses `line` as the result of `testCase`; nil when the line is malformed.
    public init?(line: String, testCase: ConformanceCase) {
        let fields = line.split(separator: "\t", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, let status = ConformanceOutcome.Status(rawValue: fields[0]),
              let seconds = Double(fields[1]) else { return nil }
        let outcome: ConformanceOutcome
        switch status {
        case .passed: outcome = .passed
        case .failed: outcome = .failed(fields[5])
        case .skipped: outcome = .skipped(fields[5])
        case .error: outcome = .error(SEUError(SEUError.Kind(rawValue: fields[4]) ?? .execution, fields[5]))
        }
        self.init(testCase: testCase, operatorLabel: fields[2],
                  operators: fields[3].split(separator: ",").map(String.init),
                  outcome: outcome, seconds: seconds)
    }

    private static func clean(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }
}
