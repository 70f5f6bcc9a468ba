/// Plan-time rewrites that change no value a caller or a fault campaign can observe:
///
/// - **Conv/Gemm + Relu fusion**: a Conv or Gemm whose output is read only by one float32 Relu
///   applies the ReLU in its GEMM epilogue and writes the Relu's output; the Relu step goes.
///   The intermediate (pre-ReLU) value is then not kept (`ExecutionPlan.value(named:)` returns an
///   empty tensor for it). ReLU after the epilogue is the same operation on the same float, so
///   results are bit-identical; bias and weights are still read from the initializers each run.
/// - **Aliasing**: Identity, Flatten, Reshape, Squeeze and Unsqueeze of a value computed by an
///   earlier step become a view of that value's buffer (same bytes, new shape) instead of a copy.
enum PlanOptimizer {
    /// Rewrites `steps` (and the output buffers in `values`). `kept` are slots that must stay
    /// observable (graph outputs). Returns the new steps and, for every aliased slot, the slot
    /// whose buffer it views.
    static func optimize(_ steps: [ExecutionPlan.Step], values: inout [Tensor?], kept: Set<Int>,
                         constants: Set<Int>) -> (steps: [ExecutionPlan.Step], aliases: [Int: Int]) {
        var readers: [Int: [Int]] = [:]
        var producer: [Int: Int] = [:]
        for (index, step) in steps.enumerated() {
            for slot in step.inputSlots.compactMap({ $0 }) { readers[slot, default: []].append(index) }
            for slot in step.outputSlots { producer[slot] = index }
        }
        var removed = Set<Int>()
        var result = steps
        // Fusion.
        for (index, step) in steps.enumerated() where step.outputSlots.count == 1 {
            let output = step.outputSlots[0]
            guard !kept.contains(output), let reading = readers[output], reading.count == 1 else { continue }
            let relu = steps[reading[0]]
            guard relu.node.opType == "Relu", relu.outputSlots.count == 1,
                  let activation = relu.kernel as? ActivationKernel, activation.isFloat32Relu else { continue }
            if let conv = step.kernel as? ConvKernel, !conv.fusedRelu {
                conv.fusedRelu = true
            } else if let gemm = step.kernel as? GemmKernel, !gemm.fusedRelu {
                gemm.fusedRelu = true
            } else {
                continue
            }
            result[index] = step.writing(to: relu.outputSlots)
            removed.insert(reading[0])
            // The pre-ReLU buffer is no longer written: release it.
            values[output] = Tensor(dataType: values[output]?.dataType ?? .float, shape: [0])
        }
        // Aliasing.
        var aliases: [Int: Int] = [:]
        for (index, step) in steps.enumerated() where !removed.contains(index) && step.kernel is CopyKernel {
            guard let source = step.inputSlots.first ?? nil, step.outputSlots.count == 1,
                  producer[source] != nil, !constants.contains(source),
                  let input = values[source], let output = values[step.outputSlots[0]],
                  input.byteCount == output.byteCount, input.dataType == output.dataType else { continue }
            values[step.outputSlots[0]] = input.reshaped(output.shape)
            aliases[step.outputSlots[0]] = aliases[source] ?? source
            removed.insert(index)
        }
        let kept = result.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        // Re-resolve every step's tensors from the (possibly replaced) buffers.
        let resolved = kept.map { step in
            step.resolved(inputs: step.inputSlots.map { slot in slot.flatMap { values[$0] } },
                          outputs: step.outputSlots.map { values[$0] ?? Tensor(dataType: .float, shape: [0]) })
        }
        return (resolved, aliases)
    }
}

extension ExecutionPlan.Step {
    /// The same invocation writing `slots` (whose buffers are resolved later).
    func writing(to slots: [Int]) -> ExecutionPlan.Step {
        ExecutionPlan.Step(nodeIndex: nodeIndex, node: node, kernel: kernel, inputSlots: inputSlots,
                           outputSlots: slots, inputs: inputs, outputs: outputs)
    }

    func resolved(inputs: [Tensor?], outputs: [Tensor]) -> ExecutionPlan.Step {
        ExecutionPlan.Step(nodeIndex: nodeIndex, node: node, kernel: kernel, inputSlots: inputSlots,
                           outputSlots: outputSlots, inputs: inputs, outputs: outputs)
    }
}
