import SwiftParser
import SwiftSyntax

/// Turns one file's bytes into a ``FileGraph``: parses with swift-syntax, walks the tree once
/// in preorder, and drops the tree before returning.
///
/// `references` is best effort and stays inside the file: an identifier use (`declReferenceExpr`
/// or `identifierType`) points at a declaration of the same name declared directly in the
/// nearest enclosing scope that has one, else at the first declaration of that name in the
/// file. There is no type checking: overloads, members reached through `.`, shadowing inside
/// one scope and names from other files or modules are not resolved.
///
/// Deep nesting: swift-syntax stops parsing past its nesting limit and marks the tree; such a
/// file fails with `too deeply nested`. Separately, swift-syntax 603.0.1's parse time grows
/// exponentially with a run of directly nested `[` (`[[[[…]]]]`, measured here: 16 levels
/// 2.6 s, 18 levels 16.5 s in a debug build), because at each `[` it looks ahead for a type.
/// Files with more than ``maximumSquareBracketRun`` such brackets in a row fail before parsing.
public struct GraphBuilder: Sendable {
    /// What the graphs keep.
    public var options: GraphBuildOptions

    /// A builder with `options`.
    public init(options: GraphBuildOptions = GraphBuildOptions()) {
        self.options = options
    }

    /// The graph of `source`, the bytes of the file at `path`, or the reason there is none.
    /// `onBuilding` is called between parsing and building.
    public func build(path: String, source: [UInt8], onBuilding: () -> Void = {}) -> Result<
        FileGraph, FileFailureReason
    > {
        let run = Self.longestSquareBracketRun(source)
        if run > Self.maximumSquareBracketRun {
            return .failure(
                .tooDeeplyNested(
                    "\(run) '[' nested directly in a row; more than \(Self.maximumSquareBracketRun) makes swift-syntax's parse time explode"
                ))
        }
        let walker = source.withUnsafeBufferPointer { buffer -> GraphWalker? in
            let tree = Parser.parse(source: buffer)
            if tree.hasMaximumNestingLevelOverflow { return nil }
            onBuilding()
            let walker = GraphWalker(path: path, source: buffer, options: options, hasErrors: tree.hasError)
            walker.walk(tree)
            return walker
        }
        guard let walker else {
            return .failure(
                .tooDeeplyNested("brackets nest deeper than swift-syntax's limit of \(Self.parserNestingLimit) levels"))
        }
        var graph = walker.finish()
        if options.includeTokenText { graph.tokenSource = source }
        return .success(graph)
    }

    /// Reads `path` and builds its graph.
    public func build(path: String, onBuilding: () -> Void = {}) -> Result<FileGraph, FileFailureReason> {
        switch SourceReader.read(path, maximumBytes: options.maximumFileBytes) {
        case .success(let bytes): build(path: path, source: bytes, onBuilding: onBuilding)
        case .failure(let reason): .failure(reason)
        }
    }

    /// The longest run of directly nested `[` accepted (real code rarely passes 4).
    public static let maximumSquareBracketRun = 12

    /// The longest run of `[` separated only by whitespace, anywhere in the file. Comments and
    /// string literals are not skipped: a guess at where they end can be wrong (an unterminated
    /// literal ends at its line, an interpolation is code), and the fuzzer found a file where such
    /// a guess hid a run of 100 `[` that then took swift-syntax's lookahead over 10 s. A literal
    /// holding 13 `[` in a row is refused with the rest; that is rare and fails cleanly.
    static func longestSquareBracketRun(_ source: [UInt8]) -> Int {
        var longest = 0
        var run = 0
        for byte in source {
            if byte == UInt8(ascii: "[") {
                run += 1
                longest = Swift.max(longest, run)
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\t")
                && byte != UInt8(ascii: "\r")
            {
                run = 0
            }
        }
        return longest
    }

    /// swift-syntax's default nesting limit: 256 in a release build of the parser, 20 in a
    /// debug build (whose stack frames are larger).
    static var parserNestingLimit: String {
        #if DEBUG
        "20 (debug build of swift-syntax; 256 in release)"
        #else
        "256"
        #endif
    }
}

/// The preorder walk that fills a graph. Lives only for the duration of one `build` call.
///
/// The walk's state is a struct behind a pointer the walker owns, so its arrays are not
/// subject to the runtime exclusivity checks a class's stored properties get on every access.
/// Tokens come through `visit(_: TokenSyntax)`, so `visitAny` and `visitAnyPost` see only
/// the other nodes and each node's kind is read once.
private final class GraphWalker: SyntaxAnyVisitor {
    private let state: UnsafeMutablePointer<GraphWalkState>

    init(path: String, source: UnsafeBufferPointer<UInt8>, options: GraphBuildOptions, hasErrors: Bool) {
        state = .allocate(capacity: 1)
        state.initialize(
            to: GraphWalkState(
                graph: FileGraph(path: path, byteCount: source.count, hasSyntaxErrors: hasErrors), options: options,
                lines: LineTable(source)))
        super.init(viewMode: .sourceAccurate)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    override func visit(_ token: TokenSyntax) -> SyntaxVisitorContinueKind {
        state.pointee.visitToken(Syntax(token))
        return .skipChildren
    }

    override func visitPost(_ token: TokenSyntax) {}

    override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
        state.pointee.open(node, kind: node.kind)
        return .visitChildren
    }

    override func visitAnyPost(_ node: Syntax) {
        state.pointee.close(node)
    }

    /// Adds the `imports` and `references` edges and hands the graph over.
    func finish() -> FileGraph { state.pointee.finish() }
}

/// What ``GraphWalker`` fills as it goes.
///
/// Positions come from the tokens as the walk reaches them rather than from each node's
/// `positionAfterSkippingLeadingTrivia` / `endPositionBeforeTrailingTrivia`, which for a
/// non-token node look for its first and last token (a descent per node). In a preorder walk
/// of the present tokens (`.sourceAccurate`), a node's start without trivia is that of the
/// first token under it and its end that of the last token under it; a node with no present
/// token (only missing tokens, an empty collection) starts and ends at its `position`, as
/// swift-syntax gives it. Tokens' offsets only grow, so lines and columns come from a cursor.
private struct GraphWalkState {
    var graph: FileGraph
    let options: GraphBuildOptions
    var lines: LineTable
    /// Open nodes that were kept: their index, their last kept child (-1 if none yet) and the
    /// number of tokens seen when they opened.
    var openNodes: [(node: Int32, lastChild: Int32, tokensBefore: Int)] = []
    /// One entry per visited non-token node: whether it was kept (pushed onto `openNodes`).
    var kept: [Bool] = []
    /// Kept nodes opened since the last token: their start is the next token's.
    var awaitingStart: [Int32] = []
    /// Tokens seen so far, and the end (offset, line, column) of the last one.
    var tokensSeen = 0
    var lastEnd: (offset: UInt32, line: UInt32, column: UInt32) = (0, 1, 1)
    /// Kept named declarations that enclose the current node (the `declares` scopes).
    var scopes: [Int32] = []
    var scopeDepths: [Int] = []
    var declarations = DeclarationIndex()

    init(graph: FileGraph, options: GraphBuildOptions, lines: LineTable) {
        self.graph = graph
        self.options = options
        self.lines = lines
    }

    /// A non-token node, on the way down.
    mutating func open(_ node: Syntax, kind: SyntaxKind) {
        if options.collapseCollections && kind.isSyntaxCollection {
            kept.append(false)
            return
        }
        let index = Int32(graph.kinds.count)
        // Start and end are filled in by the tokens (or, with none, in `close`).
        appendNode(kind, start: (0, 0, 0), end: (0, 0, 0))
        link(index)
        recordReferenceOrDeclaration(node, kind: kind, index: index)
        openNodes.append((index, -1, tokensSeen))
        kept.append(true)
        awaitingStart.append(index)
    }

    mutating func visitToken(_ node: Syntax) {
        let startOffset = node.positionAfterSkippingLeadingTrivia.utf8Offset
        let endOffset = max(node.endPositionBeforeTrailingTrivia.utf8Offset, startOffset)
        let (startLine, startColumn) = lines.advance(to: startOffset)
        let (endLine, endColumn) = lines.advance(to: endOffset)
        let start = (UInt32(startOffset), startLine, startColumn)
        let end = (UInt32(endOffset), endLine, endColumn)
        tokensSeen += 1
        if !awaitingStart.isEmpty {
            for node in awaitingStart { setStart(Int(node), start) }
            awaitingStart.removeAll(keepingCapacity: true)
        }
        lastEnd = end
        guard options.includeTokens else { return }
        let index = Int32(graph.kinds.count)
        appendNode(.token, start: start, end: end)
        link(index)
    }

    /// A non-token node, on the way up.
    mutating func close(_ node: Syntax) {
        if scopeDepths.last == kept.count {
            scopes.removeLast()
            scopeDepths.removeLast()
        }
        guard kept.removeLast() else { return }
        let closed = openNodes.removeLast()
        let index = Int(closed.node)
        if closed.tokensBefore == tokensSeen {
            // No present token under it: it is the last one still waiting for a start.
            awaitingStart.removeLast()
            let offset = node.position.utf8Offset
            let (line, column) = lines.advance(to: offset)
            let position = (UInt32(offset), line, column)
            setStart(index, position)
            setEnd(index, position)
        } else if lastEnd.offset >= graph.startOffsets[index] {
            setEnd(index, lastEnd)
        } else {
            setEnd(index, (graph.startOffsets[index], graph.startLines[index], graph.startColumns[index]))
        }
    }

    private mutating func appendNode(_ kind: SyntaxKind, start: (UInt32, UInt32, UInt32), end: (UInt32, UInt32, UInt32))
    {
        graph.kinds.append(kind)
        graph.startOffsets.append(start.0)
        graph.endOffsets.append(end.0)
        graph.startLines.append(start.1)
        graph.startColumns.append(start.2)
        graph.endLines.append(end.1)
        graph.endColumns.append(end.2)
    }

    private mutating func setStart(_ index: Int, _ start: (UInt32, UInt32, UInt32)) {
        graph.startOffsets[index] = start.0
        graph.startLines[index] = start.1
        graph.startColumns[index] = start.2
    }

    private mutating func setEnd(_ index: Int, _ end: (UInt32, UInt32, UInt32)) {
        graph.endOffsets[index] = end.0
        graph.endLines[index] = end.1
        graph.endColumns[index] = end.2
    }

    /// Hangs node `index` on the innermost open node (`child`, and `next` from its previous child).
    private mutating func link(_ index: Int32) {
        if let parent = openNodes.last {
            graph.parents.append(parent.node)
            addEdge(.child, parent.node, index)
            if parent.lastChild >= 0 && options.includeNextEdges { addEdge(.next, parent.lastChild, index) }
            openNodes[openNodes.count - 1].lastChild = index
        } else {
            graph.parents.append(-1)
        }
    }

    /// Names declarations, notes identifier uses and imports.
    private mutating func recordReferenceOrDeclaration(_ node: Syntax, kind: SyntaxKind, index: Int32) {
        if let use = DeclarationNames.referencedName(node, kind: kind) {
            declarations.uses.append((index, use))
        }
        guard let name = DeclarationNames.name(of: node, kind: kind) else { return }
        graph.namedNodes.append(index)
        graph.names.append(name)
        if kind == .importDecl {
            declarations.imports.append(index)
            return
        }
        let scope = scopes.last ?? 0
        if index != 0 {
            declarations.declare(index, name: name, in: scope)
            addEdge(.declares, scope, index)
        }
        if node.is(DeclSyntax.self) {
            scopes.append(index)
            scopeDepths.append(kept.count + 1)
        }
    }

    private mutating func addEdge(_ kind: EdgeKind, _ source: Int32, _ target: Int32) {
        graph.edgeKinds.append(kind)
        graph.edgeSources.append(source)
        graph.edgeTargets.append(target)
    }

    /// Adds the `imports` and `references` edges and hands the graph over.
    mutating func finish() -> FileGraph {
        for node in declarations.imports { addEdge(.imports, 0, node) }
        for (use, name) in declarations.uses {
            if let target = declarations.resolve(name, from: use, parents: graph.parents), target != use {
                addEdge(.references, use, target)
            }
        }
        return graph
    }
}
