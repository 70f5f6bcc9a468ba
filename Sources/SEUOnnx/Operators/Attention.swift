import Foundation

/// Attention (opset 23; `nonpad_kv_seqlen` from 24): softmax(scale · Q·Kᵀ (softcapped) + bias)·V
/// per batch and query head, as PyTorch's dynamo exporter writes `scaled_dot_product_attention`
/// at opset 23 and later.
///
/// Conventions (ONNX's reference implementation): Q is [batch, q_heads, q_seq, head] or, 3-D,
/// [batch, q_seq, q_heads·head] with `q_num_heads`/`kv_num_heads` attributes; K and V likewise
/// with kv_heads (grouped-query attention: query head h reads kv head h / (q_heads/kv_heads)).
/// `past_key`/`past_value` are prepended along the sequence (outputs 1 and 2 return the
/// concatenation). The bias adds: `attn_mask` (bool: false → −∞; float: added; broadcast over
/// batch and heads, padded with −∞ up to the total sequence), `is_causal` (key j is hidden from
/// query i when j > i + offset, offset = past length, or nonpad_kv_seqlen[b] − q_seq without a
/// past), and keys at or past `nonpad_kv_seqlen[b]` hidden. Softcap (c·tanh(x/c)) comes before
/// the bias. A row whose every key is hidden gets probabilities 0 (output 0), not NaN; a NaN
/// score makes its row NaN. Output 3 (`qk_matmul_output_mode`): 0 and 1 the scaled
/// (softcapped) scores, 2 with the bias added, 3 the probabilities. Computed in float32
/// (16-bit models through the float32 adapter); `softmax_precision` is therefore always met.
enum AttentionOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Attention", since: 23) { context in
            let shape = try AttentionShape(context)
            let outputs = min(max(context.node.outputs.count, 1), 4)
            let types = [ValueType(.float, shape.outputShape),
                         ValueType(.float, [shape.batch, shape.kvHeads, shape.total, shape.head]),
                         ValueType(.float, [shape.batch, shape.kvHeads, shape.total, shape.vHead]),
                         ValueType(.float, [shape.batch, shape.qHeads, shape.qSeq, shape.total])]
            try WindowLimits.check(context.node, elements: [shape.batch * shape.qHeads, shape.qSeq, shape.total], what: "attention scores")
            return KernelBuild(kernel: AttentionKernel(shape), outputTypes: Array(types[..<outputs]))
        })
    }
}

/// Sizes and options of one Attention node, checked at plan time.
struct AttentionShape {
    var batch = 0, qHeads = 0, kvHeads = 0, qSeq = 0, kvSeq = 0, past = 0, head = 0, vHead = 0
    var threeD = false
    var scale: Float = 1, softcap: Float = 0, causal = false, outputMode = 0
    /// The mask's sizes right-aligned to [batch, q_heads, q_seq, length] (1 = broadcast), its
    /// last-axis length (≤ total) and whether it is bool; nil without a mask.
    var mask: (sizes: [Int], boolean: Bool)?
    var hasPast = false, hasNonpad = false

    var total: Int { past + kvSeq }
    var outputShape: [Int] { threeD ? [batch, qSeq, qHeads * vHead] : [batch, qHeads, qSeq, vHead] }

    init(_ context: NodeContext) throws {
        let node = context.node
        let q = try context.expect(0, [.float]), k = try context.expect(1, [.float]), v = try context.expect(2, [.float])
        guard [3, 4].contains(q.rank), k.rank == q.rank, v.rank == q.rank, k.shape[0] == q.shape[0], v.shape[0] == q.shape[0] else {
            throw context.error("Q \(q.shape), K \(k.shape), V \(v.shape) must all be 3-D or 4-D with one batch size", kind: .shapeMismatch)
        }
        batch = q.shape[0]
        threeD = q.rank == 3
        if threeD {
            guard let qh = try node.int("q_num_heads"), let kvh = try node.int("kv_num_heads"), qh > 0, kvh > 0,
                  q.shape[2] % qh == 0, k.shape[2] % kvh == 0, v.shape[2] % kvh == 0 else {
                throw context.error("3-D inputs need q_num_heads and kv_num_heads dividing the hidden sizes", attribute: "q_num_heads")
            }
            qHeads = qh; kvHeads = kvh
            qSeq = q.shape[1]; kvSeq = k.shape[1]
            head = q.shape[2] / qh
            guard k.shape[2] / kvh == head, v.shape[1] == kvSeq else {
                throw context.error("K \(k.shape) and V \(v.shape) do not fit Q \(q.shape)", kind: .shapeMismatch)
            }
            vHead = v.shape[2] / kvh
        } else {
            qHeads = q.shape[1]; kvHeads = k.shape[1]
            qSeq = q.shape[2]; kvSeq = k.shape[2]; head = q.shape[3]; vHead = v.shape[3]
            guard k.shape[3] == head, v.shape[1] == kvHeads, v.shape[2] == kvSeq else {
                throw context.error("K \(k.shape) and V \(v.shape) do not fit Q \(q.shape)", kind: .shapeMismatch)
            }
        }
        guard kvHeads > 0, qHeads % kvHeads == 0 else {
            throw context.error("\(qHeads) query heads are not a multiple of \(kvHeads) key/value heads", kind: .shapeMismatch)
        }
        if context.hasInput(4) || context.hasInput(5) {
            let pk = try context.expect(4, [.float]), pv = try context.expect(5, [.float])
            guard pk.shape.count == 4, pk.shape == [batch, kvHeads, pk.shape[2], head], pv.shape == [batch, kvHeads, pk.shape[2], vHead] else {
                throw context.error("past_key \(pk.shape) / past_value \(pv.shape) do not fit K and V", kind: .shapeMismatch)
            }
            past = pk.shape[2]
            hasPast = true
        }
        if context.hasInput(3) {
            let m = try context.expect(3, [.float, .bool])
            let sizes = Array(repeating: 1, count: max(0, 4 - m.rank)) + m.shape
            let full = [batch, qHeads, qSeq]
            guard m.rank >= 1, m.rank <= 4, (0..<3).allSatisfy({ sizes[$0] == 1 || sizes[$0] == full[$0] }), sizes[3] <= total else {
                throw context.error("attn_mask \(m.shape) does not broadcast to [\(batch), \(qHeads), \(qSeq), \(total)]", kind: .shapeMismatch)
            }
            mask = (sizes, m.dataType == .bool)
        }
        if context.hasInput(6) {
            let n = try context.expect(6, [.int64])
            guard n.shape == [batch] else { throw context.error("nonpad_kv_seqlen \(n.shape) should be [\(batch)]", kind: .shapeMismatch) }
            hasNonpad = true
        }
        scale = try node.float("scale") ?? 1 / Float(head).squareRoot()
        softcap = try node.float("softcap", default: 0)
        causal = try node.int("is_causal", default: 0) != 0
        outputMode = try node.int("qk_matmul_output_mode", default: 0)
        guard (0...3).contains(outputMode) else {
            throw context.error("qk_matmul_output_mode \(outputMode) is not 0-3", attribute: "qk_matmul_output_mode")
        }
    }
}
