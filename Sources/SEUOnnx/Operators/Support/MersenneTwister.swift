/// MT19937 seeded and sampled exactly as NumPy's legacy `np.random.seed(n)` /
/// `np.random.uniform()`, so that seeded training-mode Dropout reproduces ONNX's reference
/// masks bit for bit (and so that a seeded run is repeatable).
struct MersenneTwister {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// NumPy's `mt19937_seed` (Matsumoto–Nishimura `init_genrand`).
    init(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            let previous = state[i - 1]
            state[i] = 1812433253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
    }

    mutating func next32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// A double in [0, 1) with 53 random bits (`genrand_res53`, NumPy's `random_sample`).
    mutating func nextDouble() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67108864.0 + b) / 9007199254740992.0
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            var next = state[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { next ^= 0x9908_B0DF }
            state[i] = next
        }
        index = 0
    }
}
