import Foundation

/// One short phrase for why a JSON file did not decode, for error messages (Foundation's own
/// descriptions dump coding paths and debug descriptions).
enum DecodingProblem {
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        switch error {
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(context))"
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context))")
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(type == String.self ? "a string" : "a \(type)")"
        case .valueNotFound(_, let context): return "no value at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
