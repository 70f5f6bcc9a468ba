/// An Einsum equation (`"bij,bjk->bik"`, `"...ii->...i"`, `"B G H I D, B G H J D -> B G H I J"`)
/// parsed and bound to its operands' shapes.
///
/// Conventions: labels are ASCII letters, upper and lower case distinct; spaces are ignored
/// (PyTorch's legacy exporter writes them); `...` stands for the same number of leading
/// broadcast axes in every operand that uses it, aligned on the right as in NumPy. Each axis
/// gets a label id: the letter's code, or a negative id for ellipsis axes (-1 the rightmost).
/// Without `->` the output is the ellipsis axes followed by the letters that occur exactly
/// once, in ASCII order (NumPy's implicit mode). A label repeated within one operand takes
/// the diagonal. Sizes must agree wherever a label occurs, except that a size of 1 broadcasts.
struct EinsumEquation {
    /// Label ids of each operand's axes, in axis order.
    let operands: [[Int]]
    /// Label ids of the output axes.
    let output: [Int]
    /// Size of every label (the broadcast size where operands differ).
    let sizes: [Int: Int]

    var outputShape: [Int] { output.map { sizes[$0] ?? 1 } }

    /// Parses `equation` for operands of the given shapes; throws a message on any mismatch.
    init(_ equation: String, shapes: [[Int]]) throws(EinsumError) {
        let text = equation.filter { !$0.isWhitespace }
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { throw EinsumError("more than one '->'") }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard terms.count == shapes.count else {
            throw EinsumError("\(terms.count) operand term(s) for \(shapes.count) input(s)")
        }
        var operands: [[Int]] = []
        var sizes: [Int: Int] = [:]
        var ellipsisRank = 0
        for (term, shape) in zip(terms, shapes) {
            let parsed = try Self.parse(term)
            let explicit = parsed.before.count + parsed.after.count
            var labels: [Int]
            if parsed.hasEllipsis {
                guard shape.count >= explicit else { throw EinsumError("term '\(term)' has more labels than the rank \(shape.count)") }
                let broadcast = shape.count - explicit
                ellipsisRank = max(ellipsisRank, broadcast)
                labels = parsed.before + (0..<broadcast).map { -(broadcast - $0) } + parsed.after
            } else {
                guard shape.count == explicit else { throw EinsumError("term '\(term)' has \(explicit) labels for rank \(shape.count)") }
                labels = parsed.before
            }
            // Repeated labels (a diagonal) must have equal sizes within the operand.
            var own: [Int: Int] = [:]
            for (label, size) in zip(labels, shape) {
                if let previous = own[label], previous != size {
                    throw EinsumError("label \(Self.name(label)) has sizes \(previous) and \(size) in one operand")
                }
                own[label] = size
                guard size >= 0 else { throw EinsumError("negative dimension") }
                if let known = sizes[label], known != size {
                    guard known == 1 || size == 1 else {
                        throw EinsumError("label \(Self.name(label)) has sizes \(known) and \(size)")
                    }
                    sizes[label] = max(known, size)
                } else if sizes[label] == nil {
                    sizes[label] = size
                }
            }
            operands.append(labels)
        }
        let ellipsis = (0..<ellipsisRank).map { -(ellipsisRank - $0) }
        var output: [Int]
        if sides.count == 2 {
            let parsed = try Self.parse(sides[1])
            output = parsed.before + (parsed.hasEllipsis ? ellipsis + parsed.after : [])
            guard Set(output).count == output.count else { throw EinsumError("a label repeats in the output '\(sides[1])'") }
            for label in output where sizes[label] == nil {
                throw EinsumError("output label \(Self.name(label)) is in no operand")
            }
        } else {
            var counts: [Int: Int] = [:]
            for labels in operands { for label in labels where label >= 0 { counts[label, default: 0] += 1 } }
            output = ellipsis + counts.filter { $0.value == 1 }.keys.sorted()
        }
        self.operands = operands
        self.output = output
        self.sizes = sizes
    }

    /// Letters before and after an optional ellipsis.
    private static func parse(_ term: String) throws(EinsumError) -> (before: [Int], hasEllipsis: Bool, after: [Int]) {
        var before: [Int] = [], after: [Int] = []
        var hasEllipsis = false
        var scalars = Array(term.unicodeScalars)[...]
        while let scalar = scalars.first {
            if scalar == "." {
                guard !hasEllipsis, scalars.prefix(3).elementsEqual("...".unicodeScalars) else {
                    throw EinsumError("malformed ellipsis in '\(term)'")
                }
                hasEllipsis = true
                scalars = scalars.dropFirst(3)
                continue
            }
            guard scalar.isASCII, scalar.properties.isAlphabetic else {
                throw EinsumError("'\(scalar)' is not a label in '\(term)'")
            }
            if hasEllipsis { after.append(Int(scalar.value)) } else { before.append(Int(scalar.value)) }
            scalars = scalars.dropFirst()
        }
        return (before, hasEllipsis, after)
    }

    static func name(_ label: Int) -> String {
        label >= 0 ? String(UnicodeScalar(UInt8(label))) : "...[\(label)]"
    }
}

/// Why an equation does not fit its operands.
struct EinsumError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
