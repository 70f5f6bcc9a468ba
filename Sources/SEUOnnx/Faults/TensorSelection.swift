/// Chooses which initializers a campaign targets: exact names and glob patterns (`*` any run
/// of characters, `?` one character, `[abc]` a set), or by default every initializer the
/// model uses as a weight or bias — and, in quantized models, the integer weights with their
/// scales and zero points (see `WeightAnalysis`). Patterns match floating-point initializers
/// and those quantized tensors.
public struct TensorSelection: Sendable {
    /// Element types a campaign can target (integer ones only as quantized data).
    public static let targetTypes: Set<DataType> = [.float, .float16, .bfloat16, .double, .int8, .uint8, .int16, .uint16, .int32]

    public var patterns: [String]

    /// The default: all weights and biases.
    public static let weights = TensorSelection(patterns: [])

    public init(patterns: [String]) {
        self.patterns = patterns.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
    }

    /// The selected initializer names, in file order. Every pattern must match at least one
    /// floating-point or quantized initializer; otherwise throws `.noMatchingTensor` naming
    /// the pattern.
    public func resolve(in model: Model, allowedTypes: Set<DataType> = TensorSelection.targetTypes) throws -> [String] {
        let graph = model.graph
        let kinds = WeightAnalysis(graph: graph).siteKinds
        let candidates = graph.initializerNames.filter { name in
            guard let tensor = graph.initializers[name] else { return false }
            return allowedTypes.contains(tensor.dataType) && tensor.count > 0
                && (tensor.dataType.isFloatingPoint || kinds[name] != nil)
        }
        if patterns.isEmpty {
            let selected = candidates.filter { kinds[$0] != nil }
            guard !selected.isEmpty else {
                throw SEUError(.noMatchingTensor, "the model has no weight initializers to inject into (\(allowedTypes.filter(\.isFloatingPoint).map(\.name).sorted().joined(separator: "/")), or quantized integers)")
            }
            return selected
        }
        var selected = Set<String>()
        for pattern in patterns {
            let matches = candidates.filter { Glob.matches($0, pattern: pattern) }
            guard !matches.isEmpty else {
                let known = graph.initializers[pattern].map { " (it is \($0.dataType), not a weight type)" } ?? ""
                throw SEUError(.noMatchingTensor, "pattern '\(pattern)' matches no floating-point or quantized initializer\(known); see `seu-onnx info MODEL` for the names",
                               location: .init(argument: "--tensors"))
            }
            selected.formUnion(matches)
        }
        return candidates.filter { selected.contains($0) }
    }
}

/// Shell-style glob matching on whole strings.
public enum Glob {
    public static func matches(_ text: String, pattern: String) -> Bool {
        let t = Array(text.unicodeScalars), p = Array(pattern.unicodeScalars)
        return match(t, 0, p, 0)
    }

    private static func match(_ t: [Unicode.Scalar], _ ti: Int, _ p: [Unicode.Scalar], _ pi: Int) -> Bool {
        var ti = ti, pi = pi
        var starP = -1, starT = -1
        while ti < t.count {
            if pi < p.count, p[pi] == "*" {
                starP = pi; starT = ti; pi += 1
                continue
            }
            if pi < p.count, let (matched, next) = single(t[ti], p, pi), matched {
                ti += 1; pi = next
                continue
            }
            if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT
                continue
            }
            return false
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches one character against the pattern element at `pi` (`?`, `[set]` or a literal);
    /// returns whether it matched and the index after the element.
    private static func single(_ c: Unicode.Scalar, _ p: [Unicode.Scalar], _ pi: Int) -> (Bool, Int)? {
        switch p[pi] {
        case "?": return (true, pi + 1)
        case "[":
            guard let close = p[(pi + 1)...].firstIndex(of: "]"), close > pi + 1 else { return (c == "[", pi + 1) }
            var set = Array(p[(pi + 1)..<close])
            let negate = set.first == "!" || set.first == "^"
            if negate { set.removeFirst() }
            var found = false
            var i = 0
            while i < set.count {
                if i + 2 < set.count, set[i + 1] == "-" {
                    if set[i].value <= c.value && c.value <= set[i + 2].value { found = true }
                    i += 3
                } else {
                    if set[i] == c { found = true }
                    i += 1
                }
            }
            return (found != negate, close + 1)
        default: return (p[pi] == c, pi + 1)
        }
    }
}
