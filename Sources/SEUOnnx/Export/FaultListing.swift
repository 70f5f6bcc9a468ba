import Foundation

extension FaultSite {
    /// Parses `TENSOR[INDEX]:BIT` against `model`: INDEX is a flat row-major index (`[67]`) or
    /// one coordinate per axis of the tensor (`[7,0,1,1]`); BIT counts from the most
    /// significant bit. The tensor name may contain brackets (the last `[` starts the index).
    /// Throws `.invalidFault` for a tensor, element or bit that does not exist.
    public init(parsing text: String, in model: Model) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.lastIndex(of: ":"), let open = trimmed[..<colon].lastIndex(of: "["),
              trimmed[..<colon].hasSuffix("]"), let bit = Int(trimmed[trimmed.index(after: colon)...]) else {
            throw SEUError(.invalidArgument, "cannot read fault '\(text)' (expected TENSOR[INDEX]:BIT, INDEX flat or i,j,k,l)",
                           location: .init(argument: "--fault"))
        }
        let name = String(trimmed[..<open])
        let indexText = trimmed[trimmed.index(after: open)..<trimmed.index(before: colon)]
        let parts = indexText.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, !parts.contains(where: { $0 == nil }) else {
            throw SEUError(.invalidArgument, "cannot read the index '\(indexText)' of fault '\(text)'", location: .init(argument: "--fault"))
        }
        guard let tensor = model.graph.initializers[name] else {
            throw SEUError(.invalidFault, "no initializer named '\(name)'; see `seu-onnx info MODEL` for the names",
                           location: .init(tensor: name, argument: "--fault"))
        }
        let coordinates = parts.compactMap { $0 }
        var index = 0
        if coordinates.count == 1 {
            index = coordinates[0]
        } else {
            guard coordinates.count == tensor.rank else {
                throw SEUError(.invalidFault, "\(coordinates.count) coordinates for a tensor of shape \(tensor.shape)",
                               location: .init(tensor: name, argument: "--fault"))
            }
            for (axis, (c, d)) in zip(coordinates, tensor.shape).enumerated() {
                guard c >= 0 && c < d else {
                    throw SEUError(.invalidFault, "coordinate \(c) on axis \(axis) is out of range (shape \(tensor.shape))",
                                   location: .init(tensor: name, argument: "--fault"))
                }
                index = index * d + c
            }
        }
        try tensor.checkSite(element: index, bit: bit, name: name)
        self.init(tensor: name, index: index, bit: bit)
    }
}

/// Fault lists read from the record files `inject --out` writes (CSV or JSON Lines): one fault
/// per record, with the record's extra sites (`extra_sites`) for multi-bit faults.
public enum FaultListing {
    /// The records of `path` in file order; `rows` (`3,10-12`) keeps those whose `id` is
    /// listed. Throws `.invalidArgument` when a listed id, or every id of a listed range, is
    /// absent.
    public static func records(path: String, rows: String? = nil) throws -> [InjectionRecord] {
        let contents = try RecordReader.read(path: path)
        var records = contents.records
        if let rows {
            let ranges = try parseRows(rows)
            for range in ranges where !records.contains(where: { range.contains($0.id) }) {
                let what = range.lowerBound == range.upperBound ? "id \(range.lowerBound)" : "an id in \(range.lowerBound)-\(range.upperBound)"
                throw SEUError(.invalidArgument, "no record with \(what) in \(path)", location: .init(argument: "--rows"))
            }
            records = records.filter { record in ranges.contains { $0.contains(record.id) } }
        }
        guard !records.isEmpty else {
            throw SEUError(.invalidArgument, "no faults to read (the file has no complete records)", location: .init(file: path))
        }
        return records
    }

    /// Parses a row list: ids and inclusive ranges, comma-separated (`0,5,10-19`).
    public static func parseRows(_ text: String) throws -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        for raw in text.split(separator: ",") {
            let part = raw.trimmingCharacters(in: .whitespaces)
            if let n = Int(part), n >= 0 {
                ranges.append(n...n)
            } else if let dash = part.dropFirst().firstIndex(of: "-"), let a = Int(part[..<dash]),
                      let b = Int(part[part.index(after: dash)...]), a >= 0 {
                guard a <= b else {
                    throw SEUError(.invalidArgument, "row range '\(part)' is reversed (write \(b)-\(a))", location: .init(argument: "--rows"))
                }
                ranges.append(a...b)
            } else {
                throw SEUError(.invalidArgument, "cannot read row '\(part)' (use record ids like 3 or ranges like 10-19)",
                               location: .init(argument: "--rows"))
            }
        }
        guard !ranges.isEmpty else { throw SEUError(.invalidArgument, "empty row list", location: .init(argument: "--rows")) }
        return ranges
    }
}
