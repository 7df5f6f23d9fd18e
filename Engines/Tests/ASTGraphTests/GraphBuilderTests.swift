import ASTGraph
import SwiftParser
import SwiftSyntax
import XCTest

final class GraphBuilderTests: XCTestCase {
    /// Every node swift-syntax visits in source-accurate mode, in preorder.
    private final class KindRecorder: SyntaxAnyVisitor {
        var kinds: [SyntaxKind] = []
        override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
            kinds.append(node.kind)
            return .visitChildren
        }
    }

    private let sample = """
        import Foundation
        struct Point {
            var x: Int
            func moved(by dx: Int) -> Point {
                let x = x + dx
                return Point(x: x)
            }
        }
        """

    func testNodesAreSwiftSyntaxNodesInPreorderWithKindNames() throws {
        let graph = try SampleSources.graph(sample)
        let recorder = KindRecorder(viewMode: .sourceAccurate)
        recorder.walk(Parser.parse(source: sample))
        XCTAssertEqual(graph.kinds, recorder.kinds)
        XCTAssertEqual(kindName(graph.kinds[0]), "sourceFile")
        XCTAssertEqual(graph.parents[0], -1)
        XCTAssertEqual(graph.nodeID(7), "t.swift#7")
        XCTAssertTrue(graph.kinds.contains(.structDecl))
        XCTAssertEqual(kindName(.functionDecl), "functionDecl")
    }

    func testChildEdgesFollowParentsAndNextEdgesLinkSiblingsInOrder() throws {
        let graph = try SampleSources.graph(sample)
        var children: [Int32: [Int32]] = [:]
        var nextEdges: [(Int32, Int32)] = []
        for edge in 0..<graph.edgeCount {
            switch graph.edgeKinds[edge] {
            case .child: children[graph.edgeSources[edge], default: []].append(graph.edgeTargets[edge])
            case .next: nextEdges.append((graph.edgeSources[edge], graph.edgeTargets[edge]))
            default: break
            }
        }
        for node in 1..<graph.nodeCount {
            XCTAssertTrue(
                children[graph.parents[node]]?.contains(Int32(node)) ?? false,
                "node \(node) has no child edge from its parent")
        }
        XCTAssertEqual(children.values.reduce(0) { $0 + $1.count }, graph.nodeCount - 1)
        XCTAssertEqual(nextEdges.count, children.values.reduce(0) { $0 + $1.count - 1 })
        for (from, to) in nextEdges {
            XCTAssertEqual(graph.parents[Int(from)], graph.parents[Int(to)])
            XCTAssertLessThan(from, to)
        }
    }

    func testOffsetsLinesColumnsAndTokenTextMatchTheSource() throws {
        let graph = try SampleSources.graph(sample)
        let bytes = Array(sample.utf8)
        let pointToken = try XCTUnwrap((0..<graph.nodeCount).first { graph.tokenText($0) == "Point" })
        XCTAssertEqual(
            String(
                decoding: bytes[Int(graph.startOffsets[pointToken])..<Int(graph.endOffsets[pointToken])], as: UTF8.self),
            "Point")
        XCTAssertEqual(graph.startLines[pointToken], 2)
        XCTAssertEqual(graph.startColumns[pointToken], 8)
        XCTAssertEqual(graph.endColumns[pointToken], 13)
        let function = try XCTUnwrap(graph.kinds.firstIndex(of: .functionDecl))
        XCTAssertEqual(graph.startLines[function], 4)
        XCTAssertEqual(graph.endLines[function], 7)
        XCTAssertEqual(graph.startColumns[function], 5)
    }

    func testDeclarationsAreNamedAndDeclaredByTheirEnclosingDeclaration() throws {
        let graph = try SampleSources.graph(sample)
        func named(_ name: String, _ kind: SyntaxKind) throws -> Int32 {
            let k = try XCTUnwrap(
                graph.names.indices.first { graph.names[$0] == name && graph.kinds[Int(graph.namedNodes[$0])] == kind })
            return graph.namedNodes[k]
        }
        let point = try named("Point", .structDecl)
        let moved = try named("moved", .functionDecl)
        let dx = try named("dx", .functionParameter)
        XCTAssertTrue(hasEdge(graph, .declares, from: 0, to: point))
        XCTAssertTrue(hasEdge(graph, .declares, from: point, to: moved))
        XCTAssertTrue(hasEdge(graph, .declares, from: moved, to: dx))
        let module = try named("Foundation", .importDecl)
        XCTAssertTrue(hasEdge(graph, .imports, from: 0, to: module))
        XCTAssertFalse(hasEdge(graph, .declares, from: 0, to: module))
    }

    func testReferencesPreferTheNearestEnclosingDeclarationOfTheName() throws {
        let graph = try SampleSources.graph(sample)
        let localX = try XCTUnwrap(
            (0..<graph.namedNodes.count).first {
                graph.names[$0] == "x" && graph.kinds[Int(graph.namedNodes[$0])] == .identifierPattern
                    && graph.startLines[Int(graph.namedNodes[$0])] == 5
            }.map { graph.namedNodes[$0] })
        let memberX = try XCTUnwrap(
            (0..<graph.namedNodes.count).first {
                graph.names[$0] == "x" && graph.startLines[Int(graph.namedNodes[$0])] == 3
            }.map { graph.namedNodes[$0] })
        // `return Point(x: x)` on line 6 uses the local `x` (declared in `moved`), not the member.
        let use = try XCTUnwrap(
            (0..<graph.nodeCount).first {
                graph.kinds[$0] == .declReferenceExpr && graph.startLines[$0] == 6 && graph.startColumns[$0] == 25
            })
        XCTAssertTrue(hasEdge(graph, .references, from: Int32(use), to: localX))
        XCTAssertFalse(hasEdge(graph, .references, from: Int32(use), to: memberX))
        // The type name `Point` in `-> Point` refers to the struct.
        let structNode = try XCTUnwrap(graph.kinds.firstIndex(of: .structDecl))
        let bytes = Array(sample.utf8)
        let typeUse = try XCTUnwrap(
            (0..<graph.nodeCount).first {
                graph.kinds[$0] == .identifierType && graph.startLines[$0] == 4
                    && String(decoding: bytes[Int(graph.startOffsets[$0])..<Int(graph.endOffsets[$0])], as: UTF8.self)
                        == "Point"
            })
        XCTAssertTrue(hasEdge(graph, .references, from: Int32(typeUse), to: Int32(structNode)))
    }

    func testSkippingTokensAndCollapsingCollectionsKeepsTheTreeConnected() throws {
        let full = try SampleSources.graph(sample)
        let slim = try SampleSources.graph(
            sample, options: GraphBuildOptions(includeTokens: false, collapseCollections: true))
        XCTAssertFalse(slim.kinds.contains(.token))
        XCTAssertFalse(slim.kinds.contains { $0.isSyntaxCollection })
        XCTAssertNil(slim.tokenText(0))
        XCTAssertEqual(
            slim.nodeCount, full.kinds.filter { $0 != .token && !$0.isSyntaxCollection }.count)
        // The struct now hangs directly off what held the collapsed item list.
        let structNode = try XCTUnwrap(slim.kinds.firstIndex(of: .structDecl))
        XCTAssertEqual(slim.kinds[Int(slim.parents[structNode])], .codeBlockItem)
        XCTAssertEqual(slim.kinds[Int(slim.parents[Int(slim.parents[structNode])])], .sourceFile)
        XCTAssertEqual(slim.names.sorted(), full.names.sorted())
        let noText = try SampleSources.graph(sample, options: GraphBuildOptions(includeTokenText: false))
        XCTAssertTrue(noText.kinds.contains(.token))
        XCTAssertNil(noText.tokenText(noText.kinds.firstIndex(of: .token)!))
    }

    func testSyntaxErrorsStillGiveAGraphMarkedAsSuch() throws {
        let graph = try SampleSources.graph("func broken( {\n let = \n")
        XCTAssertTrue(graph.hasSyntaxErrors)
        XCTAssertGreaterThan(graph.nodeCount, 5)
        XCTAssertFalse(try SampleSources.graph(sample).hasSyntaxErrors)
    }

    func testNestingBeyondTheParserLimitIsAFailureNotACrash() {
        let deep = "let x = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "\n"
        guard case .failure(let reason) = GraphBuilder().build(path: "deep.swift", source: Array(deep.utf8)) else {
            return XCTFail("5000 nested parentheses gave a graph")
        }
        guard case .tooDeeplyNested = reason else { return XCTFail("wrong reason: \(reason)") }
        XCTAssertTrue(reason.description.hasPrefix("too deeply nested"))
        XCTAssertFalse(reason.isRetryable)
    }

    func testALongRunOfSquareBracketsFailsBeforeTheParserSpendsMinutesOnIt() throws {
        let run = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        guard
            case .failure(.tooDeeplyNested(let detail)) = GraphBuilder().build(
                path: "d.swift", source: Array("let x = \(run)\n".utf8))
        else {
            return XCTFail("40 nested '[' gave a graph")
        }
        XCTAssertTrue(detail.hasPrefix("40 '[' nested directly in a row"), detail)
        // Ordinary nested types are fine; the same run in a string is refused too, since a guess
        // at where a literal ends can be fooled (the fuzzer's find in Tests/FuzzCorpus/swift-source).
        XCTAssertNoThrow(try SampleSources.graph("let t: [[String: [Int]]] = [[:]]\nlet s = \"[[[[\"\n"))
        guard
            case .failure(.tooDeeplyNested) = GraphBuilder().build(
                path: "s.swift", source: Array("let s = \"\(run)\"\n".utf8))
        else {
            return XCTFail("40 '[' in a string literal gave a graph")
        }
    }

    func testTheSameSourceGivesEqualGraphs() throws {
        XCTAssertEqual(try SampleSources.graph(sample), try SampleSources.graph(sample))
    }

    private func hasEdge(_ graph: FileGraph, _ kind: EdgeKind, from: Int32, to: Int32) -> Bool {
        (0..<graph.edgeCount).contains {
            graph.edgeKinds[$0] == kind && graph.edgeSources[$0] == from && graph.edgeTargets[$0] == to
        }
    }
}
