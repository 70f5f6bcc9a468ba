import Foundation
import XCTest
@testable import SEUOnnx

/// `.pb` TensorProto files: round trips through `TensorFile.serialized()` and bad bytes.
final class TensorFileTests: XCTestCase {
    func testRoundTripOfEveryNumericType() throws {
        let tensors: [Tensor] = [
            Tensor(shape: [2, 2], floats: [1.5, -0, .nan, .infinity]),
            Tensor(shape: [3], elements: [1.25, -2, 1e300] as [Double]),
            Tensor(shape: [2], elements: [Int64.min, .max]),
            Tensor(shape: [2], elements: [Int32(-7), 9]),
            Tensor(shape: [2], elements: [Int16(-7), 9]),
            Tensor(shape: [2], elements: [Int8(-128), 127]),
            Tensor(shape: [2], elements: [UInt8(0), 255]),
            Tensor(shape: [1], elements: [UInt16.max]),
            Tensor(shape: [1], elements: [UInt32.max]),
            Tensor(shape: [1], elements: [UInt64.max]),
            Tensor(shape: [], elements: [Float(3)]),
            Tensor(shape: [0, 4], floats: []),
            Tensor(dataType: .float16, shape: [3]),
            Tensor(dataType: .bfloat16, shape: [3]),
            Tensor(dataType: .bool, shape: [2]),
        ]
        for (index, tensor) in tensors.enumerated() {
            if tensor.dataType == .float16 || tensor.dataType == .bfloat16 {
                tensor.pointer(as: UInt16.self)[1] = 0x7E01  // a NaN payload must survive
                tensor.pointer(as: UInt16.self)[2] = 0x3C00
            }
            let data = try TensorFile(name: "t\(index)", tensor: tensor).serialized()
            let file = try ONNXImporter.loadTensorFile(data: data)
            XCTAssertEqual(file.name, "t\(index)")
            XCTAssertTrue(file.tensor.isBitIdentical(to: tensor), "\(tensor)")
            XCTAssertTrue(try ONNXImporter.loadTensor(data: data).isBitIdentical(to: tensor))
        }
        let unnamed = try TensorFile(name: "", tensor: Tensor(shape: [1], floats: [1])).serialized()
        XCTAssertEqual(try ONNXImporter.loadTensorFile(data: unnamed).name, "")
    }

    func testLoadingFromAFile() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        let url = folder.appendingPathComponent("input_0.pb")
        try TensorFile(name: "x", tensor: Tensor(shape: [2], floats: [1, 2])).serialized().write(to: url)
        XCTAssertEqual(try ONNXImporter.loadTensor(url: url).elements(as: Float.self), [1, 2])
        XCTAssertThrowsError(try ONNXImporter.loadTensor(url: folder.appendingPathComponent("absent.pb"))) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .io)
        }
    }

    /// Varint encoding for hand-written protobuf bytes.
    private func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            out.append(UInt8(v & 0x7F) | (v > 0x7F ? 0x80 : 0))
            v >>= 7
        } while v > 0
        return out
    }

    func testBadBytesAreErrorsNotCrashes() throws {
        func kind(_ bytes: [UInt8]) -> SEUError.Kind? {
            do { _ = try ONNXImporter.loadTensor(data: Data(bytes)) } catch let error as SEUError { return error.kind } catch { return nil }
            return nil
        }
        XCTAssertEqual(kind([]), .invalidModel)
        XCTAssertEqual(kind(Array("not protobuf at all \u{ff}".utf8)), .invalidModel)
        // dims = [2^39], data_type = FLOAT, no data: must not try to allocate 2 TiB first.
        XCTAssertEqual(kind([0x08] + varint(1 << 39) + [0x10, 0x01]), .invalidModel)
        // dims = [4], FLOAT, raw_data of 3 bytes.
        XCTAssertEqual(kind([0x08, 0x04, 0x10, 0x01, 0x4A, 0x03, 1, 2, 3]), .invalidModel)
        // dims = [-1].
        XCTAssertEqual(kind([0x08] + varint(UInt64(bitPattern: -1)) + [0x10, 0x01]), .invalidModel)
        // data_type = FLOAT8E4M3FN (17) and STRING (8): not representable.
        XCTAssertEqual(kind([0x08, 0x01, 0x10, 17, 0x4A, 0x01, 0x38]), .unsupportedDataType)
        XCTAssertEqual(kind([0x10, 0x08]), .unsupportedDataType)
        // External data with a huge offset: no overflow trap.
        let key = Array("location".utf8), value = Array("x.bin".utf8)
        let location: [UInt8] = [0x0A, UInt8(key.count)] + key + [0x12, UInt8(value.count)] + value
        let offsetKey = Array("offset".utf8), offsetValue = Array(String(Int.max).utf8)
        let offset: [UInt8] = [0x0A, UInt8(offsetKey.count)] + offsetKey + [0x12, UInt8(offsetValue.count)] + offsetValue
        let external: [UInt8] = [0x08, 0x04, 0x10, 0x01]
            + [0x6A, UInt8(location.count)] + location + [0x6A, UInt8(offset.count)] + offset + [0x70, 0x01]
        let folder = try TestPaths.temporaryDirectory(self)
        try Data(count: 16).write(to: folder.appendingPathComponent("x.bin"))
        XCTAssertThrowsError(try ONNXImporter.loadTensor(data: Data(external), baseDirectory: folder)) { error in
            XCTAssertEqual((error as? SEUError)?.kind, .missingExternalData)
        }
    }
}
