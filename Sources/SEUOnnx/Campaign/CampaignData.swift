/// The inputs (and optional labels) a campaign evaluates, split into batches along the first
/// axis.
public struct CampaignData {
    /// One tensor per model input, each with the samples along axis 0.
    public let inputs: [Tensor]
    /// int64 class labels, one per sample (nil: compare against the fault-free run).
    public let labels: [Int]?
    public let sampleCount: Int

    public init(inputs: [Tensor], labels: Tensor?) throws {
        guard let first = inputs.first else { throw SEUError(.invalidArgument, "no input data") }
        guard first.rank >= 1 else {
            throw SEUError(.shapeMismatch, "input data must have a sample axis (got a scalar)")
        }
        sampleCount = first.shape[0]
        guard sampleCount > 0 else {
            throw SEUError(.invalidArray, "the input data has no samples (shape \(first.shape))", location: .init(argument: "--input"))
        }
        for input in inputs where input.rank < 1 || input.shape[0] != sampleCount {
            throw SEUError(.shapeMismatch, "all inputs must have \(sampleCount) samples along axis 0 (got \(input.shape))")
        }
        self.inputs = inputs
        if let labels {
            guard labels.dataType.isInteger else {
                throw SEUError(.invalidArray, "labels must be integers (int64), got \(labels.dataType)", location: .init(argument: "--labels"))
            }
            guard labels.count == sampleCount else {
                throw SEUError(.shapeMismatch, "\(labels.count) labels for \(sampleCount) input samples", location: .init(argument: "--labels"))
            }
            let values = labels.intValues()
            if let bad = values.firstIndex(where: { $0 < 0 }) {
                throw SEUError(.invalidArray, "label \(bad) is \(values[bad]); class labels are indices from 0", location: .init(argument: "--labels"))
            }
            self.labels = values
        } else {
            self.labels = nil
        }
    }

    /// Samples `range` of every input, as new tensors.
    public func batch(_ range: Range<Int>) -> [Tensor] {
        inputs.map { input in
            let perSample = input.count / max(sampleCount, 1)
            var shape = input.shape
            shape[0] = range.count
            let batch = Tensor(dataType: input.dataType, shape: shape)
            let width = input.dataType.byteWidth
            batch.storage.bytes.copyMemory(from: input.storage.bytes + range.lowerBound * perSample * width,
                                           byteCount: range.count * perSample * width)
            return batch
        }
    }

    /// Batch ranges of at most `size` samples.
    public func batchRanges(size: Int) -> [Range<Int>] {
        let size = max(1, size)
        return stride(from: 0, to: sampleCount, by: size).map { $0..<min($0 + size, sampleCount) }
    }
}
