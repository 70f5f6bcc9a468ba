import CONNXProto
import CProtobufC
import Foundation

/// Decodes a serialized ModelProto with protobuf-c, after checking that its messages do not
/// nest deeper than `nestingLimit`.
///
/// Why the check: protobuf-c's decoder recurses once per nested message and has no depth
/// limit, while ONNX messages can nest without bound (a graph attribute holds a graph whose
/// nodes hold graph attributes...; a sequence type holds a type). A crafted file of a few
/// hundred kilobytes would exhaust the stack and crash the process. The check walks only the
/// schema's recursive fields, iteratively, and skips everything else (payloads included) by
/// length, so it costs little even on large models. The limit is the one Google's protobuf
/// library applies by default; exported models nest a few levels (model → graph → node →
/// attribute → graph for an If or Loop).
enum ModelMessage {
    static let nestingLimit = 100

    /// The decoded message (free it with `onnx__model_proto__free_unpacked`); throws
    /// `.invalidModel` for bytes that are not a ModelProto or that nest too deeply.
    static func unpack(_ data: Data) throws -> UnsafeMutablePointer<Onnx__ModelProto> {
        guard !data.isEmpty else { throw SEUError(.invalidModel, "empty file, not an ONNX model") }
        let message: UnsafeMutablePointer<Onnx__ModelProto>? = try data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            try checkNesting(raw)
            return onnx__model_proto__unpack(nil, raw.count, base.assumingMemoryBound(to: UInt8.self))
        }
        guard let message else {
            throw SEUError(.invalidModel, "not a valid ONNX model: protobuf decoding failed (truncated or not an ONNX file)")
        }
        return message
    }

    /// The messages of onnx.proto that take part in a recursion, and their fields holding one.
    private enum Kind {
        case model, trainingInfo, function, graph, node, attribute, valueInfo, type, typeWrapper(typeField: Int)

        /// The kind of message field `field` holds, when it is on a recursive path.
        func child(_ field: Int) -> Kind? {
            switch (self, field) {
            case (.model, 7), (.trainingInfo, 1), (.trainingInfo, 2), (.attribute, 6), (.attribute, 11): return .graph
            case (.model, 20): return .trainingInfo
            case (.model, 25): return .function
            case (.function, 7), (.graph, 1): return .node
            case (.function, 11), (.node, 5): return .attribute
            case (.function, 12), (.graph, 11), (.graph, 12), (.graph, 13): return .valueInfo
            case (.attribute, 14), (.attribute, 15), (.valueInfo, 2): return .type
            // TypeProto's Sequence (4) and Optional (9) hold a TypeProto in field 1, Map (5) in 2.
            case (.type, 4), (.type, 9): return .typeWrapper(typeField: 1)
            case (.type, 5): return .typeWrapper(typeField: 2)
            case (.typeWrapper(let typeField), _) where typeField == field: return .type
            default: return nil
            }
        }
    }

    /// Throws when the recursive fields nest deeper than `nestingLimit`. Malformed bytes end the
    /// walk quietly: the decoder reports them.
    private static func checkNesting(_ bytes: UnsafeRawBufferPointer) throws {
        var pending: [(range: Range<Int>, kind: Kind, depth: Int)] = [(0..<bytes.count, .model, 1)]
        while let (range, kind, depth) = pending.popLast() {
            var offset = range.lowerBound
            while offset < range.upperBound {
                guard let key = varint(bytes, &offset, end: range.upperBound) else { break }
                let field = Int(truncatingIfNeeded: key >> 3)
                switch key & 7 {
                case 0: guard varint(bytes, &offset, end: range.upperBound) != nil else { return }
                case 1: offset += 8
                case 5: offset += 4
                case 2:
                    guard let length = varint(bytes, &offset, end: range.upperBound), length <= UInt64(range.upperBound - offset) else { return }
                    let end = offset + Int(length)
                    if let child = kind.child(field) {
                        guard depth < nestingLimit else {
                            throw SEUError(.invalidModel, "messages nest more than \(nestingLimit) levels deep (graphs inside graph attributes, or types inside types); refusing to decode")
                        }
                        pending.append((offset..<end, child, depth + 1))
                    }
                    offset = end
                default: return  // groups (unused by ONNX) or garbage
                }
            }
        }
    }

    private static func varint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int, end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end && shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
