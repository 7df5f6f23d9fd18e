import SwiftParser
import SwiftSyntax

/// Counts the functions declared in Swift source, with swift-syntax 600's parser.
public struct DeclarationCounter {
    public init() {}

    public func functions(in source: String) -> Int {
        let tree = Parser.parse(source: source)
        let visitor = FunctionVisitor(viewMode: .sourceAccurate)
        visitor.walk(tree)
        return visitor.count
    }
}

private final class FunctionVisitor: SyntaxVisitor {
    var count = 0

    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
        count += 1
        return .visitChildren
    }
}
