/// The per-step gate arithmetic of RNN, GRU and LSTM for one batch entry.
///
/// `gates` is the entry's projection row (X·Wᵀ plus folded biases, gate blocks of `hidden`
/// values) and is overwritten; `fromState` is the entry's row of H·Rᵀ. The new hidden state
/// goes to `h` (and `c` for LSTM). Clipping applies to every activation input except h(C).
extension RecurrentKernel {
    /// Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb).
    func rnnStep(_ b: Int, _ gates: UnsafeMutablePointer<Float>, _ fromState: UnsafeMutablePointer<Float>,
                 _ acts: [RecurrentActivation]) {
        let hidden = config.hidden
        for j in 0..<hidden { gates[j] += fromState[j] }
        acts[0].apply(gates, hidden, clip: config.clip)
        (h + b * hidden).update(from: gates, count: hidden)
    }

    /// GRU without linear_before_reset, first half of a step: r = f(...) for every active
    /// entry (in place in its projection row), then (r ⊙ Ht-1)·Rhᵀ for the whole batch.
    func gruResetProduct(step: Int, backward: Bool, rh: UnsafePointer<Float>, acts: [RecurrentActivation]) {
        let hidden = config.hidden, width = config.gates * hidden
        for b in 0..<config.batch {
            let target = resetHidden + b * hidden
            guard let (row, _) = self.row(b, step: step, backward: backward) else {
                target.update(repeating: 0, count: hidden)
                continue
            }
            let r = projection + row * width + hidden, fromState = recurrent + b * width + hidden
            for j in 0..<hidden { r[j] += fromState[j] }
            acts[0].apply(r, hidden, clip: config.clip)
            for j in 0..<hidden { target[j] = r[j] * h[b * hidden + j] }
        }
        BLAS.sgemm(transposeB: true, m: config.batch, n: hidden, k: hidden,
                   a: resetHidden, lda: hidden, b: rh, ldb: hidden, c: resetProduct, ldc: hidden)
    }

    /// z = f(Xz + Hz), r = f(Xr + Hr),
    /// ĥ = g(Xh + (r ⊙ Ht-1)·Rhᵀ + Rbh)      (linear_before_reset = 0; Rbh already folded)
    /// ĥ = g(Xh + r ⊙ (Ht-1·Rhᵀ + Rbh))      (linear_before_reset ≠ 0),
    /// Ht = (1 - z) ⊙ ĥ + z ⊙ Ht-1.
    func gruStep(_ b: Int, _ gates: UnsafeMutablePointer<Float>, _ fromState: UnsafeMutablePointer<Float>,
                 _ recurrentHiddenBias: UnsafeMutablePointer<Float>?, _ acts: [RecurrentActivation]) {
        let hidden = config.hidden
        let z = gates, r = gates + hidden, candidate = gates + 2 * hidden
        for j in 0..<hidden { z[j] += fromState[j] }
        acts[0].apply(z, hidden, clip: config.clip)
        if config.linearBeforeReset {
            for j in 0..<hidden { r[j] += fromState[hidden + j] }
            acts[0].apply(r, hidden, clip: config.clip)
            for j in 0..<hidden {
                let linear = fromState[2 * hidden + j] + (recurrentHiddenBias?[j] ?? 0)
                candidate[j] += r[j] * linear
            }
        } else {
            // r was activated by gruResetProduct.
            let product = resetProduct + b * hidden
            for j in 0..<hidden { candidate[j] += product[j] }
        }
        acts[1].apply(candidate, hidden, clip: config.clip)
        let state = h + b * hidden
        for j in 0..<hidden { state[j] = (1 - z[j]) * candidate[j] + z[j] * state[j] }
    }

    /// i = f(Xi + Hi + Pi ⊙ Ct-1), f = f(Xf + Hf + Pf ⊙ Ct-1) (or 1 - i with input_forget),
    /// ĉ = g(Xc + Hc), Ct = f ⊙ Ct-1 + i ⊙ ĉ, o = f(Xo + Ho + Po ⊙ Ct), Ht = o ⊙ h(Ct).
    /// Gate blocks in ONNX order i, o, f, c; peepholes in order i, o, f.
    func lstmStep(_ b: Int, _ gates: UnsafeMutablePointer<Float>, _ fromState: UnsafeMutablePointer<Float>,
                  _ peepholes: UnsafeMutablePointer<Float>?, _ acts: [RecurrentActivation]) {
        let hidden = config.hidden
        let i = gates, o = gates + hidden, f = gates + 2 * hidden, candidate = gates + 3 * hidden
        let cell = c + b * hidden, state = h + b * hidden
        for j in 0..<(4 * hidden) { gates[j] += fromState[j] }
        if let p = peepholes {
            for j in 0..<hidden {
                i[j] += p[j] * cell[j]
                f[j] += p[2 * hidden + j] * cell[j]
            }
        }
        acts[0].apply(i, hidden, clip: config.clip)
        if config.inputForget {
            for j in 0..<hidden { f[j] = 1 - i[j] }
        } else {
            acts[0].apply(f, hidden, clip: config.clip)
        }
        acts[1].apply(candidate, hidden, clip: config.clip)
        for j in 0..<hidden { cell[j] = f[j] * cell[j] + i[j] * candidate[j] }
        if let p = peepholes {
            for j in 0..<hidden { o[j] += p[hidden + j] * cell[j] }
        }
        acts[0].apply(o, hidden, clip: config.clip)
        scratch.update(from: cell, count: hidden)
        acts[2].apply(scratch, hidden, clip: nil)
        for j in 0..<hidden { state[j] = o[j] * scratch[j] }
    }
}
