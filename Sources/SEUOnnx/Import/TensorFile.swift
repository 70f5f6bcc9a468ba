import CONNXProto
import CProtobufC
import Foundation

extension ONNXImporter {
    /// Decodes one serialized `TensorProto` (the `input_N.pb` / `output_N.pb` files of ONNX's
    /// conformance data). External data, if any, resolves relative to `baseDirectory`.
    static func loadTensor(data: Data, baseDirectory: URL? = nil) throws -> Tensor {
        guard !data.isEmpty else { throw SEUError(.invalidModel, "empty tensor file") }
        let message: UnsafeMutablePointer<Onnx__TensorProto>? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            return onnx__tensor_proto__unpack(nil, raw.count, base.assumingMemoryBound(to: UInt8.self))
        }
        guard let message else { throw SEUError(.invalidModel, "not a serialized TensorProto") }
        defer { onnx__tensor_proto__free_unpacked(message, nil) }
        return try TensorDecoder(baseDirectory: baseDirectory).decode(message.pointee).0
    }
}
