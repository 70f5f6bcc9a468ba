/// RNN, GRU and LSTM (one layer, ONNX semantics, every opset version).
///
/// Inputs: X, W, R, B, sequence_lens, initial_h (LSTM also initial_c, P). Outputs: Y (all
/// hidden states), Y_h (last hidden state), LSTM also Y_c (last cell state); any may be
/// omitted. Shapes with `layout` 0 (default; the attribute exists from opset 14):
/// X [seq, batch, input], Y [seq, dirs, batch, hidden], Y_h/Y_c/initial states
/// [dirs, batch, hidden]; with `layout` 1: X [batch, seq, input], Y [batch, seq, dirs, hidden],
/// states [batch, dirs, hidden]. Gate order in W/R/B: LSTM i,o,f,c; GRU z,r,h; RNN one gate.
///
/// Computation is float32 (float16/bfloat16 models go through the planner's float32 adapter);
/// the input projection of the whole sequence is one sgemm per direction.
enum RecurrentOperators {
    static func register(in registry: OperatorRegistry) {
        for cell in [RecurrentCell.rnn, .gru, .lstm] {
            registry.register(OperatorSpec(cell.opType) { context in try build(cell, context) })
        }
    }

    static func build(_ cell: RecurrentCell, _ context: NodeContext) throws -> KernelBuild {
        let node = context.node
        let x = try context.expect(0, [.float])
        let w = try context.expect(1, [.float]), r = try context.expect(2, [.float])
        let layout = context.opset >= 14 ? try node.int("layout", default: 0) : 0
        guard layout == 0 || layout == 1 else { throw context.error("layout must be 0 or 1", attribute: "layout") }
        let direction = try node.string("direction", default: "forward")
        let directions: Int
        switch direction {
        case "forward", "reverse": directions = 1
        case "bidirectional": directions = 2
        default: throw context.error("unknown direction '\(direction)'", attribute: "direction")
        }
        guard x.rank == 3, w.rank == 3, r.rank == 3 else {
            throw context.error("X, W and R must have rank 3 (got \(x.shape), \(w.shape), \(r.shape))", kind: .shapeMismatch)
        }
        let gates = cell.gateCount
        let hidden = try node.int("hidden_size") ?? r.shape[2]
        let seq = layout == 0 ? x.shape[0] : x.shape[1]
        let batch = layout == 0 ? x.shape[1] : x.shape[0]
        let input = x.shape[2]
        guard hidden > 0, hidden == r.shape[2] else {
            throw context.error("hidden_size \(hidden) does not match R \(r.shape)", kind: .shapeMismatch)
        }
        guard w.shape == [directions, gates * hidden, input], r.shape == [directions, gates * hidden, hidden] else {
            throw context.error("W \(w.shape) / R \(r.shape) do not match \(directions) direction(s), \(gates) gate(s), hidden \(hidden), input \(input)", kind: .shapeMismatch)
        }
        let stateShape = layout == 0 ? [directions, batch, hidden] : [batch, directions, hidden]
        func check(_ i: Int, _ shape: [Int], _ name: String, _ type: DataType = .float) throws {
            guard context.hasInput(i) else { return }
            let t = try context.type(i)
            guard t.dataType == type, t.shape == shape else {
                throw context.error("\(name) should be \(type)\(shape), got \(t)", kind: .shapeMismatch)
            }
        }
        try check(3, [directions, 2 * gates * hidden], "B")
        try check(4, [batch], "sequence_lens", .int32)
        try check(5, stateShape, "initial_h")
        if cell == .lstm {
            try check(6, stateShape, "initial_c")
            try check(7, [directions, 3 * hidden], "P")
        }
        let perDirection = cell.defaultActivations.count
        var names = try node.strings("activations") ?? []
        if names.isEmpty { names = cell.defaultActivations + (directions == 2 ? cell.defaultActivations : []) }
        if names.count == perDirection && directions == 2 { names += names }
        guard names.count == perDirection * directions else {
            throw context.error("activations must list \(perDirection * directions) functions, got \(names.count)", attribute: "activations")
        }
        let activations = try RecurrentActivation.parse(names, alphas: try node.floats("activation_alpha") ?? [],
                                                        betas: try node.floats("activation_beta") ?? [], node: node)
        let clip = try node.float("clip")
        if let clip, !(clip > 0) { throw context.error("clip must be positive", attribute: "clip") }
        let linearBeforeReset = try cell == .gru && node.int("linear_before_reset", default: 0) != 0
        let inputForget = try cell == .lstm && node.int("input_forget", default: 0) != 0
        let config = RecurrentConfig(
            cell: cell, seq: seq, batch: batch, input: input, hidden: hidden, directions: directions,
            reverseOnly: direction == "reverse", layout: layout,
            activations: (0..<directions).map { Array(activations[($0 * perDirection)..<(($0 + 1) * perDirection)]) },
            clip: clip,
            linearBeforeReset: linearBeforeReset, inputForget: inputForget)
        let yShape = layout == 0 ? [seq, directions, batch, hidden] : [batch, seq, directions, hidden]
        var types = [ValueType(.float, yShape), ValueType(.float, stateShape)]
        if cell == .lstm { types.append(ValueType(.float, stateShape)) }
        let outputCount = min(max(node.outputs.count, 1), types.count)
        return KernelBuild(kernel: RecurrentKernel(config), outputTypes: Array(types[..<outputCount]))
    }
}

/// The three recurrent cell types.
enum RecurrentCell {
    case rnn, gru, lstm

    var opType: String {
        switch self {
        case .rnn: return "RNN"
        case .gru: return "GRU"
        case .lstm: return "LSTM"
        }
    }

    var gateCount: Int {
        switch self {
        case .rnn: return 1
        case .gru: return 3
        case .lstm: return 4
        }
    }

    /// f (and g, h) per direction when `activations` is absent.
    var defaultActivations: [String] {
        switch self {
        case .rnn: return ["Tanh"]
        case .gru: return ["Sigmoid", "Tanh"]
        case .lstm: return ["Sigmoid", "Tanh", "Tanh"]
        }
    }
}

/// Everything a recurrent kernel needs, resolved at plan time.
struct RecurrentConfig {
    let cell: RecurrentCell
    let seq: Int, batch: Int, input: Int, hidden: Int, directions: Int
    /// direction == "reverse" (one direction, processed backwards).
    let reverseOnly: Bool
    let layout: Int
    /// Activation functions per direction (f; f, g; or f, g, h).
    let activations: [[RecurrentActivation]]
    let clip: Float?
    let linearBeforeReset: Bool
    let inputForget: Bool

    var gates: Int { cell.gateCount }
}
