/// Graph rewrites applied before planning.
enum GraphPreparation {
    /// The graph a session executes for `model`.
    static func prepare(_ model: Model) throws -> Graph {
        model.graph
    }
}
