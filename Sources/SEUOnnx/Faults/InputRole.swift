/// What an operator input is to its operator (`Conv` input 1 is its weight, `LSTM` input 2 its
/// recurrence weights R), and whether an initializer in that position is a parameter of the
/// model — a default fault-injection target — or a constant such as an initial state, a shape
/// or the indices of a Gather.
///
/// Role names follow the ONNX operator documentation where it names parameters (`W`, `R`, `B`
/// of the recurrent ops, `scale`, `mean`, `var` of the normalisations) and say `weight` /
/// `bias` where the documentation's letters would mislead (`Conv`'s `B` is a bias).
public enum InputRole {
    /// The role of input `index` of `opType`; nil for operators whose inputs are all data
    /// (Relu, Concat...) or that this table does not know.
    public static func name(ofInput index: Int, opType: String) -> String? {
        guard let names = names[opType] else { return nil }
        if opType == "Einsum" { return "operand \(index)" }
        return index < names.count ? names[index] : nil
    }

    /// Whether an initializer read at input `index` of `opType` is a model parameter: the
    /// weights and biases of layers, normalisation statistics, recurrent W/R/B and peepholes,
    /// embedding tables, PRelu slopes. Elementwise arithmetic operands count only when they
    /// hold more than one element (a bias or per-channel scale, not a scalar constant); the
    /// caller checks that.
    public static func isParameter(input index: Int, opType: String) -> Bool {
        switch opType {
        case "Conv", "ConvTranspose": return index == 1 || index == 2
        case "Gemm": return index <= 2
        case "MatMul", "Einsum": return true
        case "BatchNormalization": return (1...4).contains(index)
        case "InstanceNormalization", "LayerNormalization", "GroupNormalization",
             "SimplifiedLayerNormalization", "RMSNormalization": return index == 1 || index == 2
        // LSTM: X, W, R, B, sequence_lens, initial_h, initial_c, P. Initial states are
        // constants of the export (usually zeros), not learned parameters.
        case "LSTM": return [1, 2, 3, 7].contains(index)
        case "GRU", "RNN": return (1...3).contains(index)
        case "PRelu": return index == 1
        case "Gather": return index == 0
        case "Add", "Sub", "Mul", "Div": return true
        default: return false
        }
    }

    /// Whether `opType` is elementwise arithmetic, whose operands are parameters only when
    /// they are tensors of more than one element.
    public static func isElementwise(_ opType: String) -> Bool {
        ["Add", "Sub", "Mul", "Div"].contains(opType)
    }

    private static let names: [String: [String]] = [
        "Conv": ["input", "weight", "bias"],
        "ConvTranspose": ["input", "weight", "bias"],
        "Gemm": ["A", "weight", "bias"],
        "MatMul": ["A", "weight"],
        "Einsum": [],
        "BatchNormalization": ["input", "scale", "bias", "mean", "var"],
        "InstanceNormalization": ["input", "scale", "bias"],
        "LayerNormalization": ["input", "scale", "bias"],
        "GroupNormalization": ["input", "scale", "bias"],
        "SimplifiedLayerNormalization": ["input", "scale", "bias"],
        "RMSNormalization": ["input", "scale"],
        "LSTM": ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"],
        "GRU": ["X", "W", "R", "B", "sequence_lens", "initial_h"],
        "RNN": ["X", "W", "R", "B", "sequence_lens", "initial_h"],
        "PRelu": ["input", "slope"],
        "Gather": ["table", "indices"],
        // ONNX's Attention (opset 23) reads activations; its weights are the MatMul projections
        // that feed Q, K and V.
        "Attention": ["Q", "K", "V", "attn_mask", "past_key", "past_value", "nonpad_kv_seqlen"],
        "Add": ["bias", "bias"],
        "Sub": ["minuend", "subtrahend"],
        "Mul": ["scale", "scale"],
        "Div": ["dividend", "divisor"],
        // Constants of data-movement and shape ops: never parameters, named so that `info`
        // says what a shape or axes initializer is for.
        "Reshape": ["data", "shape"],
        "Expand": ["input", "shape"],
        "Squeeze": ["data", "axes"],
        "Unsqueeze": ["data", "axes"],
        "Slice": ["data", "starts", "ends", "axes", "steps"],
        "Pad": ["data", "pads", "constant value", "axes"],
        "Tile": ["input", "repeats"],
        "Split": ["input", "split"],
        "Resize": ["X", "roi", "scales", "sizes"],
        "Clip": ["input", "min", "max"],
        "Where": ["condition", "X", "Y"],
        "ScatterND": ["data", "indices", "updates"],
        "ScatterElements": ["data", "indices", "updates"],
        "Pow": ["base", "exponent"],
        "ReduceMean": ["data", "axes"],
        "ReduceSum": ["data", "axes"],
        "ReduceMax": ["data", "axes"],
        "ReduceMin": ["data", "axes"],
        "ReduceProd": ["data", "axes"],
        "ReduceL2": ["data", "axes"],
        "QuantizeLinear": ["x", "scale", "zero point"],
        "DequantizeLinear": ["x", "scale", "zero point"],
        "QLinearConv": ["x", "x scale", "x zero point", "weight", "weight scale", "weight zero point",
                        "y scale", "y zero point", "bias"],
        "QLinearMatMul": ["a", "a scale", "a zero point", "weight", "weight scale", "weight zero point",
                          "y scale", "y zero point"],
        "ConvInteger": ["x", "weight", "x zero point", "weight zero point"],
        "MatMulInteger": ["A", "weight", "A zero point", "weight zero point"],
    ]
}
