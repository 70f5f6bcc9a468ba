import Foundation

/// Runs one Attention node (`AttentionOperators` states the conventions): keys and values with
/// their past gathered once into [batch, kv_heads, total, head] buffers, then per batch and
/// query head one sgemm for the scores, the bias and softmax row by row, one sgemm for the
/// output. Row-major throughout; 3-D Q, K, V and Y are read and written in place through row
/// strides.
final class AttentionKernel: Kernel {
    let shape: AttentionShape
    private let keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>

    init(_ shape: AttentionShape) {
        self.shape = shape
        keys = .allocate(capacity: max(shape.batch * shape.kvHeads * shape.total * shape.head, 1))
        values = .allocate(capacity: max(shape.batch * shape.kvHeads * shape.total * shape.vHead, 1))
        scores = .allocate(capacity: max(shape.qSeq * shape.total, 1))
    }

    deinit {
        keys.deallocate()
        values.deallocate()
        scores.deallocate()
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let q = inputs[0], let k = inputs[1], let v = inputs[2] else { return }
        let s = shape
        let past = inputs.count > 5 ? (inputs[4], inputs[5]) : (nil, nil)
        gather(k.floats, past.0?.floats, into: keys, width: s.head)
        gather(v.floats, past.1?.floats, into: values, width: s.vHead)
        if outputs.count > 1 { outputs[1].floats.update(from: keys, count: s.batch * s.kvHeads * s.total * s.head) }
        if outputs.count > 2 { outputs[2].floats.update(from: values, count: s.batch * s.kvHeads * s.total * s.vHead) }
        let y = outputs[0].floats
        let qk: UnsafeMutablePointer<Float>? = outputs.count > 3 ? outputs[3].floats : nil
        let mask = s.mask == nil ? nil : inputs[3]
        let nonpad = inputs.count > 6 ? inputs[6] : nil
        let repeats = s.qHeads / s.kvHeads
        // Row strides of Q and Y: 3-D tensors interleave the heads within a row.
        let qRow = s.threeD ? s.qHeads * s.head : s.head, yRow = s.threeD ? s.qHeads * s.vHead : s.vHead
        for b in 0..<s.batch {
            let offset: Int
            let visible: Int
            if let nonpad {
                visible = Int(clamping: nonpad.pointer(as: Int64.self)[b])
                offset = s.hasPast ? s.past : visible - s.qSeq
            } else {
                visible = s.total
                offset = s.hasPast ? s.past : 0
            }
            for h in 0..<s.qHeads {
                let kv = (b * s.kvHeads + h / repeats) * s.total
                let qBase = s.threeD ? b * s.qSeq * qRow + h * s.head : (b * s.qHeads + h) * s.qSeq * s.head
                let yBase = s.threeD ? b * s.qSeq * yRow + h * s.vHead : (b * s.qHeads + h) * s.qSeq * s.vHead
                if s.head > 0 && s.total > 0 {
                    BLAS.sgemm(transposeB: true, m: s.qSeq, n: s.total, k: s.head, a: q.floats + qBase, lda: qRow,
                               b: keys + kv * s.head, ldb: s.head, c: scores, ldc: s.total)
                } else {
                    scores.update(repeating: 0, count: s.qSeq * s.total)
                }
                let qkBase = ((b * s.qHeads + h) * s.qSeq) * s.total
                for i in 0..<s.qSeq {
                    let row = scores + i * s.total
                    for j in 0..<s.total {
                        var x = row[j] * s.scale
                        if s.softcap > 0 { x = s.softcap * Foundation.tanh(x / s.softcap) }
                        if let qk, s.outputMode < 2 { qk[qkBase + i * s.total + j] = x }
                        if let mask { x += maskValue(mask, b, h, i, j) }
                        if (s.causal && j > i + offset) || j >= visible { x = -.infinity }
                        if let qk, s.outputMode == 2 { qk[qkBase + i * s.total + j] = x }
                        row[j] = x
                    }
                    Self.softmax(row, count: s.total)
                    if let qk, s.outputMode == 3 { (qk + qkBase + i * s.total).update(from: row, count: s.total) }
                }
                if s.total > 0 && s.vHead > 0 {
                    BLAS.sgemm(m: s.qSeq, n: s.vHead, k: s.total, a: scores, lda: s.total,
                               b: values + kv * s.vHead, ldb: s.vHead, c: y + yBase, ldc: yRow)
                } else {
                    for i in 0..<s.qSeq { (y + yBase + i * yRow).update(repeating: 0, count: s.vHead) }
                }
            }
        }
    }

    /// [batch, kv_heads, total, width] ← past rows then the new ones (4-D, or 3-D with the
    /// heads interleaved in each row).
    private func gather(_ new: UnsafePointer<Float>, _ past: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>, width: Int) {
        let s = shape
        for b in 0..<s.batch {
            for h in 0..<s.kvHeads {
                let base = target + (b * s.kvHeads + h) * s.total * width
                if let past, s.past > 0 {
                    base.update(from: past + (b * s.kvHeads + h) * s.past * width, count: s.past * width)
                }
                for t in 0..<s.kvSeq {
                    let source = s.threeD ? new + (b * s.kvSeq + t) * s.kvHeads * width + h * width
                                          : new + ((b * s.kvHeads + h) * s.kvSeq + t) * width
                    (base + (s.past + t) * width).update(from: source, count: width)
                }
            }
        }
    }

    /// The mask's additive value at (batch, head, query, key): broadcast axes read index 0,
    /// keys past the mask's length are hidden.
    @inline(__always)
    private func maskValue(_ mask: Tensor, _ b: Int, _ h: Int, _ i: Int, _ j: Int) -> Float {
        guard let (sizes, boolean) = shape.mask else { return 0 }
        guard j < sizes[3] else { return -.infinity }
        let index = (((sizes[0] == 1 ? 0 : b) * sizes[1] + (sizes[1] == 1 ? 0 : h)) * sizes[2] + (sizes[2] == 1 ? 0 : i)) * sizes[3] + j
        if boolean { return mask.pointer(as: Bool.self)[index] ? 0 : -.infinity }
        return mask.floats[index]
    }

    /// In place; a row whose every entry is −∞ becomes 0, a NaN makes the row NaN.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        var hasNaN = false
        for j in 0..<count {
            if row[j].isNaN { hasNaN = true }
            maximum = max(maximum, row[j])
        }
        if hasNaN {
            row.update(repeating: .nan, count: count)
            return
        }
        guard maximum > -.infinity else {
            row.update(repeating: 0, count: count)
            return
        }
        var sum: Float = 0
        for j in 0..<count {
            let e = Foundation.exp(row[j] - maximum)
            row[j] = e
            sum += e
        }
        let inverse = 1 / sum
        for j in 0..<count { row[j] *= inverse }
    }
}
