import Foundation
import XCTest
@testable import SEUOnnx

/// The byte test: an exported model differs from its source only in the flipped bits, for
/// raw_data, fixed-width typed fields (float_data, double_data), varint typed fields and
/// external data. Expected offsets are found by locating each tensor's payload in the file;
/// expected masks are hand-computed (bit b from the MSB of a float32 is bit 31-b of the
/// little-endian word: byte (31-b)/8, mask 1 << ((31-b)%8)).
final class ExportExactnessTests: XCTestCase {
    let tiny = TestPaths.fixtures.appendingPathComponent("tiny_cnn.onnx")
    let typed = TestPaths.fixtures.appendingPathComponent("typed_fields.onnx")
    let external = TestPaths.fixtures.appendingPathComponent("tiny_cnn_external.onnx")

    func testRawDataOutputDiffersInExactlyTheFlippedBits() throws {
        let source = try Model(contentsOf: tiny)
        let sourceBytes = try Data(contentsOf: tiny)
        let conv1 = try XCTUnwrap(ByteDiff.uniqueOffset(of: ByteDiff.payload(source, "conv1.weight"), in: sourceBytes))
        let fc2b = try XCTUnwrap(ByteDiff.uniqueOffset(of: ByteDiff.payload(source, "fc2.bias"), in: sourceBytes))
        let fc1 = try XCTUnwrap(ByteDiff.uniqueOffset(of: ByteDiff.payload(source, "fc1.weight"), in: sourceBytes))
        let sites = [FaultSite(tensor: "conv1.weight", index: 67, bit: 1),   // byte 3, mask 0x40
                     FaultSite(tensor: "fc2.bias", index: 3, bit: 0),        // byte 3, mask 0x80
                     FaultSite(tensor: "fc1.weight", index: 2047, bit: 31)]  // byte 0, mask 0x01
        let folder = try TestPaths.temporaryDirectory(self)
        let out = folder.appendingPathComponent("out.onnx")
        let exported = try source.applying(sites).write(to: out)
        let outBytes = try Data(contentsOf: out)
        XCTAssertEqual(outBytes.count, sourceBytes.count)
        let raw = [UInt8](sourceBytes)
        let expected = [(conv1 + 67 * 4 + 3, UInt8(0x40)), (fc1 + 2047 * 4 + 0, 0x01), (fc2b + 3 * 4 + 3, 0x80)]
            .sorted { $0.0 < $1.0 }
            .map { ByteDiff.Entry(offset: $0.0 + 1, old: raw[$0.0], new: raw[$0.0] ^ $0.1) }
        XCTAssertEqual(ByteDiff.cmp(sourceBytes, outBytes), expected)
        // conv1.weight[67] is 0.8049122 = 0x3f4e0eba: its top byte 0x3f (octal 77) becomes 0x7f (177).
        XCTAssertEqual(expected.first { $0.offset == conv1 + 67 * 4 + 4 }.map { [$0.old, $0.new] }, [0x3f, 0x7f])
        if let system = try ByteDiff.systemCmp(tiny, out) {
            XCTAssertEqual(system, expected.map(\.description), "cmp -l")
        }
        XCTAssertEqual(exported.manifest.changedBits, 3)
        XCTAssertEqual(exported.manifest.faults.map(\.bitsBefore).first, "0x3f4e0eba")
        XCTAssertEqual(exported.manifest.faults.map(\.bitsAfter).first, "0x7f4e0eba")
        try Model(contentsOf: out).assertEqualsSource(source, flipped: sites)
    }

    func testFlippingABitTwiceGivesTheSourceBack() throws {
        let site = FaultSite(tensor: "conv2.weight", index: 100, bit: 4)
        let faulty = try Model(contentsOf: tiny).applying([site, site])
        XCTAssertEqual(faulty.bytes, try Data(contentsOf: tiny))
        XCTAssertEqual(faulty.changedBits, 0)
        XCTAssertEqual(faulty.flips.map(\.bitsAfter).last, faulty.flips.first?.bitsBefore)
    }

    func testFloatDataAndDoubleDataAreEditedInPlace() throws {
        let source = try Model(contentsOf: typed)
        XCTAssertEqual(source.graph.initializerSources["w_float"], .typedField("float_data"))
        let sourceBytes = try Data(contentsOf: typed)
        let floats = try XCTUnwrap(ByteDiff.uniqueOffset(of: ByteDiff.payload(source, "w_float"), in: sourceBytes))
        let doubles = try XCTUnwrap(ByteDiff.uniqueOffset(of: ByteDiff.payload(source, "w_double"), in: sourceBytes))
        // w_float[1,2] = -0.125 (0xbe000000): the sign bit is byte 3, 0xbe → 0x3e.
        // w_double[1] = -0.25 (0xbfd0000000000000): bit 11 is byte 6 mask 0x10, 0xd0 → 0xc0.
        let sites = [FaultSite(tensor: "w_float", index: 5, bit: 0), FaultSite(tensor: "w_double", index: 1, bit: 11)]
        let faulty = try source.applying(sites)
        XCTAssertEqual(ByteDiff.cmp(sourceBytes, faulty.bytes),
                       [ByteDiff.Entry(offset: floats + 5 * 4 + 3 + 1, old: 0xbe, new: 0x3e),
                        ByteDiff.Entry(offset: doubles + 8 + 6 + 1, old: 0xd0, new: 0xc0)])
        XCTAssertEqual(faulty.bytes.count, sourceBytes.count)
        XCTAssertEqual(faulty.flips.map(\.after), [0.125, -0.125])
        XCTAssertEqual(faulty.flips.map(\.storage), ["float_data", "double_data"])
        XCTAssertEqual(faulty.changedModelBits, 2)
    }

    /// int32_data/int64_data/uint64_data are varints: the encoding may change length, the
    /// values must change in exactly the flipped bit (hand-computed; onnx's numpy_helper reads
    /// the same values back from such a file).
    func testVarintFieldsChangeOnlyTheFlippedValues() throws {
        let source = try Model(contentsOf: typed)
        let sites = [FaultSite(tensor: "w_half", index: 1, bit: 0),      // -2.0 (0xc000) → 2.0 (0x4000)
                     FaultSite(tensor: "w_bf16", index: 0, bit: 1),      // 1.0 (0x3f80) → inf (0x7f80)
                     FaultSite(tensor: "w_int8", index: 0, bit: 0),      // 5 → -123
                     FaultSite(tensor: "w_int8", index: 1, bit: 0),      // -1 → 127
                     FaultSite(tensor: "w_int32", index: 1, bit: 31),    // -7 → -8
                     FaultSite(tensor: "w_int64", index: 0, bit: 0),     // 2^40 → 2^40 - 2^63
                     FaultSite(tensor: "w_uint32", index: 1, bit: 0)]    // 4e9 → 1852516352
        let faulty = try source.applying(sites)
        XCTAssertNil(faulty.changedModelBits)
        XCTAssertEqual(faulty.flips.map(\.bitsAfter), [0x4000, 0x7f80, 0x85, 0x7f, 0xffff_fff8, 0x8000_0100_0000_0000, 0x6e6b_2800])
        XCTAssertEqual(faulty.flips.map(\.after), [2.0, .infinity, -123, 127, -8, Double(Int64(1 << 40) - Int64.max - 1), 1_852_516_352])
        let reloaded = try ONNXImporter.load(data: faulty.bytes, baseDirectory: nil)
        reloaded.assertEqualsSource(source, flipped: sites)
        XCTAssertEqual(reloaded.initializer(named: "w_int8")?.elements(as: Int8.self), [-123, 127, 127, -128])
        let half = try XCTUnwrap(reloaded.initializer(named: "w_half"))
        XCTAssertEqual((0..<3).map { half.bitPattern(ofElement: $0) }, [0x3c00, 0x4000, 0x3800])
    }

    func testExternalDataIsCopiedWithExactlyTheFlippedBytes() throws {
        let source = try Model(contentsOf: external)
        XCTAssertEqual(source.graph.initializerSources["fc1.weight"], .external(location: "tiny_cnn_external.onnx.data", offset: 4896, length: 8192))
        let sourceData = external.appendingPathExtension("data")
        let sourceDataHash = try SHA256.hex(ofFile: sourceData)
        let externalSites = [FaultSite(tensor: "conv1.weight", index: 67, bit: 1),   // @0: byte 271, mask 0x40
                             FaultSite(tensor: "fc1.weight", index: 5, bit: 9)]      // @4896: bit 22 → byte 2, mask 0x40
        let inline = FaultSite(tensor: "conv1.bias", index: 2, bit: 0)
        let folder = try TestPaths.temporaryDirectory(self)

        let out = folder.appendingPathComponent("faulty.onnx")
        let exported = try source.applying(externalSites + [inline]).write(to: out)
        XCTAssertEqual(exported.dataFileURLs.map(\.lastPathComponent), ["faulty.onnx.data"])
        let raw = [UInt8](try Data(contentsOf: sourceData))
        let expected = [(271, UInt8(0x40)), (4896 + 5 * 4 + 2, 0x40)].map { ByteDiff.Entry(offset: $0.0 + 1, old: raw[$0.0], new: raw[$0.0] ^ $0.1) }
        let outData = folder.appendingPathComponent("faulty.onnx.data")
        XCTAssertEqual(try Data(contentsOf: outData).count, raw.count)
        XCTAssertEqual(ByteDiff.cmp(Data(raw), try Data(contentsOf: outData)), expected)
        if let system = try ByteDiff.systemCmp(sourceData, outData) { XCTAssertEqual(system, expected.map(\.description), "cmp -l") }

        // The model file: the same as an export without faults (only the locations differ from
        // the source) except for the inline flip.
        let noFaults = try source.applying([]).bytes(renamingDataFiles: ["tiny_cnn_external.onnx.data": "faulty.onnx.data"])
        let onlyExternal = try source.applying(externalSites).bytes(renamingDataFiles: ["tiny_cnn_external.onnx.data": "faulty.onnx.data"])
        XCTAssertEqual(onlyExternal, noFaults)
        let written = try Data(contentsOf: out)
        XCTAssertEqual(written.count, noFaults.count)
        XCTAssertEqual(ByteDiff.cmp(noFaults, written).map { $0.old ^ $0.new }, [0x80], "only conv1.bias[2]'s sign bit")

        let reloaded = try Model(contentsOf: out)
        XCTAssertEqual(reloaded.graph.initializerSources["fc1.weight"], .external(location: "faulty.onnx.data", offset: 4896, length: 8192))
        reloaded.assertEqualsSource(source, flipped: externalSites + [inline])
        XCTAssertEqual(try SHA256.hex(ofFile: sourceData), sourceDataHash, "the source data file must not change")
        XCTAssertEqual(exported.manifest.outputDataFiles.first?.sha256, try SHA256.hex(ofFile: outData))
        XCTAssertEqual(exported.manifest.sourceDataFiles.first?.sha256, sourceDataHash)
    }

    func testAFileThatDoesNotRoundTripIsRefused() throws {
        // A second ir_version field after the graph: valid protobuf (the last value wins), but
        // packing writes one field in schema order, so the output could not be exact.
        var bytes = try Data(contentsOf: tiny)
        bytes.append(contentsOf: [0x08, 0x08])
        XCTAssertThrowsError(try FaultyModel(bytes: bytes, baseDirectory: nil, flipping: [])) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .invalidModel)
        }
    }

    func testSitesThatDoNotExistAreRejected() throws {
        let model = try Model(contentsOf: tiny)
        for site in [FaultSite(tensor: "conv1.weight", index: 72, bit: 0), FaultSite(tensor: "conv1.weight", index: 0, bit: 32),
                     FaultSite(tensor: "conv1.weight", index: -1, bit: 0), FaultSite(tensor: "nope", index: 0, bit: 0)] {
            XCTAssertThrowsError(try model.applying([site]), "\(site)") { error in
                XCTAssertEqual((error as? SEUError)?.kind, .invalidFault, "\(site)")
            }
        }
    }
}
