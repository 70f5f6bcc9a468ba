import CONNXProto
import CProtobufC
import Foundation

extension ONNXImporter {
    /// Decodes one serialized `TensorProto` (the `.pb` files of ONNX's backend test data).
    /// Element layout as everywhere: raw little-endian, row-major; float16/bfloat16 keep their
    /// 16-bit patterns. External data is not resolved (test tensors never use it).
    public static func loadTensor(data: Data) throws -> Tensor {
        let message: UnsafeMutablePointer<Onnx__TensorProto>? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            return onnx__tensor_proto__unpack(nil, raw.count, base.assumingMemoryBound(to: UInt8.self))
        }
        guard let message else {
            throw SEUError(.invalidModel, "not a serialized TensorProto: protobuf decoding failed")
        }
        defer { onnx__tensor_proto__free_unpacked(message, nil) }
        return try TensorDecoder(baseDirectory: nil).decode(message.pointee).0
    }

    /// Reads a `.pb` file holding one `TensorProto`.
    public static func loadTensor(url: URL) throws -> Tensor {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: url.path))
        }
        do {
            return try loadTensor(data: data)
        } catch let error as SEUError {
            throw error.located(file: url.path)
        }
    }
}
