import SEUOnnx

/// One command-line option.
struct OptionSpec {
    /// The long name including dashes (`--input`).
    let name: String
    /// Placeholder for the value (`FILE`), or nil for a flag without a value.
    let value: String?
    let help: String
    var repeatable = false
    /// Number of values the option takes (`--export-worst K DIR` takes 2; `value` then names
    /// both, e.g. "K DIR"). The values are stored in order under the option's name.
    var arity = 1
}

/// A parsed command line: positionals in order and option values by name.
struct ParsedArguments {
    let command: String
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    /// The whole command line, for manifests and records.
    let commandLine: [String]

    func has(_ name: String) -> Bool { values[name] != nil }
    func string(_ name: String) -> String? { values[name]?.last }
    func strings(_ name: String) -> [String] { values[name] ?? [] }

    func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw invalid(name, text, "an integer")
        }
        return value
    }

    func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else { throw invalid(name, text, "a number") }
        return value
    }

    func uint64(_ name: String) throws -> UInt64? {
        guard let text = string(name) else { return nil }
        guard let value = UInt64(text) else { throw invalid(name, text, "a non-negative integer") }
        return value
    }

    func invalid(_ name: String, _ text: String, _ expected: String) -> SEUError {
        SEUError(.invalidArgument, "expects \(expected), got '\(text)'", location: .init(argument: name))
    }
}

/// A subcommand: its options and the library call it makes.
struct Command {
    let name: String
    let abstract: String
    /// Usage line after `seu-onnx NAME`.
    let usage: String
    let options: [OptionSpec]
    let positionals: ClosedRange<Int>
    var discussion: String = ""
    let run: (ParsedArguments) throws -> Void

    var help: String {
        var lines = ["\(abstract)", "", "usage: seu-onnx \(name) \(usage)"]
        if !discussion.isEmpty { lines += ["", discussion] }
        if !options.isEmpty {
            lines += ["", "options:"]
            let labels = options.map { option in option.value.map { "\(option.name) \($0)" } ?? option.name }
            let width = min(30, (labels.map(\.count).max() ?? 0) + 2)
            for (label, option) in zip(labels, options) {
                let pad = label.count < width ? String(repeating: " ", count: width - label.count) : "\n    " + String(repeating: " ", count: width)
                lines.append("  \(label)\(pad)\(option.help)")
            }
            lines.append("  --help" + String(repeating: " ", count: max(2, width - 6)) + "show this help")
        }
        return lines.joined(separator: "\n")
    }

    /// Parses `arguments` (after the subcommand name). Throws `.invalidArgument` naming the
    /// offending flag. Returns nil when help was requested.
    func parse(_ arguments: [String], commandLine: [String]) throws -> ParsedArguments? {
        var parsed = ParsedArguments(command: name, commandLine: commandLine)
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            if argument == "--help" || argument == "-h" { return nil }
            var name = argument, inline: String?
            if let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                let close = options.map(\.name).filter { $0.hasPrefix(String(name.prefix(4))) }
                let hint = close.isEmpty ? "" : " (did you mean \(close.joined(separator: " or "))?)"
                throw SEUError(.invalidArgument, "unknown option for '\(self.name)'\(hint); see seu-onnx \(self.name) --help",
                               location: .init(argument: name))
            }
            var value: String
            if option.value == nil {
                guard inline == nil else {
                    throw SEUError(.invalidArgument, "takes no value", location: .init(argument: name))
                }
                value = ""
            } else if let inline {
                value = inline
            } else if option.arity > 1 {
                guard inline == nil, i + option.arity <= arguments.count else {
                    throw SEUError(.invalidArgument, "needs \(option.arity) values (\(option.value ?? "VALUES"))", location: .init(argument: name))
                }
                if parsed.values[name] != nil && !option.repeatable {
                    throw SEUError(.invalidArgument, "given more than once", location: .init(argument: name))
                }
                parsed.values[name, default: []].append(contentsOf: arguments[i..<(i + option.arity)])
                i += option.arity
                continue
            } else {
                guard i < arguments.count else {
                    throw SEUError(.invalidArgument, "needs a value (\(option.value ?? "VALUE"))", location: .init(argument: name))
                }
                value = arguments[i]
                i += 1
            }
            if parsed.values[name] != nil && !option.repeatable {
                throw SEUError(.invalidArgument, "given more than once", location: .init(argument: name))
            }
            parsed.values[name, default: []].append(value)
        }
        guard positionals.contains(parsed.positionals.count) else {
            let expected = positionals.lowerBound == positionals.upperBound ? "\(positionals.lowerBound)" : "\(positionals.lowerBound)–\(positionals.upperBound)"
            throw SEUError(.invalidArgument, "expects \(expected) argument\(positionals.upperBound == 1 ? "" : "s") (usage: seu-onnx \(name) \(usage)), got \(parsed.positionals.count)",
                           location: .init(argument: name))
        }
        return parsed
    }
}
