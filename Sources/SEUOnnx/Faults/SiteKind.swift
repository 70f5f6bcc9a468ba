/// What a fault-injection target is to the model: recorded with every injection (`site_kind`)
/// so campaigns on quantized models separate faults in the integer weights from faults in
/// their quantization parameters.
public enum SiteKind: String, Sendable, CaseIterable, Comparable {
    /// A weight or bias: floating-point, or the integers of a quantized tensor (two's
    /// complement for signed types, bit 0 = sign).
    case weight
    /// A quantization scale (floating-point).
    case scale
    /// A quantization zero point (integer).
    case zeroPoint = "zero_point"

    public static func < (a: SiteKind, b: SiteKind) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// The role of input `index` of a quantization operator: its quantized data or weight
    /// operands (`weight`), scales and zero points; nil for other inputs and other operators.
    /// DequantizeLinear's input 0 is not listed: it is followed like a conversion to find
    /// whether the dequantized value is a weight.
    public static func role(ofInput index: Int, opType: String) -> SiteKind? {
        switch opType {
        case "QuantizeLinear", "DequantizeLinear":
            return index == 1 ? .scale : index == 2 ? .zeroPoint : nil
        case "QLinearConv", "QLinearMatMul":
            // a/x, scale, zero point, b/w, scale, zero point, y scale, y zero point, bias.
            switch index {
            case 0, 3, 8: return .weight
            case 1, 4, 6: return .scale
            case 2, 5, 7: return .zeroPoint
            default: return nil
            }
        case "ConvInteger", "MatMulInteger":
            return index < 2 ? .weight : index < 4 ? .zeroPoint : nil
        default:
            return nil
        }
    }
}
