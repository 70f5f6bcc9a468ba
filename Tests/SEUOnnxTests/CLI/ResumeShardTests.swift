import Foundation
import XCTest
@testable import SEUOnnx

/// Streaming, kill −9 / Ctrl-C and resume, shards and merge, with the real `seu-onnx` binary
/// on the shipped CNN. The data is cut to 40 digits so campaigns take seconds.
final class ResumeShardTests: XCTestCase {
    let model = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx").path
    private var folder: URL!
    private var x = "", y = ""

    override func setUpWithError() throws {
        folder = try TestPaths.temporaryDirectory(self)
        let data = try CampaignData(inputs: [NPY.read(path: TestPaths.fixtures.appendingPathComponent("digits_x.npy").path)],
                                    labels: NPY.read(path: TestPaths.fixtures.appendingPathComponent("digits_y.npy").path))
        x = folder.appendingPathComponent("x40.npy").path
        y = folder.appendingPathComponent("y40.npy").path
        try NPY.write(data.batch(0..<40)[0], to: URL(fileURLWithPath: x))
        let labels = Tensor(shape: [40], elements: (data.labels ?? []).prefix(40).map { Int64($0) })
        try NPY.write(labels, to: URL(fileURLWithPath: y))
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func campaign(_ out: String, _ extra: [String] = [], seed: Int = 11) -> [String] {
        ["inject", model, "--input", x, "--labels", y, "--count", "400", "--seed", String(seed), "--batch-size", "16",
         "--quiet", "--out", out] + extra
    }

    private func read(_ file: String) throws -> String { try String(contentsOfFile: file, encoding: .utf8) }

    private func lineCount(_ file: String) -> Int {
        (FileManager.default.contents(atPath: file) ?? Data()).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// Starts `seu-onnx`, waits until `file` has `lines` lines, then sends `signal`.
    private func interrupt(_ arguments: [String], file: String, after lines: Int, signal: Int32) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while lineCount(file) < lines && process.isRunning && Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, signal)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self))
    }

    func testKillDashNineThenResumeEqualsAnUninterruptedRun() throws {
        let full = path("full.csv"), killed = path("killed.csv")
        let reference = try CLIRunner.run(campaign(full))
        XCTAssertEqual(reference.status, 0, reference.stderr)
        XCTAssertEqual(lineCount(full), 401)

        let result = try interrupt(campaign(killed), file: killed, after: 60, signal: SIGKILL)
        XCTAssertEqual(result.status, SIGKILL, "the campaign must still be running when killed")
        let partial = lineCount(killed)
        XCTAssertGreaterThanOrEqual(partial, 60)
        XCTAssertLessThan(partial, 401, "killed before the end")

        let resumed = try CLIRunner.run(campaign(killed, ["--resume"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming"), resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("injections: 400"), resumed.stdout)
        XCTAssertEqual(try read(killed), try read(full), "resumed records equal an uninterrupted run")
        XCTAssertEqual(try read(killed + ".campaign.json"), try read(full + ".campaign.json"))
        // Resuming a finished campaign runs nothing and changes nothing.
        let again = try CLIRunner.run(campaign(killed, ["--resume"]))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try read(killed), try read(full))
    }

    func testCtrlCPrintsTheSummarySoFarAndResumeFinishesIt() throws {
        // A stratified plan this time: fc2.weight 10,240 sites → 193, fc2.bias 320 → 122.
        func planned(_ out: String, _ extra: [String] = []) -> [String] {
            ["inject", model, "--input", x, "--labels", y, "--tensors", "fc2.*", "--margin", "0.07", "--per-tensor",
             "--batch-size", "16", "--quiet", "--out", out] + extra
        }
        let full = path("full.jsonl"), stopped = path("stopped.jsonl")
        let reference = try CLIRunner.run(planned(full))
        XCTAssertEqual(reference.status, 0, reference.stderr)
        XCTAssertEqual(lineCount(full), 315)
        let result = try interrupt(planned(stopped), file: stopped, after: 40, signal: SIGINT)
        XCTAssertEqual(result.status, 130, "interrupted: 128 + SIGINT")
        XCTAssertTrue(result.stdout.contains("(interrupted)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("outcomes (each fault in its most severe class"), result.stdout)
        XCTAssertTrue(result.stdout.contains("--resume"), result.stdout)
        let resumed = try CLIRunner.run(planned(stopped, ["--resume"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try read(stopped), try read(full))
        // SIGTERM (a batch scheduler's stop) is handled the same way, with its own status.
        let terminated = path("terminated.jsonl")
        let term = try interrupt(planned(terminated), file: terminated, after: 40, signal: SIGTERM)
        XCTAssertEqual(term.status, 143, "terminated: 128 + SIGTERM")
        XCTAssertTrue(term.stdout.contains("(interrupted)"), term.stdout)
    }

    func testPartialLastLineIsDroppedAndDifferentSettingsAreRefused() throws {
        let full = path("full.csv"), cut = path("cut.csv")
        XCTAssertEqual(try CLIRunner.run(campaign(full)).status, 0)
        // The header, 100 records and half of the next line, as a kill mid-write leaves them.
        let lines = try read(full).split(separator: "\n", omittingEmptySubsequences: false)
        let text = lines[0...100].joined(separator: "\n") + "\n" + lines[101].prefix(17)
        try text.write(toFile: cut, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: full + ".campaign.json", toPath: cut + ".campaign.json")

        let refused = try CLIRunner.run(campaign(cut, ["--resume"], seed: 12))
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("cannot resume") && refused.stderr.contains("--seed"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, "one line")
        let otherBits = try CLIRunner.run(campaign(cut, ["--resume", "--bits", "1"]))
        XCTAssertEqual(otherBits.status, 2)
        XCTAssertTrue(otherBits.stderr.contains("--bits"), otherBits.stderr)

        let resumed = try CLIRunner.run(campaign(cut, ["--resume"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("dropped a partial last line"), resumed.stderr)
        XCTAssertEqual(try read(cut), try read(full))

        let noSidecar = path("orphan.csv")
        try "id,tensor\n".write(toFile: noSidecar, atomically: true, encoding: .utf8)
        let orphan = try CLIRunner.run(campaign(noSidecar, ["--resume"]))
        XCTAssertEqual(orphan.status, 2)
        XCTAssertTrue(orphan.stderr.contains("no sidecar"), orphan.stderr)
    }

    func testFourShardsMergeIntoASingleRun() throws {
        let single = path("single.csv")
        let one = try CLIRunner.run(campaign(single))
        XCTAssertEqual(one.status, 0, one.stderr)
        var shards: [String] = []
        for k in 1...4 {
            let shard = path("shard\(k).csv")
            let result = try CLIRunner.run(campaign(shard, ["--shard", "\(k)/4"]))
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(lineCount(shard), 101, "400 faults / 4 shards + header")
            shards.append(shard)
        }
        let second = try read(shards[1]).split(separator: "\n").dropFirst().prefix(3).map { $0.prefix { $0 != "," } }
        XCTAssertEqual(second, ["1", "5", "9"], "shard 2/4 holds every 4th fault from id 1")

        // A shard cut after 30 records resumes to the complete shard (interleaved ids).
        let cut = path("cut3.csv")
        let shardLines = try read(shards[2]).split(separator: "\n", omittingEmptySubsequences: false)
        try (shardLines[0...30].joined(separator: "\n") + "\n").write(toFile: cut, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: shards[2] + ".campaign.json", toPath: cut + ".campaign.json")
        let incomplete = try CLIRunner.run(["merge", shards[0], shards[1], cut, shards[3], "--out", path("bad.csv")])
        XCTAssertEqual(incomplete.status, 2)
        XCTAssertTrue(incomplete.stderr.contains("is incomplete (30 of 100 records)"), incomplete.stderr)
        let resumed = try CLIRunner.run(campaign(cut, ["--shard", "3/4", "--resume"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try read(cut), try read(shards[2]))

        // Missing or unfinished shards are refused.
        let missing = try CLIRunner.run(["merge", shards[0], shards[1], shards[3], "--out", path("bad.csv")])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("shard 3/4 is missing"), missing.stderr)

        let merged = path("merged.csv")
        let result = try CLIRunner.run(["merge"] + shards.reversed() + ["--out", merged])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try read(merged), try read(single), "merged records equal a single run")
        XCTAssertEqual(try read(merged + ".campaign.json"), try read(single + ".campaign.json"))
        let report = try CLIRunner.run(["report", single])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(result.stdout.hasPrefix(report.stdout), "merge prints the single run's summary")
        // A JSON Lines output holds the same records.
        let jsonl = path("merged.jsonl")
        XCTAssertEqual(try CLIRunner.run(["merge"] + shards + ["--out", jsonl]).status, 0)
        XCTAssertTrue(try RecordReader.read(path: jsonl).records == RecordReader.read(path: single).records, "JSON Lines merge reads back to the same records")

        // A shard of another campaign does not merge.
        let stranger = path("stranger.csv")
        XCTAssertEqual(try CLIRunner.run(campaign(stranger, ["--shard", "3/4"], seed: 12)).status, 0)
        let mixed = try CLIRunner.run(["merge", shards[0], shards[1], stranger, shards[3], "--out", path("mixed.csv")])
        XCTAssertEqual(mixed.status, 2)
        XCTAssertTrue(mixed.stderr.contains("different campaign"), mixed.stderr)
    }

    func testShardsPartitionTheList() throws {
        for total in [0, 1, 7, 400, 16587] {
            for n in [1, 3, 4, 7] {
                let shards = try (1...n).map { try Shard(index: $0, count: n).ids(total: total) }
                XCTAssertEqual(shards.flatMap { Array($0) }.sorted(), Array(0..<total), "\(total) faults in \(n) shards")
                XCTAssertEqual(shards.map(\.count), shards.map { Array($0).count })
                XCTAssertLessThanOrEqual((shards.map(\.count).max() ?? 0) - (shards.map(\.count).min() ?? 0), 1)
            }
        }
        let ids = try Shard(index: 3, count: 4).ids(total: 10)
        XCTAssertEqual(Array(ids), [2, 6])
        XCTAssertEqual(Array(ids.dropping(1)), [6])
        XCTAssertEqual(ids[1], 6)
        XCTAssertThrowsError(try Shard(parsing: "0/4")) { XCTAssertEqual(($0 as? SEUError)?.kind, .invalidArgument) }
        XCTAssertThrowsError(try Shard(parsing: "5/4"))
        XCTAssertThrowsError(try Shard(parsing: "2-4"))
    }
}
