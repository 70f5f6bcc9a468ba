import Foundation
import XCTest
@testable import SEUOnnx

/// Exports never overwrite their inputs, write atomically, and leave nothing behind on failure;
/// the manifest describes the files exactly.
final class ExportSafetyTests: XCTestCase {
    let tiny = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx")
    let external = TestPaths.fixtures.appendingPathComponent("tiny_cnn_external.onnx")
    let site = FaultSite(tensor: "conv1.weight", index: 0, bit: 1)

    /// A private copy of a fixture (and its data file) in a temporary folder.
    private func copy(_ url: URL, to folder: URL, as name: String? = nil) throws -> URL {
        let target = folder.appendingPathComponent(name ?? url.lastPathComponent)
        try FileManager.default.copyItem(at: url, to: target)
        let data = url.appendingPathExtension("data")
        if FileManager.default.fileExists(atPath: data.path) {
            try FileManager.default.copyItem(at: data, to: folder.appendingPathComponent(data.lastPathComponent))
        }
        return target
    }

    private func assertRefused(_ body: @autoclosure () throws -> Any, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try body(), message, line: line) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .refusedOverwrite, message, line: line)
        }
    }

    func testRefusesToOverwriteTheSourceModelThroughAnyName() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let model = try copy(tiny, to: folder)
        let original = try Data(contentsOf: model)
        let faulty = try Model(contentsOf: model).applying([site])
        assertRefused(try faulty.write(to: model), "same path")
        assertRefused(try faulty.write(to: folder.appendingPathComponent("sub/../tiny_cnn.onnx")), "path with ..")
        let symlink = folder.appendingPathComponent("link.onnx")
        try FileManager.default.createSymbolicLink(at: symlink, withDestinationURL: model)
        assertRefused(try faulty.write(to: symlink), "symbolic link")
        let hardlink = folder.appendingPathComponent("hard.onnx")
        try FileManager.default.linkItem(at: model, to: hardlink)
        assertRefused(try faulty.write(to: hardlink), "hard link")
        XCTAssertEqual(try Data(contentsOf: model), original)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny_cnn.onnx.json").path))
    }

    func testRefusesToOverwriteTheSourceDataFile() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        // The source model is renamed, so an output named like the old model would get the
        // source's data file name.
        let model = try copy(external, to: folder, as: "renamed.onnx")
        let dataFile = folder.appendingPathComponent("tiny_cnn_external.onnx.data")
        let before = try SHA256.hex(ofFile: dataFile)
        let faulty = try Model(contentsOf: model).applying([site])
        assertRefused(try faulty.write(to: folder.appendingPathComponent("tiny_cnn_external.onnx")), "output data = source data")
        assertRefused(try faulty.write(to: dataFile), "output model = source data")
        XCTAssertEqual(try SHA256.hex(ofFile: dataFile), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny_cnn_external.onnx").path))
    }

    func testAFailedWriteLeavesNoFiles() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let faulty = try Model(contentsOf: external).applying([site])
        // The manifest's destination is a non-empty folder: renaming onto it fails after the
        // data file and model were renamed into place; all must be removed again.
        let blocker = folder.appendingPathComponent("out.onnx.json")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        try Data("x".utf8).write(to: blocker.appendingPathComponent("keep"))
        XCTAssertThrowsError(try faulty.write(to: folder.appendingPathComponent("out.onnx"))) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .io)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertEqual(left, ["out.onnx.json"], "no output, no temporary files")
        // A missing output folder fails before anything is written.
        XCTAssertThrowsError(try faulty.write(to: folder.appendingPathComponent("missing/out.onnx"))) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .io)
        }
    }

    func testExistingOutputsAreReplacedAtomically() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("out.onnx")
        try Data("old".utf8).write(to: out)
        try Model(contentsOf: tiny).applying([site]).write(to: out)
        XCTAssertEqual(try Data(contentsOf: out).count, try Data(contentsOf: tiny).count)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)), ["out.onnx", "out.onnx.json"])
    }

    func testManifestRecordsDigestsFaultsAndContext() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("m.onnx")
        let sites = [FaultSite(tensor: "conv1.weight", index: 67, bit: 1), FaultSite(tensor: "fc1.weight", index: 5, bit: 9)]
        let exported = try Model(contentsOf: external).applying(sites)
            .write(to: out, context: ExportContext(commandLine: ["seu-onnx", "flip"], seed: 42))
        let manifestURL = try XCTUnwrap(exported.manifestURL)
        XCTAssertEqual(manifestURL.lastPathComponent, "m.onnx.json")
        let manifest = try ExportManifest.read(url: manifestURL)
        XCTAssertEqual(manifest, exported.manifest)
        XCTAssertEqual(manifest.tool, "seu-onnx \(SEUOnnxVersion.string)")
        XCTAssertEqual(manifest.seed, 42)
        XCTAssertEqual(manifest.commandLine ?? [], ["seu-onnx", "flip"])
        XCTAssertEqual(manifest.source.sha256, try SHA256.hex(ofFile: external))
        XCTAssertEqual(manifest.source.bytes, 11_183)
        XCTAssertEqual(manifest.output.sha256, try SHA256.hex(ofFile: out))
        XCTAssertEqual(manifest.output.path, "m.onnx")
        XCTAssertEqual(manifest.outputDataFiles.map(\.path), ["m.onnx.data"])
        XCTAssertEqual(manifest.outputDataFiles.first?.sha256, try SHA256.hex(ofFile: folder.appendingPathComponent("m.onnx.data")))
        XCTAssertEqual(manifest.sourceDataFiles.first?.sha256, try SHA256.hex(ofFile: external.appendingPathExtension("data")))
        XCTAssertEqual(manifest.changedBits, 2)
        XCTAssertEqual(manifest.sites, sites)
        let first = try XCTUnwrap(manifest.faults.first)
        XCTAssertEqual(first.coordinates, [7, 0, 1, 1])
        XCTAssertEqual([first.field, first.dtype, first.storage], ["exponent", "float32", "external tiny_cnn_external.onnx.data"])
        XCTAssertEqual([first.bitsBefore, first.bitsAfter], ["0x3f4e0eba", "0x7f4e0eba"])
        XCTAssertEqual(Float(first.before), 0.8049122)
        XCTAssertEqual(first.after, Double(Float(bitPattern: 0x7f4e0eba)))
        // The report checks the digests and notices a changed file.
        XCTAssertTrue(ManifestReport(manifest: manifest, modelURL: out).verify().allSatisfy(\.matches))
        var bytes = try Data(contentsOf: out)
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: out)
        XCTAssertEqual(ManifestReport(manifest: manifest, modelURL: out).verify().map(\.matches), [false, true])
    }

    func testNonFiniteValuesSurviveTheManifest() throws {
        // 1.0 with bit 1 flipped is +inf; NaN patterns are written as strings.
        let faulty = try FaultyModel(contentsOf: TestPaths.fixtures.appendingPathComponent("typed_fields.onnx"),
                                     flipping: [FaultSite(tensor: "w_float", index: 0, bit: 1), FaultSite(tensor: "w_float", index: 0, bit: 9)])
        XCTAssertEqual(faulty.flips.map(\.bitsAfter), [0x7f80_0000, 0x7fc0_0000])
        let folder = try TestPaths.temporaryDirectory(self)
        let exported = try faulty.write(to: folder.appendingPathComponent("nan.onnx"))
        let text = String(decoding: try exported.manifest.encoded(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"after\" : \"inf\""), text)
        XCTAssertTrue(text.contains("\"after\" : \"nan\""), text)
        let decoded = try ExportManifest.decode(Data(text.utf8))
        XCTAssertTrue(decoded.faults[1].after.isNaN)
        XCTAssertEqual(decoded.faults[1].bitsAfter, "0x7fc00000")
    }
}

/// Hostile external-data entries end in errors, never in a trap.
final class ExportBadInputTests: XCTestCase {
    func testHugeExternalOffsetIsAnError() throws {
        let source = TestPaths.fixtures.appendingPathComponent("tiny_cnn_external.onnx")
        let proto = try ProtoModel(bytes: try Data(contentsOf: source))
        var rewritten = 0
        proto.forEachTensor { t in
            guard ONNXImporter.cString(t.pointee.name) == "fc1.weight" else { return }
            for i in 0..<t.pointee.n_external_data {
                guard let entry = t.pointee.external_data[i], ONNXImporter.cString(entry.pointee.key) == "offset" else { continue }
                free(entry.pointee.value)
                entry.pointee.value = strdup("9223372036854775800")
                rewritten += 1
            }
        }
        XCTAssertEqual(rewritten, 1)
        let folder = try TestPaths.temporaryDirectory(self)
        let model = folder.appendingPathComponent("tiny_cnn_external.onnx")
        try proto.pack().write(to: model)
        try FileManager.default.copyItem(at: source.appendingPathExtension("data"), to: model.appendingPathExtension("data"))
        XCTAssertThrowsError(try Model(contentsOf: model)) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .missingExternalData)
        }
        XCTAssertThrowsError(try FaultyModel(contentsOf: model, flipping: [FaultSite(tensor: "fc1.weight", index: 0, bit: 0)])) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidModel)
        }
        let rows = try FaultListing.parseRows("0-\(Int.max)")
        XCTAssertEqual(rows.first?.upperBound, Int.max)
    }
}
