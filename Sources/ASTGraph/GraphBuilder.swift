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
    public func build(path: String, source: [UInt8], onBuilding: () -> Void = {}) -> Result<FileGraph, FileFailureReason> {
        let run = Self.longestSquareBracketRun(source)
        if run > Self.maximumSquareBracketRun {
            return .failure(.tooDeeplyNested(
                "\(run) '[' nested directly in a row; more than \(Self.maximumSquareBracketRun) makes swift-syntax's parse time explode"))
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
            return .failure(.tooDeeplyNested("brackets nest deeper than swift-syntax's limit of \(Self.parserNestingLimit) levels"))
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

    /// The longest run of `[` separated only by whitespace, outside comments and string
    /// literals (tracked roughly: a `"` toggles a string, escapes are skipped).
    static func longestSquareBracketRun(_ source: [UInt8]) -> Int {
        var longest = 0
        var run = 0
        var index = 0
        var inString = false
        let count = source.count
        while index < count {
            let byte = source[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                run = 0
            } else if byte == UInt8(ascii: "/"), index + 1 < count, source[index + 1] == UInt8(ascii: "/") {
                while index < count && source[index] != UInt8(ascii: "\n") { index += 1 }
            } else if byte == UInt8(ascii: "/"), index + 1 < count, source[index + 1] == UInt8(ascii: "*") {
                index += 2
                while index + 1 < count && !(source[index] == UInt8(ascii: "*") && source[index + 1] == UInt8(ascii: "/")) { index += 1 }
                index += 1
            } else if byte == UInt8(ascii: "[") {
                run += 1
                longest = Swift.max(longest, run)
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") {
                run = 0
            }
            index += 1
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
private final class GraphWalker: SyntaxAnyVisitor {
    private var graph: FileGraph
    private let options: GraphBuildOptions
    private let lines: LineTable
    /// Open nodes that were kept: their index and their last kept child (-1 if none yet).
    private var open: [(node: Int32, lastChild: Int32)] = []
    /// One entry per visited non-token node: whether it was kept (pushed onto `open`).
    private var kept: [Bool] = []
    /// Kept named declarations that enclose the current node (the `declares` scopes).
    private var scopes: [Int32] = []
    private var scopeDepths: [Int] = []
    private var declarations = DeclarationIndex()

    init(path: String, source: UnsafeBufferPointer<UInt8>, options: GraphBuildOptions, hasErrors: Bool) {
        graph = FileGraph(path: path, byteCount: source.count, hasSyntaxErrors: hasErrors)
        self.options = options
        lines = LineTable(source)
        super.init(viewMode: .sourceAccurate)
    }

    override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
        let isToken = node.kind == .token
        if isToken && !options.includeTokens { return .skipChildren }
        if options.collapseCollections && node.kind.isSyntaxCollection {
            kept.append(false)
            return .visitChildren
        }
        let index = Int32(graph.kinds.count)
        let start = node.positionAfterSkippingLeadingTrivia.utf8Offset
        let end = max(node.endPositionBeforeTrailingTrivia.utf8Offset, start)
        let (startLine, startColumn) = lines.location(of: start)
        let (endLine, endColumn) = lines.location(of: end)
        graph.kinds.append(node.kind)
        graph.startOffsets.append(UInt32(start))
        graph.endOffsets.append(UInt32(end))
        graph.startLines.append(startLine)
        graph.startColumns.append(startColumn)
        graph.endLines.append(endLine)
        graph.endColumns.append(endColumn)
        if let parent = open.last {
            graph.parents.append(parent.node)
            addEdge(.child, parent.node, index)
            if parent.lastChild >= 0 { addEdge(.next, parent.lastChild, index) }
            open[open.count - 1].lastChild = index
        } else {
            graph.parents.append(-1)
        }
        recordReferenceOrDeclaration(node, index: index)
        if !isToken {
            open.append((index, -1))
            kept.append(true)
        }
        return .visitChildren
    }

    override func visitAnyPost(_ node: Syntax) {
        if node.kind == .token { return }
        if scopeDepths.last == kept.count {
            scopes.removeLast()
            scopeDepths.removeLast()
        }
        if kept.removeLast() { open.removeLast() }
    }

    /// Names declarations, notes identifier uses and imports.
    private func recordReferenceOrDeclaration(_ node: Syntax, index: Int32) {
        if let use = DeclarationNames.referencedName(node) {
            declarations.uses.append((index, use))
        }
        guard let name = DeclarationNames.name(of: node) else { return }
        graph.namedNodes.append(index)
        graph.names.append(name)
        if node.kind == .importDecl {
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

    private func addEdge(_ kind: EdgeKind, _ source: Int32, _ target: Int32) {
        graph.edgeKinds.append(kind)
        graph.edgeSources.append(source)
        graph.edgeTargets.append(target)
    }

    /// Adds the `imports` and `references` edges and hands the graph over.
    func finish() -> FileGraph {
        for node in declarations.imports { addEdge(.imports, 0, node) }
        for (use, name) in declarations.uses {
            if let target = declarations.resolve(name, from: use, parents: graph.parents), target != use {
                addEdge(.references, use, target)
            }
        }
        return graph
    }
}
