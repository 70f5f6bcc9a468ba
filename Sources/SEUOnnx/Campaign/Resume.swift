import Foundation

/// The record file of a running campaign, new or resumed, with its sidecar.
///
/// A new file is created (with the header for CSV) after the sidecar is written. Resuming
/// reads the sidecar and refuses when any setting or derived fact differs from this run's
/// (one line naming the difference), drops a partial last line (a kill mid-write), checks
/// that the records are exactly the first faults of the list in order, and appends the rest.
/// Because every record is one flushed line and the fault list is deterministic, a campaign
/// killed at any moment and resumed ends with the same records as an uninterrupted run.
public final class CampaignRecordFile {
    public let path: String
    public let sidecar: CampaignSidecar
    /// Records already in the file (resumed runs), in order.
    public let previous: [InjectionRecord]
    /// Fault ids still to run.
    public let remaining: FaultIDs
    /// True when a partial last line was removed.
    public let droppedPartialLine: Bool
    /// True when an existing campaign was continued.
    public let resumed: Bool
    private let writer: RecordWriter

    private init(path: String, sidecar: CampaignSidecar, previous: [InjectionRecord], remaining: FaultIDs,
                 droppedPartialLine: Bool, resumed: Bool, writer: RecordWriter) {
        self.path = path
        self.sidecar = sidecar
        self.previous = previous
        self.remaining = remaining
        self.droppedPartialLine = droppedPartialLine
        self.resumed = resumed
        self.writer = writer
    }

    /// Creates `path` (truncating it) for a campaign described by `sidecar`.
    public convenience init(creating path: String, sidecar: CampaignSidecar) throws {
        try sidecar.write(for: path)
        self.init(path: path, sidecar: sidecar, previous: [], remaining: sidecar.ids, droppedPartialLine: false,
                  resumed: false, writer: try RecordWriter(path: path))
    }

    /// Continues the campaign in `path`. When neither the records nor the sidecar exist, starts
    /// it (so a requeued cluster job can always pass `--resume`). `faults` is this run's fault
    /// list, against which existing records are checked.
    public convenience init(resuming path: String, sidecar expected: CampaignSidecar, faults: FaultList) throws {
        let manager = FileManager.default
        let hasRecords = manager.fileExists(atPath: path)
        guard CampaignSidecar.exists(for: path) else {
            guard !hasRecords else {
                throw SEUError(.invalidArgument, "cannot resume: \(path) has no sidecar \(CampaignSidecar.path(for: path)), so its settings are unknown; start a new campaign without --resume",
                               location: .init(file: path, argument: "--resume"))
            }
            try self.init(creating: path, sidecar: expected)
            return
        }
        let stored = try CampaignSidecar.read(for: path)
        if let difference = stored.settings.firstDifference(from: expected.settings) {
            throw SEUError(.invalidArgument, "cannot resume: the records were made with different settings (\(difference))",
                           location: .init(file: path, argument: "--resume"))
        }
        if stored.facts != expected.facts || stored.ids != expected.ids {
            let what = stored.facts.fingerprint != expected.facts.fingerprint ? "the fault list differs (fingerprint \(stored.facts.fingerprint) there, \(expected.facts.fingerprint) here)"
                : stored.facts.baselineMetric != expected.facts.baselineMetric ? "the fault-free \(expected.facts.metricName) differs (\(stored.facts.baselineMetric) there, \(expected.facts.baselineMetric) here)"
                : "the campaign's derived facts differ"
            throw SEUError(.invalidArgument, "cannot resume: \(what)", location: .init(file: path, argument: "--resume"))
        }
        let contents = hasRecords ? try RecordReader.read(path: path) : RecordReader.Contents(records: [], completeLength: 0, hadPartialLine: false)
        let ids = expected.ids
        guard contents.records.count <= ids.count else {
            throw SEUError(.invalidArgument, "cannot resume: the file holds \(contents.records.count) records, more than the campaign's \(ids.count)",
                           location: .init(file: path, argument: "--resume"))
        }
        for (offset, record) in contents.records.enumerated() {
            let id = ids[offset]
            guard record.id == id, record.fault == faults.fault(id) else {
                throw SEUError(.invalidArgument, "cannot resume: record \(offset + 1) is fault \(record.id) \(record.fault), expected fault \(id) \(faults.fault(id)) of the list",
                               location: .init(file: path, argument: "--resume"))
            }
        }
        let writer: RecordWriter
        if contents.completeLength == 0 {
            // Killed before even the CSV header was complete: start the file again.
            writer = try RecordWriter(path: path)
        } else {
            if contents.hadPartialLine { try Self.truncate(path, to: contents.completeLength) }
            writer = try RecordWriter(path: path, append: true)
        }
        self.init(path: path, sidecar: stored, previous: contents.records,
                  remaining: ids.dropping(contents.records.count),
                  droppedPartialLine: contents.hadPartialLine, resumed: true, writer: writer)
    }

    public func write(_ record: InjectionRecord) throws { try writer.write(record) }

    static func truncate(_ path: String, to length: Int) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw SEUError(.io, "cannot open the record file to drop its partial last line", location: .init(file: path))
        }
        defer { try? handle.close() }
        do {
            try handle.truncate(atOffset: UInt64(length))
        } catch {
            throw SEUError(.io, "cannot truncate the partial last line: \(error.localizedDescription)", location: .init(file: path))
        }
    }
}
