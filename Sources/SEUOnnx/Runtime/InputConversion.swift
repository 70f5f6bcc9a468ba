/// Feeding float data to a model that declares another float type.
extension InferenceSession {
    /// `tensors` (one per input, in order) with every floating-point tensor converted to the
    /// floating-point type its input declares, rounding to nearest with ties to even — e.g.
    /// float32 images for a model exported with `.half()` (float16 input) or in bfloat16,
    /// which NumPy files cannot hold. Other tensors are returned unchanged.
    public func convertingFloatInputs(_ tensors: [Tensor]) throws -> [Tensor] {
        try tensors.enumerated().map { index, tensor in
            guard index < inputs.count, let declared = inputs[index].type?.dataType,
                  declared.isFloatingPoint, tensor.dataType.isFloatingPoint, declared != tensor.dataType else { return tensor }
            return try tensor.converted(to: declared)
        }
    }
}
