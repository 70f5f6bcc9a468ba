import Foundation

/// Runs one RNN/GRU/LSTM layer (see `RecurrentOperators` for shapes and layouts).
///
/// Per direction: one sgemm projects the whole input sequence (X·Wᵀ, biases added), then each
/// time step does H·Rᵀ with sgemm and the gate arithmetic per batch entry. With
/// `sequence_lens`, entry b runs for its own length L_b: forward reads t = 0..<L_b, reverse
/// reads t = L_b-1 down to 0; Y is zero past L_b and Y_h/Y_c hold the state after the last
/// valid step (zeros when L_b = 0, as onnxruntime). Weights are read from the inputs on every
/// run (fault injection flips them).
final class RecurrentKernel: Kernel {
    let config: RecurrentConfig
    /// Input projections of one direction: [seq·batch, gates·hidden], rows in X's order. Each
    /// row is used by exactly one step, so the gate arithmetic works in place in it.
    let projection: UnsafeMutablePointer<Float>
    /// H·Rᵀ of one step: [batch, gates·hidden].
    let recurrent: UnsafeMutablePointer<Float>
    /// GRU without linear_before_reset: r ⊙ H and (r ⊙ H)·Rhᵀ, [batch, hidden] each.
    let resetHidden: UnsafeMutablePointer<Float>
    let resetProduct: UnsafeMutablePointer<Float>
    /// Hidden and cell state [batch, hidden], and one row of scratch.
    let h: UnsafeMutablePointer<Float>
    let c: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    private var lengths: [Int]
    private let sizes: [Int]

    init(_ config: RecurrentConfig) {
        self.config = config
        let width = config.gates * config.hidden
        sizes = [config.seq * config.batch * width, config.batch * width, config.batch * config.hidden,
                 config.batch * config.hidden, config.batch * config.hidden, config.batch * config.hidden,
                 config.hidden]
        let buffers = sizes.map { size -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(size, 1))
            p.initialize(repeating: 0, count: max(size, 1))
            return p
        }
        projection = buffers[0]; recurrent = buffers[1]; resetHidden = buffers[2]
        resetProduct = buffers[3]; h = buffers[4]; c = buffers[5]; scratch = buffers[6]
        lengths = [Int](repeating: config.seq, count: config.batch)
    }

    deinit {
        for p in [projection, recurrent, resetHidden, resetProduct, h, c, scratch] { p.deallocate() }
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let w = inputs[1], let r = inputs[2] else { return }
        let cfg = config
        if let lens = input(inputs, 4) {
            let p = lens.pointer(as: Int32.self)
            for b in 0..<cfg.batch {
                let value = Int(p[b])
                guard value >= 0 && value <= cfg.seq else {
                    throw SEUError(.execution, "sequence_lens[\(b)] = \(value) outside 0...\(cfg.seq)")
                }
                lengths[b] = value
            }
        } else {
            for b in 0..<cfg.batch { lengths[b] = cfg.seq }
        }
        // Y is zero where a sequence has ended (buffers are reused between runs).
        if let y = outputs.first { y.storage.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: y.byteCount) }
        for direction in 0..<cfg.directions {
            runDirection(direction, x: x, w: w, r: r, bias: input(inputs, 3),
                         initialH: input(inputs, 5), initialC: input(inputs, 6), peepholes: input(inputs, 7),
                         outputs: outputs)
        }
    }

    private func input(_ inputs: [Tensor?], _ i: Int) -> Tensor? { i < inputs.count ? inputs[i] : nil }

    /// The projection row entry b reads at `step`, or nil once its sequence has ended.
    @inline(__always)
    func row(_ b: Int, step: Int, backward: Bool) -> (row: Int, t: Int)? {
        guard step < lengths[b] else { return nil }
        let t = backward ? lengths[b] - 1 - step : step
        return (config.layout == 0 ? t * config.batch + b : b * config.seq + t, t)
    }

    private func runDirection(_ direction: Int, x: Tensor, w: Tensor, r: Tensor, bias: Tensor?,
                              initialH: Tensor?, initialC: Tensor?, peepholes: Tensor?, outputs: [Tensor]) {
        let cfg = config
        let hidden = cfg.hidden, batch = cfg.batch, seq = cfg.seq
        let width = cfg.gates * hidden
        let backward = cfg.reverseOnly || direction == 1
        let rd = r.floats + direction * width * hidden
        let wb = bias.map { $0.floats + direction * 2 * width }
        let rb = wb.map { $0 + width }
        let acts = cfg.activations[direction]
        let gruReset = cfg.cell == .gru && !cfg.linearBeforeReset
        guard batch > 0 else { return }

        let rows = seq * batch
        if rows > 0 {
            if cfg.input > 0 {
                BLAS.sgemm(transposeB: true, m: rows, n: width, k: cfg.input,
                           a: x.floats, lda: cfg.input, b: w.floats + direction * width * cfg.input, ldb: cfg.input,
                           c: projection, ldc: width)
            } else {
                projection.update(repeating: 0, count: rows * width)
            }
        }
        // Fold the biases that are plain additions: all of Wb, and Rb except GRU's hidden-gate
        // Rb under linear_before_reset (there it is multiplied by r).
        if let wb, let rb {
            let foldRecurrent = cfg.cell == .gru && cfg.linearBeforeReset ? 2 * hidden : width
            for row in 0..<rows {
                let target = projection + row * width
                for j in 0..<width { target[j] += wb[j] }
                for j in 0..<foldRecurrent { target[j] += rb[j] }
            }
        }
        loadState(h, from: initialH, direction: direction)
        if cfg.cell == .lstm { loadState(c, from: initialC, direction: direction) }
        let peep = peepholes.map { $0.floats + direction * 3 * hidden }
        let y = outputs.first

        for step in 0..<seq {
            // H·Rᵀ for the whole batch (rows of finished sequences are computed and ignored).
            // GRU without linear_before_reset needs only the z and r columns here.
            BLAS.sgemm(transposeB: true, m: batch, n: gruReset ? 2 * hidden : width, k: hidden,
                       a: h, lda: hidden, b: rd, ldb: hidden, c: recurrent, ldc: width)
            if gruReset { gruResetProduct(step: step, backward: backward, rh: rd + 2 * hidden * hidden, acts: acts) }
            for b in 0..<batch {
                guard let (row, t) = self.row(b, step: step, backward: backward) else { continue }
                let gates = projection + row * width, fromState = recurrent + b * width
                switch cfg.cell {
                case .rnn: rnnStep(b, gates, fromState, acts)
                case .gru: gruStep(b, gates, fromState, rb.map { $0 + 2 * hidden }, acts)
                case .lstm: lstmStep(b, gates, fromState, peep, acts)
                }
                if let y {
                    let offset = cfg.layout == 0 ? ((t * cfg.directions + direction) * batch + b) * hidden
                                                 : ((b * seq + t) * cfg.directions + direction) * hidden
                    (y.floats + offset).update(from: h + b * hidden, count: hidden)
                }
            }
        }
        // An empty sequence has no last state: onnxruntime reports zeros, not the initial state.
        for b in 0..<batch where lengths[b] == 0 {
            (h + b * hidden).update(repeating: 0, count: hidden)
            (c + b * hidden).update(repeating: 0, count: hidden)
        }
        if outputs.count > 1 { storeState(h, into: outputs[1], direction: direction) }
        if outputs.count > 2 { storeState(c, into: outputs[2], direction: direction) }
    }

    /// Copies one direction's slice of an initial state (or zeros) into `state` [batch, hidden].
    private func loadState(_ state: UnsafeMutablePointer<Float>, from tensor: Tensor?, direction: Int) {
        let cfg = config
        guard let tensor else {
            state.update(repeating: 0, count: cfg.batch * cfg.hidden)
            return
        }
        for b in 0..<cfg.batch {
            (state + b * cfg.hidden).update(from: tensor.floats + stateOffset(b, direction), count: cfg.hidden)
        }
    }

    private func storeState(_ state: UnsafeMutablePointer<Float>, into tensor: Tensor, direction: Int) {
        let cfg = config
        for b in 0..<cfg.batch {
            (tensor.floats + stateOffset(b, direction)).update(from: state + b * cfg.hidden, count: cfg.hidden)
        }
    }

    /// Element offset of (direction, b) in a state tensor of the configured layout.
    private func stateOffset(_ b: Int, _ direction: Int) -> Int {
        config.layout == 0 ? (direction * config.batch + b) * config.hidden
                           : (b * config.directions + direction) * config.hidden
    }
}
