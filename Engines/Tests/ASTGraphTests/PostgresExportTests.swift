import ASTGraph
import CommandTestSupport
import Foundation
import LibPQ
import XCTest

/// The PostgreSQL export, counted in a real database (ci/test.sh starts one).
final class PostgresExportTests: XCTestCase {
    private func databaseURL() throws -> String { try TestDatabase.url() }

    func testTheTablesHoldEveryFileNodeAndEdge() async throws {
        let url = try databaseURL()
        let root = try SampleSources.write(self)
        let processor = BatchProcessor(configuration: BatchConfiguration(workers: 2, batchSize: 3))
        let result = try await processor.run(
            files: try SourceInputs.discover([root]),
            into: PostgresExporter(connectionString: url, tablePrefix: "ast_test"))
        let connection = try PostgresConnection(connectionString: url)
        func count(_ sql: String) throws -> Int {
            Int(try connection.execute(sql).value(row: 0, column: 0) ?? "") ?? -1
        }
        XCTAssertEqual(try count("SELECT count(*) FROM ast_test_files"), 4)
        XCTAssertEqual(try count("SELECT count(*) FROM ast_test_nodes"), result.nodes)
        XCTAssertEqual(try count("SELECT count(*) FROM ast_test_edges"), result.edges)
        XCTAssertEqual(try count("SELECT sum(nodes) FROM ast_test_files"), result.nodes)
        // Every edge joins two stored nodes, and token text survives COPY's escaping.
        XCTAssertEqual(
            try count(
                "SELECT count(*) FROM ast_test_edges e LEFT JOIN ast_test_nodes n ON n.id = e.target WHERE n.id IS NULL"
            ), 0)
        XCTAssertGreaterThan(try count("SELECT count(*) FROM ast_test_nodes WHERE text LIKE '%\"with\" commas%'"), 0)
        XCTAssertEqual(try count("SELECT count(*) FROM ast_test_nodes WHERE kind = 'structDecl' AND name = 'Point'"), 1)

        // A second run replaces the tables in one transaction; a failed one leaves them be.
        do {
            // Dropped unfinished at the end of this block: its deinit rolls back (and frees
            // the lock the DROP TABLE took, which the counts below would otherwise wait on).
            let sink = try PostgresExporter(connectionString: url, tablePrefix: "ast_test")
            try sink.write(try GraphBuilder().build(path: "one.swift", source: Array("let one = 1\n".utf8)).get())
        }
        XCTAssertEqual(try count("SELECT count(*) FROM ast_test_files"), 4, "an unfinished load changed the tables")

        // A run in which every file fails is rolled back: the earlier tables stay.
        let bad = try SampleSources.temporaryDirectory(self)
        try Data([0x00]).write(to: URL(fileURLWithPath: bad + "/bad.swift"))
        do {
            _ = try await processor.run(
                files: [bad + "/bad.swift"], into: PostgresExporter(connectionString: url, tablePrefix: "ast_test"))
            XCTFail("a run with no graph was committed")
        } catch BatchError.noFileGaveAGraph {}
        XCTAssertEqual(try count("SELECT count(*) FROM ast_test_files"), 4, "a run with no graph replaced the tables")
    }
}
