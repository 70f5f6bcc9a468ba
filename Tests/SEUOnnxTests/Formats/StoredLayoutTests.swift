import XCTest
@testable import SEUOnnx

/// Fixtures/layouts.onnx holds the same values in raw_data, in the typed fields (float16 and
/// bfloat16 in int32_data, float64 in double_data, int8 in int32_data) and in external data:
/// each decodes to the same stored bits, and flips act on those bits.
final class StoredLayoutTests: XCTestCase {
    private func model() throws -> Model { try Model(contentsOf: TestPaths.fixtures.appendingPathComponent("layouts.onnx")) }

    private func patterns(_ tensor: Tensor) -> [UInt64] { (0..<tensor.count).map { tensor.bitPattern(ofElement: $0) } }

    func testEveryLayoutDecodesToTheStoredBits() throws {
        let graph = try model().graph
        let half: [UInt64] = [0x3C00, 0xC000, 0x7BFF, 0x0001]
        for name in ["half_raw", "half_int32", "half_external"] {
            let tensor = try XCTUnwrap(graph.initializers[name])
            XCTAssertEqual(tensor.dataType, .float16, name)
            XCTAssertEqual(patterns(tensor), half, name)
        }
        XCTAssertEqual(graph.initializerSources["half_raw"], .rawData)
        XCTAssertEqual(graph.initializerSources["half_int32"], .typedField("int32_data"))
        XCTAssertEqual(graph.initializerSources["half_external"], .external(location: "layouts.onnx.data", offset: 0, length: 8))
        for name in ["bf16_raw", "bf16_int32"] {
            XCTAssertEqual(patterns(try XCTUnwrap(graph.initializers[name])), [0x3F80, 0xC000, 0x7F7F, 0x0001], name)
        }
        for name in ["double_raw", "double_typed"] {
            let tensor = try XCTUnwrap(graph.initializers[name])
            XCTAssertEqual((0..<4).map { tensor.doubleValue(at: $0) }, [1, -2, .greatestFiniteMagnitude, .leastNonzeroMagnitude], name)
        }
        XCTAssertEqual(graph.initializerSources["double_typed"], .typedField("double_data"))
        for name in ["int8_raw", "int8_int32"] {
            XCTAssertEqual(try XCTUnwrap(graph.initializers[name]).elements(as: Int8.self), [-128, -1, 0, 127], name)
        }
    }

    func testExhaustiveCampaignFlipsEveryStoredBitAndRestores() throws {
        let model = try model()
        let names = ["half_int32", "half_external", "bf16_int32", "double_typed", "int8_int32"]
        let before = names.map { patterns(model.graph.initializers[$0]!) }
        let space = try FaultSpace(model: model, names: names, bits: .all)
        XCTAssertEqual(space.size, 4 * (16 + 16 + 16 + 64 + 8))
        XCTAssertEqual(space.targets.map(\.dataType), [.float16, .float16, .bfloat16, .double, .int8])
        // Element 0 of each tensor, bit 1: 1.0 → +inf in every float format, -128 → -64 in int8.
        for (name, expected) in zip(names, [Double.infinity, .infinity, .infinity, .infinity, -64]) {
            let tensor = model.graph.initializers[name]!
            tensor.flipBit(at: 1, ofElement: 0)
            XCTAssertEqual(tensor.doubleValue(at: 0), expected, name)
            tensor.flipBit(at: 1, ofElement: 0)
        }
        XCTAssertEqual(names.map { patterns(model.graph.initializers[$0]!) }, before)
    }

    func testSelectionAndRecordsOfSixteenBitTensors() throws {
        let model = try model()
        // Field names resolve per tensor type in one space.
        let space = try FaultSpace(model: model, names: ["half_raw", "bf16_raw", "double_raw"], bits: BitSelection(parsing: "exponent"))
        XCTAssertEqual(space.targets.map(\.bits), [Array(1...5), Array(1...8), Array(1...11)])
        XCTAssertEqual(RecordFormat.hex(0x3C00, .float16), "0x3c00")
        XCTAssertEqual(RecordFormat.hex(0x3F80, .bfloat16), "0x3f80")
        XCTAssertEqual(BitLayout(.bfloat16).value(of: 0x7F80), .infinity)
    }
}
