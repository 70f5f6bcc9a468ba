import Foundation

/// Per-injection record files: CSV with a header, or JSON Lines. Chosen by the file extension
/// (`.csv`, `.jsonl`/`.json`). Each record is written as one complete line and flushed, so a
/// campaign that is killed leaves only whole records behind.
public enum RecordFormat: String, Sendable {
    case csv, jsonl

    /// The format a record file's extension names. `argument` is the flag that named a file to
    /// write (for the error's location); files read are reported by path.
    public init(path: String, argument: String? = nil) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") || lower.hasSuffix(".ndjson") { self = .jsonl }
        else {
            throw SEUError(.invalidArgument, "cannot tell the record format of '\(path)': use a .csv or .jsonl extension",
                           location: argument.map { .init(argument: $0) } ?? .init(file: path))
        }
    }

    /// Column order of the CSV header (also the JSON keys).
    public static let columns = ["id", "tensor", "index", "bit", "field", "dtype", "before", "after",
                                 "bits_before", "bits_after", "metric", "delta", "outcome", "top5", "mismatches", "top5_mismatches",
                                 "nonfinite", "nonfinite_samples", "masked", "max_abs_error", "mse", "extra_sites",
                                 "site_kind"]

    public var header: String? { self == .csv ? Self.columns.joined(separator: ",") : nil }

    /// One record as a line (without the newline).
    public func line(for r: InjectionRecord) -> String {
        let fields: [(String, String, Bool)] = [  // (key, text, quoted in JSON)
            ("id", String(r.id), false),
            ("tensor", r.tensor, true),
            ("index", String(r.index), false),
            ("bit", String(r.bit), false),
            ("field", r.field, true),
            ("dtype", r.dataType.name, true),
            ("before", Self.value(r.before, r.dataType), false),
            ("after", Self.value(r.after, r.dataType), false),
            ("bits_before", Self.hex(r.bitsBefore, r.dataType), true),
            ("bits_after", Self.hex(r.bitsAfter, r.dataType), true),
            ("metric", Self.number(r.metric), false),
            ("delta", Self.number(r.delta), false),
            ("outcome", r.outcome.rawValue, true),
            ("top5", r.top5.map(Self.number) ?? "", false),
            ("mismatches", String(r.mismatches), false),
            ("top5_mismatches", String(r.top5Mismatches), false),
            ("nonfinite", r.nonfinite ? "true" : "false", false),
            ("nonfinite_samples", String(r.nonfiniteSamples), false),
            ("masked", r.masked ? "true" : "false", false),
            ("max_abs_error", Self.number(r.maxAbsoluteError), false),
            ("mse", Self.number(r.meanSquaredError), false),
            ("extra_sites", r.extraSites.map(\.description).joined(separator: ";"), true),
            ("site_kind", r.siteKind.rawValue, true),
        ]
        switch self {
        case .csv:
            return fields.map { Self.csvField($0.1) }.joined(separator: ",")
        case .jsonl:
            let body = fields.map { key, text, quoted -> String in
                let value: String
                if text.isEmpty && !quoted { value = "null" }
                else if quoted { value = "\"\(Self.jsonEscape(text))\"" }
                else if ["nan", "inf", "-inf"].contains(text) { value = "\"\(text)\"" }
                else { value = text }
                return "\"\(key)\":\(value)"
            }
            return "{" + body.joined(separator: ",") + "}"
        }
    }

    /// A stored value in the shortest text that reads back to the same value of its type.
    static func value(_ v: Double, _ type: DataType) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        switch type {
        case .double: return "\(v)"
        case .float, .float16, .bfloat16: return "\(Float(v))"
        default: return String(Int64(v))
        }
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return "\(v)"
    }

    /// Hex bit pattern padded to the element width (`0x3f800000`).
    static func hex(_ bits: UInt64, _ type: DataType) -> String {
        let digits = String(bits, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, type.byteWidth * 2 - digits.count)) + digits
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func jsonEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// Streams records to a file, one flushed line each.
public final class RecordWriter {
    public let format: RecordFormat
    public let path: String
    private let handle: FileHandle

    /// Creates (or truncates) `path`; with `append`, keeps existing records and adds to them.
    public init(path: String, append: Bool = false) throws {
        format = try RecordFormat(path: path, argument: "--out")
        self.path = path
        let manager = FileManager.default
        let exists = manager.fileExists(atPath: path)
        if !append || !exists {
            guard manager.createFile(atPath: path, contents: nil) else {
                throw SEUError(.io, "cannot create the record file", location: .init(file: path))
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw SEUError(.io, "cannot open the record file for writing", location: .init(file: path))
        }
        self.handle = handle
        handle.seekToEndOfFile()
        if (!append || !exists), let header = format.header { try write(header) }
    }

    deinit { try? handle.close() }

    public func write(_ record: InjectionRecord) throws {
        try write(format.line(for: record))
    }

    private func write(_ line: String) throws {
        do {
            try handle.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw SEUError(.io, "cannot write a record: \(error.localizedDescription)", location: .init(file: path))
        }
    }
}
