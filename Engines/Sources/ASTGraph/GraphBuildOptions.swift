/// What a graph keeps of a syntax tree.
public struct GraphBuildOptions: Sendable, Equatable, Codable {
    /// Keep token nodes (the leaves). Without them a graph has about half the nodes.
    public var includeTokens: Bool
    /// Keep token text (needs `includeTokens`). Off, tokens keep their kind and range only.
    public var includeTokenText: Bool
    /// Drop syntax collection nodes (`codeBlockItemList`, `memberBlockItemList`, ...) and hang
    /// their elements on the collection's parent.
    public var collapseCollections: Bool
    /// Keep `next` edges (each node to its next sibling). They follow from `child` edges, which
    /// come in source order; off, a graph has about 40 % fewer edges.
    public var includeNextEdges: Bool
    /// Files larger than this many bytes fail with `over size limit` instead of being parsed.
    public var maximumFileBytes: Int

    /// The default keeps everything and accepts files up to 16 MiB.
    public init(
        includeTokens: Bool = true, includeTokenText: Bool = true, collapseCollections: Bool = false,
        includeNextEdges: Bool = true, maximumFileBytes: Int = 16 << 20
    ) {
        self.includeTokens = includeTokens
        self.includeTokenText = includeTokenText && includeTokens
        self.collapseCollections = collapseCollections
        self.includeNextEdges = includeNextEdges
        self.maximumFileBytes = maximumFileBytes
    }
}
