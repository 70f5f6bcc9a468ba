/// One bit of one stored element: the unit of a single-event upset.
public struct FaultSite: Hashable, Sendable, CustomStringConvertible {
    /// Initializer name.
    public var tensor: String
    /// Flat element index, row-major.
    public var index: Int
    /// Bit position, 0 = most significant (sign).
    public var bit: Int

    public init(tensor: String, index: Int, bit: Int) {
        self.tensor = tensor
        self.index = index
        self.bit = bit
    }

    /// `tensor[index]:bit`, the syntax `seu-onnx flip --fault` reads.
    public var description: String { "\(tensor)[\(index)]:\(bit)" }
}

/// A fault: one or more bits flipped at once (a single-event upset has one site; multi-bit
/// campaigns and threat-model scenarios have several).
public struct Fault: Hashable, Sendable, CustomStringConvertible {
    public var sites: [FaultSite]

    public init(_ sites: [FaultSite]) { self.sites = sites }
    public init(_ site: FaultSite) { self.sites = [site] }

    public var description: String { sites.map(\.description).joined(separator: ";") }
}
