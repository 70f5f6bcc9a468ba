import Foundation
import SEUOnnx

/// `seu-onnx conformance [DIR ...]`: runs ONNX's backend test cases and checks the allow-list.
enum ConformanceCommand {
    static let defaultDirectories = ["../shared/conformance/onnx-1.23", "/usr/share/libonnx-testdata/data"]
    static let defaultAllowList = "Conformance/allow-list.txt"

    static let command = Command(
        name: "conformance",
        abstract: "Run ONNX's backend conformance cases; check the claimed ones pass",
        usage: "[DIR ...] [--allow-list FILE] [--filter GLOB] [--write-allow-list FILE]",
        options: [
            OptionSpec(name: "--allow-list", value: "FILE", help: "claimed cases (default: \(defaultAllowList) if present)"),
            OptionSpec(name: "--filter", value: "GLOB", help: "only cases whose <suite>/<case> or <case> matches (repeatable)", repeatable: true),
            OptionSpec(name: "--write-allow-list", value: "FILE", help: "write an allow-list claiming every passing case, keeping exclusions and comments"),
            OptionSpec(name: "--list", value: nil, help: "print every case's outcome and time"),
            OptionSpec(name: "--timeout", value: "S", help: "seconds a case may run before it is stopped (default 120)"),
            OptionSpec(name: "--in-process", value: nil, help: "run cases in this process (a trapping kernel ends the run)"),
            OptionSpec(name: "--worker", value: "LIST", help: "(internal) run the cases listed in LIST, one result line each"),
        ],
        positionals: 0...64,
        discussion: """
        DIR is a folder of suites (node/, simple/, ...), one suite or one case folder; default:
        $SEU_CONFORMANCE_DIR, else ../shared/conformance/onnx-1.23, else Debian's
        /usr/share/libonnx-testdata/data (package libonnx-testdata, ONNX 1.12).
        A case passes when every output matches in data type, shape and value (rtol 1e-3,
        atol 1e-7; NaN equals NaN; integers exact). Cases run in a worker process, so a case
        that crashes or hangs is reported as an error and the run goes on.
        Exit status 1 when a claimed case does not pass.
        """
    ) { arguments in
        if let list = arguments.string("--worker") {
            try ConformanceIsolation.work(listPath: list)
            return
        }
        let timeout = try arguments.double("--timeout") ?? 120
        guard timeout > 0 else {
            throw SEUError(.invalidArgument, "must be positive, got \(timeout)", location: .init(argument: "--timeout"))
        }
        let directories = try resolveDirectories(arguments.positionals)
        let allowListPath = arguments.string("--allow-list")
            ?? (FileManager.default.fileExists(atPath: defaultAllowList) ? defaultAllowList : nil)
        let allowList = try allowListPath.map { try AllowList(url: URL(fileURLWithPath: $0)) } ?? AllowList()
        var outputPath: String?
        if let path = arguments.string("--write-allow-list") {
            try OutputSafety.checkWritable(path, inputs: (allowListPath.map { [$0] } ?? []) + directories,
                                           flag: "--write-allow-list")
            outputPath = path
        }
        let filters = arguments.strings("--filter")
        var cases: [ConformanceCase] = []
        for directory in directories {
            cases += try ConformanceCase.discover(in: URL(fileURLWithPath: directory))
        }
        cases = cases.filter { matches($0.id, $0.name, filters) }
        print("data: \(directories.joined(separator: ", ")) (\(cases.count) case\(cases.count == 1 ? "" : "s"))")
        if let allowListPath {
            print("allow-list: \(allowListPath) (\(allowList.claimed.count) claimed, \(allowList.exclusions.count) excluded)")
        } else {
            print("allow-list: none (no \(defaultAllowList) under the current folder; run from the checkout or pass --allow-list FILE): no claimed case is checked")
        }
        print("")

        var results: [ConformanceResult] = []
        let start = Date()
        let record = { (result: ConformanceResult) in
            results.append(result)
            if arguments.has("--list") {
                print("\(result.testCase.id)  [\(result.operatorLabel)]  \(Format.fixed(result.seconds * 1000, 1)) ms  \(result.outcome)")
                fflush(stdout)
            }
        }
        if arguments.has("--in-process") {
            let runner = ConformanceRunner()
            for testCase in cases { record(runner.run(testCase)) }
        } else {
            try ConformanceIsolation.run(cases, timeout: timeout, report: record)
        }
        let elapsed = Date().timeIntervalSince(start)
        if arguments.has("--list") { print("") }

        let suites = Set(cases.map(\.suite))
        let report = ConformanceReport(results: results, allowList: allowList) { id in
            let parts = id.split(separator: "/").map(String.init)
            return parts.count == 2 && suites.contains(parts[0]) && matches(id, parts[1], filters)
        }
        print(report.text)
        let slowest = results.sorted { $0.seconds > $1.seconds }.prefix(5)
            .map { "\($0.testCase.id) \(Format.fixed($0.seconds, 2)) s" }
        print("")
        print("time: \(Format.fixed(elapsed, 1)) s; slowest: \(slowest.joined(separator: ", "))")

        if let outputPath {
            let text = report.regeneratedAllowList
            do {
                try text.write(toFile: outputPath, atomically: true, encoding: .utf8)
            } catch {
                throw SEUError(.io, "cannot write: \(error.localizedDescription)", location: .init(file: outputPath))
            }
            let written = try AllowList(text: text, source: outputPath)
            print("wrote \(outputPath) (\(written.claimed.count) claimed, \(written.exclusions.count) excluded)")
        }
        if !report.claimedFailures.isEmpty {
            throw SEUError(.execution, "\(report.claimedFailures.count) claimed conformance case\(report.claimedFailures.count == 1 ? "" : "s") did not pass: \(report.claimedFailures.prefix(5).map(\.testCase.id).joined(separator: ", "))\(report.claimedFailures.count > 5 ? ", ..." : "")")
        }
    }

    /// The given folders, or the first default that exists.
    static func resolveDirectories(_ given: [String]) throws -> [String] {
        if !given.isEmpty { return given }
        let candidates = [ProcessInfo.processInfo.environment["SEU_CONFORMANCE_DIR"]].compactMap { $0 } + defaultDirectories
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw SEUError(.io, "no conformance data found (tried \(candidates.joined(separator: ", "))); pass a DIR or install Debian's libonnx-testdata")
        }
        return [found]
    }

    /// True when there are no filters or one matches the id or the case name.
    static func matches(_ id: String, _ name: String, _ filters: [String]) -> Bool {
        filters.isEmpty || filters.contains { fnmatch($0, id, 0) == 0 || fnmatch($0, name, 0) == 0 }
    }
}
