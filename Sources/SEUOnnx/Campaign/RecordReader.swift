import Foundation

/// Reads the record files `RecordWriter` writes (CSV with a header, or JSON Lines) back into
/// `InjectionRecord`s: for replaying faults, resuming and merging campaigns. A trailing line
/// without its newline (a campaign killed mid-write) is reported as incomplete, not parsed.
public enum RecordReader {
    public struct Contents {
        public var records: [InjectionRecord]
        /// Byte length of the complete lines (where a resumed campaign continues writing).
        public var completeLength: Int
        /// True when the file ended with a partial line.
        public var hadPartialLine: Bool
    }

    public static func read(path: String) throws -> Contents {
        let format = try RecordFormat(path: path)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: path))
        }
        do {
            return try parse(data, format: format)
        } catch let error as SEUError {
            throw error.located(file: path)
        }
    }

    public static func parse(_ data: Data, format: RecordFormat) throws -> Contents {
        let bytes = [UInt8](data)
        let completeLength = (bytes.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
        let text = String(decoding: bytes[0..<completeLength], as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        var records: [InjectionRecord] = []
        switch format {
        case .csv:
            guard !lines.isEmpty else { return Contents(records: [], completeLength: completeLength, hadPartialLine: completeLength < bytes.count) }
            let header = splitCSV(lines.removeFirst())
            for (number, line) in lines.enumerated() {
                let cells = splitCSV(line)
                var fields: [String: String] = [:]
                for (key, value) in zip(header, cells) { fields[key] = value }
                records.append(try record(fields, line: number + 2))
            }
        case .jsonl:
            for (number, line) in lines.enumerated() {
                guard let fields = FlatJSON.parse(line) else {
                    throw SEUError(.invalidArgument, "line \(number + 1) is not a flat JSON object")
                }
                records.append(try record(fields, line: number + 1))
            }
        }
        return Contents(records: records, completeLength: completeLength, hadPartialLine: completeLength < bytes.count)
    }

    private static func record(_ f: [String: String], line: Int) throws -> InjectionRecord {
        func required(_ key: String) throws -> String {
            guard let value = f[key], !value.isEmpty else {
                throw SEUError(.invalidArgument, "record on line \(line) has no '\(key)'")
            }
            return value
        }
        func int(_ key: String) throws -> Int {
            guard let value = Int(try required(key)) else { throw SEUError(.invalidArgument, "record on line \(line): '\(key)' is not an integer") }
            return value
        }
        func double(_ key: String, default value: Double = .nan) -> Double { f[key].flatMap(Double.init) ?? value }
        func flag(_ key: String) -> Bool { f[key] == "true" || f[key] == "1" }
        func hex(_ key: String) -> UInt64 {
            guard let text = f[key] else { return 0 }
            return UInt64(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text, radix: 16) ?? 0
        }
        let dataType = f["dtype"].flatMap { DataType(name: $0) } ?? .float
        // Values come from the exact bit patterns when the file has them.
        func value(_ bitsKey: String, _ valueKey: String) -> Double {
            f[bitsKey].map { _ in BitLayout(dataType).value(of: hex(bitsKey)) } ?? double(valueKey)
        }
        let extra = try (f["extra_sites"] ?? "").split(separator: ";").map { try FaultSite(parsing: String($0)) }
        return InjectionRecord(
            id: (try? int("id")) ?? line, tensor: try required("tensor"), index: try int("index"), bit: try int("bit"),
            dataType: dataType, before: value("bits_before", "before"), after: value("bits_after", "after"), bitsBefore: hex("bits_before"), bitsAfter: hex("bits_after"),
            metric: double("metric"), delta: double("delta"), top5: f["top5"].flatMap(Double.init),
            mismatches: f["mismatches"].flatMap(Int.init) ?? 0,
            nonfiniteSamples: f["nonfinite_samples"].flatMap(Int.init) ?? (flag("nonfinite") ? 1 : 0),
            masked: flag("masked"), maxAbsoluteError: double("max_abs_error"), meanSquaredError: double("mse"),
            extraSites: extra, siteKind: f["site_kind"].flatMap(SiteKind.init(rawValue:)) ?? .weight,
            top5Mismatches: f["top5_mismatches"].flatMap(Int.init) ?? 0)
    }

    /// Splits one CSV line (RFC 4180 quoting).
    static func splitCSV(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else {
                            quoted = false
                            if next == "," { cells.append(current); current = "" } else { current.append(next) }
                        }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { cells.append(current); current = "" }
            else { current.append(c) }
        }
        cells.append(current)
        return cells
    }
}

extension FaultSite {
    /// Parses `tensor[index]:bit` (the `description` form). The tensor name may itself
    /// contain brackets; the last `[` starts the index.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let open = text[..<colon].lastIndex(of: "["),
              text[..<colon].hasSuffix("]"),
              let index = Int(text[text.index(after: open)..<text.index(before: colon)]),
              let bit = Int(text[text.index(after: colon)...]) else {
            throw SEUError(.invalidArgument, "cannot read fault '\(text)' (expected TENSOR[INDEX]:BIT)")
        }
        self.init(tensor: String(text[..<open]), index: index, bit: bit)
    }
}
