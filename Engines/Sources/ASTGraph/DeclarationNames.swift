import SwiftSyntax

/// Which nodes declare a name, and which use one, as the graph sees them.
enum DeclarationNames {
    /// The declared name of a declaration-like node, nil for any other node. Extensions are
    /// named by their extended type, imports by their module path (`Foundation`, `Darwin.C`).
    /// `kind` is `node.kind` (read once by the caller: each read retains and releases).
    static func name(of node: Syntax, kind: SyntaxKind) -> String? {
        switch kind {
        case .functionParameter:
            let parameter = node.cast(FunctionParameterSyntax.self)
            return (parameter.secondName ?? parameter.firstName).text
        case .closureParameter:
            let parameter = node.cast(ClosureParameterSyntax.self)
            return (parameter.secondName ?? parameter.firstName).text
        case .closureShorthandParameter: return node.cast(ClosureShorthandParameterSyntax.self).name.text
        case .identifierPattern: return node.cast(IdentifierPatternSyntax.self).identifier.text
        case .enumCaseElement: return node.cast(EnumCaseElementSyntax.self).name.text
        case .genericParameter: return node.cast(GenericParameterSyntax.self).name.text
        case .initializerDecl: return "init"
        case .deinitializerDecl: return "deinit"
        case .subscriptDecl: return "subscript"
        case .extensionDecl: return node.cast(ExtensionDeclSyntax.self).extendedType.trimmedDescription
        case .importDecl: return node.cast(ImportDeclSyntax.self).path.map(\.name.text).joined(separator: ".")
        case .actorDecl, .associatedTypeDecl, .classDecl, .enumDecl, .functionDecl, .macroDecl, .operatorDecl,
            .precedenceGroupDecl, .protocolDecl, .structDecl, .typeAliasDecl:
            // The dynamic protocol cast is costly: only made for the kinds that conform.
            return node.asProtocol(NamedDeclSyntax.self)?.name.text
        default: return nil
        }
    }

    /// The name an identifier use refers to, nil if the node is not a use.
    static func referencedName(_ node: Syntax, kind: SyntaxKind) -> String? {
        switch kind {
        case .declReferenceExpr: node.cast(DeclReferenceExprSyntax.self).baseName.text
        case .identifierType: node.cast(IdentifierTypeSyntax.self).name.text
        default: nil
        }
    }
}

/// One file's declarations by scope and name, and its uses, for the `references` edges.
/// Lives for one file; only looked up, never iterated into output.
struct DeclarationIndex {
    private struct ScopedName: Hashable {
        var scope: Int32
        var name: String
    }

    private var byScope: [ScopedName: Int32] = [:]
    private var firstByName: [String: Int32] = [:]
    /// Uses in preorder: the using node and the name.
    var uses: [(node: Int32, name: String)] = []
    /// `import` declarations in preorder.
    var imports: [Int32] = []

    /// Notes that `scope` declares `node` named `name`; the first of a name in a scope wins.
    mutating func declare(_ node: Int32, name: String, in scope: Int32) {
        if byScope[ScopedName(scope: scope, name: name)] == nil { byScope[ScopedName(scope: scope, name: name)] = node }
        if firstByName[name] == nil { firstByName[name] = node }
    }

    /// The declaration `name` used at `node` most likely means: declared in the nearest
    /// enclosing scope that declares it, else the first of that name in the file.
    func resolve(_ name: String, from node: Int32, parents: [Int32]) -> Int32? {
        guard let first = firstByName[name] else { return nil }
        var ancestor = parents[Int(node)]
        while ancestor >= 0 {
            if let found = byScope[ScopedName(scope: ancestor, name: name)] { return found }
            ancestor = parents[Int(ancestor)]
        }
        return first
    }
}

/// Line starts of one file, for 1-based line and byte-column numbers.
struct LineTable {
    private var starts: [Int] = [0]
    /// The line (from 0) of the last ``advance(to:)``: a walk's offsets mostly grow.
    private var cursor = 0

    init(_ source: UnsafeBufferPointer<UInt8>) {
        for (offset, byte) in source.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
    }

    /// Line and column (both from 1) of a byte offset.
    func location(of offset: Int) -> (line: UInt32, column: UInt32) {
        let line = lineIndex(of: offset)
        return (UInt32(line + 1), UInt32(offset - starts[line] + 1))
    }

    /// ``location(of:)``, moving forward from the line of the previous call (amortised O(1)
    /// when offsets grow); an offset before that line falls back to a binary search.
    mutating func advance(to offset: Int) -> (line: UInt32, column: UInt32) {
        var line = cursor
        if starts[line] > offset {
            line = lineIndex(of: offset)
        } else {
            let count = starts.count
            while line + 1 < count && starts[line + 1] <= offset { line += 1 }
        }
        cursor = line
        return (UInt32(line + 1), UInt32(offset - starts[line] + 1))
    }

    /// The line (from 0) holding `offset`: the last line start at or before it.
    private func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
