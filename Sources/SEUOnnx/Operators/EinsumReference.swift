/// Einsum by its definition: every combination of every label's index, the product of the
/// operands' elements there, summed into the output element (size-1 axes broadcast). Slow;
/// the reference the planned kernel (`EinsumPlan`) is tested against. Accumulates in Double.
enum EinsumReference {
    static func run(_ equation: EinsumEquation, _ operands: [[Float]], shapes: [[Int]]) -> [Float] {
        let labels = Array(Set(equation.operands.flatMap { $0 } + equation.output)).sorted()
        let sizes = labels.map { equation.sizes[$0] ?? 1 }
        let outputShape = equation.outputShape
        var output = [Double](repeating: 0, count: outputShape.reduce(1, *))
        guard !sizes.contains(0) else { return output.map(Float.init) }
        let position = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        func offset(_ axisLabels: [Int], _ shape: [Int], _ index: [Int]) -> Int {
            var result = 0
            for (label, size) in zip(axisLabels, shape) {
                result = result * size + (size == 1 ? 0 : index[position[label] ?? 0])
            }
            return result
        }
        var index = [Int](repeating: 0, count: labels.count)
        let total = sizes.reduce(1, *)
        for _ in 0..<total {
            var product = 1.0
            for (i, operand) in operands.enumerated() {
                product *= Double(operand[offset(equation.operands[i], shapes[i], index)])
            }
            output[offset(equation.output, outputShape, index)] += product
            var axis = labels.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < sizes[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return output.map(Float.init)
    }
}
