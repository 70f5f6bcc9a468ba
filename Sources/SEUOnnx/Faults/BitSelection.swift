/// Which bit positions a campaign flips, resolved per tensor type: positions (`1`), ranges
/// (`1-8`), field names (`sign`, `exponent`, `mantissa`, `all`) or a comma-separated mix.
/// Positions count from the most significant bit (see `BitLayout`).
public struct BitSelection: Equatable, Sendable, CustomStringConvertible {
    enum Token: Equatable, Sendable {
        case position(Int)
        case range(Int, Int)
        case field(String)
    }

    let tokens: [Token]

    /// Every bit of each tensor's type.
    public static let all = BitSelection(tokens: [.field("all")])

    init(tokens: [Token]) { self.tokens = tokens }

    /// Explicit positions.
    public init(positions: [Int]) { tokens = positions.map { .position($0) } }

    /// Parses `0,1-8,mantissa`. Throws `.invalidArgument` naming `--bits`.
    public init(parsing text: String) throws {
        var tokens: [Token] = []
        for raw in text.split(separator: ",") {
            let part = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if ["sign", "exponent", "mantissa", "all", "value"].contains(part) {
                tokens.append(.field(part))
            } else if let n = Int(part) {
                tokens.append(.position(n))
            } else if let dash = part.dropFirst().firstIndex(of: "-"),
                      let a = Int(part[..<dash]), let b = Int(part[part.index(after: dash)...]) {
                guard a <= b else {
                    throw SEUError(.invalidArgument, "bit range '\(part)' is reversed (write \(b)-\(a))", location: .init(argument: "--bits"))
                }
                tokens.append(.range(a, b))
            } else {
                throw SEUError(.invalidArgument, "cannot read bit selection '\(part)' (use positions like 1, ranges like 1-8, or sign, exponent, mantissa, all)",
                               location: .init(argument: "--bits"))
            }
        }
        guard !tokens.isEmpty else {
            throw SEUError(.invalidArgument, "empty bit selection", location: .init(argument: "--bits"))
        }
        self.tokens = tokens
    }

    /// The sorted positions for a tensor of `type`; throws when a position does not exist in
    /// that type or a field is empty for it (e.g. `exponent` on int8). With
    /// `skippingMissingFields`, a field the type lacks contributes no positions instead (a
    /// campaign over int8 weights and float scales with `--bits exponent` hits the scales).
    public func positions(for type: DataType, tensor: String, skippingMissingFields: Bool = false) throws -> [Int] {
        let layout = BitLayout(type)
        var result = Set<Int>()
        func add(_ p: Int) throws {
            guard p >= 0 && p < layout.width else {
                throw SEUError(.invalidArgument, "bit \(p) does not exist in \(type) (bits 0...\(layout.width - 1), 0 = most significant)",
                               location: .init(tensor: tensor, argument: "--bits"))
            }
            result.insert(p)
        }
        for token in tokens {
            switch token {
            case .position(let p): try add(p)
            case .range(let a, let b): for p in a...b { try add(p) }
            case .field(let name):
                let range: ClosedRange<Int>?
                switch name {
                case "all": range = 0...(layout.width - 1)
                case "sign": range = layout.sign
                case "exponent": range = layout.exponent
                case "mantissa": range = layout.mantissa
                default: range = layout.value
                }
                guard let range else {
                    if skippingMissingFields { continue }
                    throw SEUError(.invalidArgument, "\(type) has no \(name) field", location: .init(tensor: tensor, argument: "--bits"))
                }
                for p in range { try add(p) }
            }
        }
        return result.sorted()
    }

    public var description: String {
        tokens.map { token in
            switch token {
            case .position(let p): return String(p)
            case .range(let a, let b): return "\(a)-\(b)"
            case .field(let name): return name
            }
        }.joined(separator: ",")
    }
}
