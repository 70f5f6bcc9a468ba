import Foundation
import SEUOnnx
#if canImport(Glibc)
import Glibc
#endif

/// Runs conformance cases in a worker process (`seu-onnx conformance --worker LIST`), so that
/// a kernel that traps or hangs on one case costs that case, not the whole report: the case
/// is recorded as an `execution` error ("crashed" or "timed out") and a fresh worker carries on
/// with the next one.
///
/// The worker reads `LIST` (one case a line: suite, name, folder, tab-separated) and prints
/// `<index>\t<ConformanceResult.line>` per case, flushing after each line.
enum ConformanceIsolation {
    /// Runs `cases`, calling `report` with each result in order.
    static func run(_ cases: [ConformanceCase], timeout: Double,
                    report: (ConformanceResult) -> Void) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("seu-onnx-conformance-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let listURL = folder.appendingPathComponent("cases.txt")
        let stderrURL = folder.appendingPathComponent("stderr.txt")
        var next = 0
        while next < cases.count {
            let remaining = cases[next...]
            try remaining.map { "\($0.suite)\t\($0.name)\t\($0.directory.path)" }.joined(separator: "\n")
                .write(to: listURL, atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            let process = Process()
            process.executableURL = executable
            process.arguments = ["conformance", "--worker", listURL.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: stderrURL)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var reader = LineReader(fd: output.fileHandleForReading.fileDescriptor)
            var received = 0
            var timedOut = false
            while received < remaining.count {
                guard let line = reader.next(timeout: timeout, timedOut: &timedOut) else { break }
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                guard parts.count == 2, Int(parts[0]) == received,
                      let result = ConformanceResult(line: parts[1], testCase: cases[next + received]) else { continue }
                report(result)
                received += 1
            }
            if timedOut { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            next += received
            guard next < cases.count else { break }
            // The worker stopped before the case at `next`: that case killed or stalled it.
            let culprit = cases[next]
            let reason: String
            if timedOut {
                reason = "timed out after \(Int(timeout)) s (worker stopped)"
            } else {
                let signal = process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
                reason = "the case crashed the process (\(signal))\(crashMessage(stderrURL).map { ": \($0)" } ?? "")"
            }
            let attribution = ConformanceRunner.attribution(of: culprit)
            report(ConformanceResult(testCase: culprit, operatorLabel: attribution.label, operators: attribution.operators,
                                     outcome: .error(SEUError(.execution, reason)), seconds: timedOut ? timeout : 0))
            next += 1
        }
    }

    /// Worker side: runs the cases listed in `listPath`, one result line each.
    static func work(listPath: String) throws {
        let text = try String(contentsOfFile: listPath, encoding: .utf8)
        let runner = ConformanceRunner()
        for (index, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard fields.count == 3 else { continue }
            let testCase = ConformanceCase(suite: fields[0], name: fields[1], directory: URL(fileURLWithPath: fields[2]))
            print("\(index)\t\(runner.run(testCase).line)")
            fflush(stdout)
        }
    }

    /// This executable (the worker is the same program).
    private static var executable: URL {
        Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// The Swift runtime's "Fatal error: ..." line, else the last line the worker wrote to stderr.
    private static func crashMessage(_ url: URL) -> String? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        let lines = String(decoding: data.suffix(16_384), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let fatal = lines.first { $0.contains("Fatal error") || $0.contains("Precondition failed") }
        return (fatal ?? lines.last).map { String($0.prefix(300)) }
    }
}

/// Reads lines from a pipe with a timeout per line (poll), so a hung worker can be stopped.
private struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var ended = false

    init(fd: Int32) { self.fd = fd }

    /// The next line, or nil at end of input or after `timeout` seconds without one.
    mutating func next(timeout: Double, timedOut: inout Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if ended { return nil }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { timedOut = true; return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 1_000_000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { ended = true; continue }
            buffer += chunk[..<count]
        }
    }
}
