import SwiftSyntax

/// The kind of an edge between two nodes of one file's graph.
public enum EdgeKind: UInt8, Sendable, CaseIterable, Comparable {
    /// Parent to child, in source order.
    case child
    /// A node to its next sibling under the same parent.
    case next
    /// The nearest enclosing named declaration (or the file's root) to a declaration inside it.
    case declares
    /// An identifier use to a declaration of that name in the same file (best effort: no types,
    /// no overloads, no other files; see ``GraphBuilder``).
    case references
    /// The file's root to each `import` declaration; the module is that node's `name`.
    case imports

    /// The name used in every export (`child`, `next`, `declares`, `references`, `imports`).
    public var name: String {
        switch self {
        case .child: "child"
        case .next: "next"
        case .declares: "declares"
        case .references: "references"
        case .imports: "imports"
        }
    }

    /// ``name`` as UTF-8, for the byte-level writers.
    var nameBytes: [UInt8] { Self.nameBytesByKind[Int(rawValue)] }
    private static let nameBytesByKind: [[UInt8]] = allCases.map { Array($0.name.utf8) }

    public static func < (lhs: EdgeKind, rhs: EdgeKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One Swift file's AST as a graph, stored as parallel arrays (one entry per node, one per
/// edge) rather than an object per node. Holds no `Syntax` value: the syntax tree is dropped
/// when ``GraphBuilder`` returns.
///
/// Node `i` has the id `"<path>#<i>"`, where `i` is its preorder index among the nodes kept
/// (tokens and collapsed collections that were skipped take no index). Offsets are UTF-8 byte
/// offsets of the node without its leading and trailing trivia; lines and columns are 1-based,
/// columns counted in bytes.
public struct FileGraph: Sendable, Equatable {
    /// The file's path as it was given or found (the prefix of every node id).
    public var path: String
    /// Size of the file in bytes.
    public var byteCount: Int
    /// Whether swift-syntax reported syntax errors (the graph is still built; the parser
    /// recovers and marks missing or unexpected tokens).
    public var hasSyntaxErrors: Bool

    /// swift-syntax's kind of each node.
    public var kinds: [SyntaxKind] = []
    /// Each node's parent index, -1 for the root.
    public var parents: [Int32] = []
    /// Byte range `[start, end)` of each node without trivia.
    public var startOffsets: [UInt32] = []
    public var endOffsets: [UInt32] = []
    /// 1-based line and byte column of each node's start and end.
    public var startLines: [UInt32] = []
    public var startColumns: [UInt32] = []
    public var endLines: [UInt32] = []
    public var endColumns: [UInt32] = []

    /// Declaration names, sparse: `namedNodes[k]` has the name `names[k]`; ascending by node.
    public var namedNodes: [Int32] = []
    public var names: [String] = []

    /// The file's bytes, kept only when token text is wanted (a token's text is the slice
    /// `startOffsets[i]..<endOffsets[i]`, so no copy per token is made).
    public var tokenSource: [UInt8]?

    /// Edges as parallel arrays: kind, source node, target node; in the order they are exported.
    public var edgeKinds: [EdgeKind] = []
    public var edgeSources: [Int32] = []
    public var edgeTargets: [Int32] = []

    /// An empty graph for `path`.
    public init(path: String, byteCount: Int, hasSyntaxErrors: Bool = false) {
        self.path = path
        self.byteCount = byteCount
        self.hasSyntaxErrors = hasSyntaxErrors
    }

    /// The number of nodes.
    public var nodeCount: Int { kinds.count }
    /// The number of edges.
    public var edgeCount: Int { edgeKinds.count }

    /// The stable id of node `index`: file path, `#`, preorder index.
    public func nodeID(_ index: Int) -> String { "\(path)#\(index)" }

    /// Whether node `index` is a token.
    public func isToken(_ index: Int) -> Bool { kinds[index] == .token }

    /// The token's text when node `index` is a token and token text was kept, else nil.
    public func tokenText(_ index: Int) -> String? {
        guard let tokenSource, kinds[index] == .token else { return nil }
        return String(decoding: tokenSource[Int(startOffsets[index])..<Int(endOffsets[index])], as: UTF8.self)
    }

    /// About how many bytes the arrays hold, for the memory governor's accounting.
    public var approximateBytes: Int {
        kinds.count * (MemoryLayout<SyntaxKind>.stride + 4 * 7) + edgeKinds.count * 9
            + names.reduce(0) { $0 + $1.utf8.count + 20 } + (tokenSource?.count ?? 0)
    }
}

/// The swift-syntax kind name of a node kind (`functionDecl`, `token`, ...), as exported.
public func kindName(_ kind: SyntaxKind) -> String { String(describing: kind) }
