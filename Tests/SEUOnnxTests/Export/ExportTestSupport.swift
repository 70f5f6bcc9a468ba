import Foundation
import XCTest
@testable import SEUOnnx

/// Byte comparisons for the export tests, in the form `cmp -l` prints: 1-based offset, then
/// the two bytes in octal.
enum ByteDiff {
    struct Entry: Equatable, CustomStringConvertible {
        let offset: Int  // 1-based, as cmp -l
        let old: UInt8
        let new: UInt8
        var description: String { "\(offset) \(String(old, radix: 8)) \(String(new, radix: 8))" }
    }

    /// Differing bytes over the common length.
    static func cmp(_ a: Data, _ b: Data) -> [Entry] {
        let x = [UInt8](a), y = [UInt8](b)
        return (0..<min(x.count, y.count)).compactMap { x[$0] != y[$0] ? Entry(offset: $0 + 1, old: x[$0], new: y[$0]) : nil }
    }

    /// `cmp -l A B` from the system, normalised to `offset old new` lines; nil when there is
    /// no cmp program.
    static func systemCmp(_ a: URL, _ b: URL) throws -> [String]? {
        let program = URL(fileURLWithPath: "/usr/bin/cmp")
        guard FileManager.default.isExecutableFile(atPath: program.path) else { return nil }
        let process = Process()
        process.executableURL = program
        process.arguments = ["-l", a.path, b.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: " ").joined(separator: " ") }
    }

    /// The only offset where `needle` occurs in `haystack` (fails the test when it is absent or
    /// occurs more than once).
    static func uniqueOffset(of needle: Data, in haystack: Data, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        guard let first = haystack.range(of: needle) else {
            XCTFail("payload not found in the file", file: file, line: line)
            return nil
        }
        if haystack.range(of: needle, in: (first.lowerBound + 1)..<haystack.endIndex) != nil {
            XCTFail("payload occurs twice in the file", file: file, line: line)
            return nil
        }
        return first.lowerBound - haystack.startIndex
    }

    /// The stored bytes of an initializer.
    static func payload(_ model: Model, _ name: String) -> Data {
        guard let tensor = model.initializer(named: name) else { return Data() }
        return Data(bytes: tensor.storage.bytes, count: tensor.byteCount)
    }
}

extension Model {
    /// Asserts that every initializer of `self` is bit-identical to `source`'s, except the
    /// elements at `flipped`, which must hold the source bits XOR the flipped bits.
    func assertEqualsSource(_ source: Model, flipped: [FaultSite], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(graph.initializerNames, source.graph.initializerNames, file: file, line: line)
        for name in source.graph.initializerNames {
            guard let expected = source.initializer(named: name)?.copy(), let actual = initializer(named: name) else {
                XCTFail("missing initializer \(name)", file: file, line: line)
                continue
            }
            for site in flipped where site.tensor == name { expected.flipBit(at: site.bit, ofElement: site.index) }
            XCTAssertTrue(actual.isBitIdentical(to: expected), "initializer \(name) differs from the source beyond the flips", file: file, line: line)
        }
    }
}
