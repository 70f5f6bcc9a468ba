/// Runs a data set through a session in fixed-size batches, as campaigns do, so that `run`
/// and `inject` compute every sample with the same plans (and get bit-identical outputs).
public enum BatchedInference {
    /// Outputs of the model on every sample, each output concatenated along axis 0.
    public static func run(session: InferenceSession, data: CampaignData, batchSize: Int) throws -> [Tensor] {
        var pieces: [[Tensor]] = []
        for range in data.batchRanges(size: batchSize) {
            let feeds = data.batch(range)
            try session.validate(feeds)
            let plan = try session.plan(for: feeds.map { ValueType($0.dataType, $0.shape) })
            pieces.append(try plan.run(feeds).map { $0.copy() })
        }
        guard let first = pieces.first else { return [] }
        return try first.indices.map { j in
            let parts = pieces.map { $0[j] }
            guard parts.allSatisfy({ $0.rank >= 1 }) else {
                throw SEUError(.shapeMismatch, "output \(j) has no batch axis; cannot concatenate batches")
            }
            var shape = parts[0].shape
            shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
            let result = Tensor(dataType: parts[0].dataType, shape: shape)
            var offset = 0
            for part in parts {
                (result.storage.bytes + offset).copyMemory(from: part.storage.bytes, byteCount: part.byteCount)
                offset += part.byteCount
            }
            return result
        }
    }

    /// Top-1 and top-5 hits of `output` (rows = samples) against integer labels; throws when
    /// the labels do not fit the output (count, or a class index out of range).
    public static func hits(output raw: Tensor, labels: [Int]) throws -> (top1: Int, top5: Int) {
        let output = raw.convertedToFloat()
        let rows = output.rank >= 1 ? output.shape[0] : 0
        guard rows > 0, rows == labels.count else {
            throw SEUError(.shapeMismatch, "\(labels.count) labels for an output of shape \(output.shape)", location: .init(argument: "--labels"))
        }
        let classes = output.count / rows
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw SEUError(.invalidArray, "label \(bad) is \(labels[bad]) but the model's output has \(classes) classes", location: .init(argument: "--labels"))
        }
        var top1 = 0, top5 = 0
        for (row, label) in labels.enumerated() {
            let line = output.floats + row * classes
            if Classification.argmax(line, count: classes) == label { top1 += 1 }
            if Classification.rank(of: label, in: line, count: classes) < 5 { top5 += 1 }
        }
        return (top1, top5)
    }
}
