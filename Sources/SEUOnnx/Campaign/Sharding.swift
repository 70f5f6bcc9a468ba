import Foundation

/// The records of one campaign read back from one or more record files (a whole campaign, or
/// shards of it), each with its `FILE.campaign.json` sidecar.
///
/// Files must belong to the same campaign: equal settings apart from `--shard`, equal facts
/// (baseline, population, fault-list fingerprint), and shards of the same N, each at most
/// once. Records are ordered by fault id (shards interleave, see `Shard`). `merge` additionally requires every shard to be
/// present and complete, and then produces exactly the records of a single run.
public struct CampaignResults {
    /// One file.
    public struct Part {
        public var path: String
        public var sidecar: CampaignSidecar
        public var records: [InjectionRecord]
        /// The complete record lines as written (without the CSV header).
        public var lines: [String]
        public var format: RecordFormat
        public var hadPartialLine: Bool
        public var isComplete: Bool { records.count == sidecar.ids.count && !hadPartialLine }
    }

    public var parts: [Part]
    /// The campaign as a whole (shard removed, covering every fault).
    public var sidecar: CampaignSidecar
    public var records: [InjectionRecord]

    /// Reads and checks `paths` (see the type's description).
    public init(paths: [String]) throws {
        guard !paths.isEmpty else { throw SEUError(.invalidArgument, "no record files given") }
        var parts: [Part] = []
        for path in paths { parts.append(try Self.readPart(path)) }
        parts.sort { $0.sidecar.first < $1.sidecar.first }
        let reference = parts[0].sidecar
        var whole = reference.settings
        whole.shard = nil
        for part in parts.dropFirst() {
            var settings = part.sidecar.settings
            settings.shard = nil
            if let difference = settings.firstDifference(from: whole) {
                throw SEUError(.invalidArgument, "\(part.path) belongs to a different campaign than \(parts[0].path) (\(difference))",
                               location: .init(file: part.path))
            }
            guard part.sidecar.facts == reference.facts else {
                throw SEUError(.invalidArgument, "\(part.path) has a different fault list or baseline than \(parts[0].path) (fingerprint \(part.sidecar.facts.fingerprint) vs \(reference.facts.fingerprint))",
                               location: .init(file: part.path))
            }
        }
        let shards = parts.map(\.sidecar.settings.shard)
        if parts.count > 1 {
            guard shards.allSatisfy({ $0 != nil }), Set(shards.map { $0?.count }).count == 1 else {
                throw SEUError(.invalidArgument, "several record files can only be combined when they are shards K/N of one campaign (got \(shards.map { $0?.description ?? "whole campaign" }.joined(separator: ", ")))")
            }
            for (a, b) in zip(parts, parts.dropFirst()) where a.sidecar.settings.shard == b.sidecar.settings.shard {
                throw SEUError(.invalidArgument, "shard \(a.sidecar.settings.shard?.description ?? "") is given twice (\(a.path), \(b.path))")
            }
        }
        self.parts = parts
        var combined = reference
        combined.settings = whole
        combined.first = 0
        combined.end = reference.facts.totalFaults
        combined.step = 1
        sidecar = combined
        records = parts.flatMap(\.records).sorted { $0.id < $1.id }
    }

    /// Shards (K of N) that no file provides; empty for a whole campaign.
    public var missingShards: [Int] {
        guard let n = parts.first?.sidecar.settings.shard?.count else { return [] }
        let present = Set(parts.compactMap { $0.sidecar.settings.shard?.index })
        return (1...n).filter { !present.contains($0) }
    }

    /// True when every fault of the campaign has its record.
    public var isComplete: Bool {
        missingShards.isEmpty && parts.allSatisfy(\.isComplete) && records.count == sidecar.facts.totalFaults
    }

    /// The summary of the records, as `inject` would print it (without timings).
    public func summary(confidence: Double? = nil, rateMethod: IntervalMethod = .wilson) -> CampaignSummary {
        var summary = CampaignSummary(facts: sidecar.facts)
        if let confidence { summary.confidence = confidence }
        summary.rateMethod = rateMethod
        summary.plannedInjections = parts.count == 1 ? parts[0].sidecar.ids.count : sidecar.facts.totalFaults
        for record in records { summary.add(record) }
        return summary
    }

    /// Writes the merged records to `path` (+ sidecar). Requires every shard, complete. Lines
    /// are copied as written when the formats agree, so the file equals a single run's.
    public func merge(to path: String) throws {
        if let missing = missingShards.first {
            throw SEUError(.invalidArgument, "shard \(missing)/\(parts[0].sidecar.settings.shard?.count ?? 0) is missing; give every shard's record file")
        }
        for part in parts where !part.isComplete {
            throw SEUError(.invalidArgument, "\(part.path) is incomplete (\(part.records.count) of \(part.sidecar.ids.count) records); finish it with the same command and --resume",
                           location: .init(file: part.path))
        }
        for inputPath in parts.map(\.path) where URL(fileURLWithPath: inputPath).standardizedFileURL == URL(fileURLWithPath: path).standardizedFileURL {
            throw SEUError(.refusedOverwrite, "refusing to overwrite the input file \(inputPath)", location: .init(argument: "--out"))
        }
        let format = try RecordFormat(path: path, argument: "--out")
        var lines: [(id: Int, text: String)] = []
        for part in parts {
            for (record, line) in zip(part.records, part.lines) {
                lines.append((record.id, part.format == format ? line : format.line(for: record)))
            }
        }
        lines.sort { $0.id < $1.id }
        guard lines.map(\.id) == Array(0..<sidecar.facts.totalFaults) else {
            throw SEUError(.invalidArgument, "the files do not hold each of the campaign's \(sidecar.facts.totalFaults) faults exactly once")
        }
        var text = format.header.map { $0 + "\n" } ?? ""
        for line in lines { text += line.text + "\n" }
        try sidecar.write(for: path)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw SEUError(.io, "cannot write the merged records: \(error.localizedDescription)", location: .init(file: path))
        }
    }

    static func readPart(_ path: String) throws -> Part {
        let format = try RecordFormat(path: path)
        let sidecar = try CampaignSidecar.read(for: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SEUError(.io, "cannot read the record file", location: .init(file: path))
        }
        let contents: RecordReader.Contents
        do {
            contents = try RecordReader.parse(data, format: format)
        } catch let error as SEUError {
            throw error.located(file: path)
        }
        let text = String(decoding: data.prefix(contents.completeLength), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if format == .csv && !lines.isEmpty { lines.removeFirst() }
        let ids = sidecar.ids
        guard contents.records.count <= ids.count, lines.count == contents.records.count else {
            throw SEUError(.invalidArgument, "holds \(contents.records.count) records, more than the \(ids.count) faults of its sidecar", location: .init(file: path))
        }
        for (offset, record) in contents.records.enumerated() where record.id != ids[offset] {
            throw SEUError(.invalidArgument, "record \(offset + 1) has fault id \(record.id), expected \(ids[offset]) (records must follow the fault list)",
                           location: .init(file: path))
        }
        return Part(path: path, sidecar: sidecar, records: contents.records, lines: lines, format: format,
                    hadPartialLine: contents.hadPartialLine)
    }
}
