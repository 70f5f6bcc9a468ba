import CONNXProto
import CProtobufC
import Foundation

extension ONNXImporter {
    /// Decodes one serialized `TensorProto` (the `input_N.pb` / `output_N.pb` files of ONNX
    /// test cases). External data is not resolved (such files carry their data inline).
    public static func loadTensor(data: Data) throws -> Tensor {
        let message: UnsafeMutablePointer<Onnx__TensorProto>? = data.withUnsafeBytes { raw in
            // An empty message is valid protobuf; give protobuf-c a non-nil pointer for it.
            var empty: UInt8 = 0
            guard let base = raw.baseAddress else { return onnx__tensor_proto__unpack(nil, 0, &empty) }
            return onnx__tensor_proto__unpack(nil, raw.count, base.assumingMemoryBound(to: UInt8.self))
        }
        guard let message else {
            throw SEUError(.invalidModel, "not a serialized TensorProto (protobuf decoding failed)")
        }
        defer { onnx__tensor_proto__free_unpacked(message, nil) }
        return try TensorDecoder(baseDirectory: nil).decode(message.pointee).0
    }

    /// Reads a serialized `TensorProto` file.
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
