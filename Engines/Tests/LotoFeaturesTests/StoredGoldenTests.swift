import Foundation
import LibPQ
import LotoFeatures
import XCTest

/// The golden values through both stores: each pipeline's golden input generated into SQLite and
/// into PostgreSQL, read back with `forEachRow` (what `loto-features show` prints), and compared
/// with the reference's values. The per-column tolerances are the golden tests' own (see each
/// `…GoldenTests`); here every value must also arrive exactly as computed.
final class StoredGoldenTests: XCTestCase {
    /// Golden file, its input, the pipelines that compute its columns.
    static let cases: [(golden: String, draws: String, pipelines: [PipelineID])] = [
        ("hist", "draws", [.p1, .p2, .p3]), ("trend", "trend_draws", [.p4]), ("autocorr", "autocorr_draws", [.p5]),
        ("autocorr_hist", "autocorr_draws", [.p5]), ("spectral", "spectral_draws", [.p7]),
        ("entropy", "entropy_draws", [.p9]),
    ]

    func testGoldenValuesSurviveSQLite() async throws {
        let directory = try temporaryDirectory(self)
        for (index, one) in Self.cases.enumerated() {
            let store = try SQLiteFeatureStore(path: directory.appendingPathComponent("\(index).sqlite").path)
            try await check(one, store: store)
        }
    }

    func testGoldenValuesSurvivePostgres() async throws {
        let url = try testDatabaseURL()
        for one in Self.cases {
            let schema = "loto_golden_\(UUID().uuidString.prefix(8).lowercased())"
            try PostgresConnection(connectionString: url).execute("CREATE SCHEMA \(schema)")
            addTeardownBlock {
                _ = try? PostgresConnection(connectionString: url).execute("DROP SCHEMA \(schema) CASCADE")
            }
            let scoped = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
            try await check(one, store: PostgresFeatureStore(connectionString: scoped))
        }
    }

    private func check(
        _ one: (golden: String, draws: String, pipelines: [PipelineID]), store: any FeatureStore
    ) async throws {
        let series = try CSVDrawReader.read(path: try GoldenTable.url(one.draws).path)
        let generator = FeatureGenerator(pipelines: one.pipelines, workers: 2)
        _ = try await generator.run(series, into: store)
        let golden = try GoldenTable(named: one.golden)
        let perDraw = golden.header.count > 2 && golden.header[2] == "ds"
        let scale = Dictionary(
            uniqueKeysWithValues: series.map {
                ("\($0.loto)/\($0.uniqueId)", $0.y.filter(\.isFinite).map(abs).max() ?? 1)
            })
        // What the pipelines computed, by table, key and column.
        var computed: [String: [String: Double?]] = [:]
        for one in series {
            let blocks = generator.features(of: one)
            for layout in generator.layouts {
                let block = blocks[layout.table]!
                for row in 0..<block.rowCount {
                    let key = layout.table == .stat ? "\(one.key)" : "\(one.key)/\(one.days[row])"
                    for (column, feature) in layout.numericColumns.enumerated() {
                        computed["\(layout.table.name) \(key)", default: [:]][feature.name] = block.value(
                            row: row, column: column)
                    }
                }
            }
        }
        var compared = 0
        for table in generator.tables where (table == .stat) != perDraw {
            var header: [String] = []
            try store.forEachRow(table, loto: nil, uniqueId: nil) { cells in
                guard !header.isEmpty else {
                    header = cells
                    return true
                }
                let key = table == .stat ? "\(cells[0])/\(cells[1])" : "\(cells[0])/\(cells[1])/\(cells[2])"
                guard
                    let row = golden.rows.first(where: {
                        $0[0] == cells[0] && $0[1] == cells[1] && (!perDraw || $0[2] == cells[2])
                    })
                else { return true }
                for (index, name) in header.enumerated()
                where golden.header.contains(name) && !table.keyColumns.contains(name) {
                    let stored = cells[index].isEmpty ? nil : Double(cells[index])
                    XCTAssertEqual(
                        stored, computed["\(table.name) \(key)"]?[name] ?? nil,
                        "\(store.target) \(table.name) \(key) \(name): stored as computed")
                    _ = assertClose(
                        stored, golden.number(row, name),
                        absolute: max(1e-12, 1e-9 * (scale["\(cells[0])/\(cells[1])"] ?? 1)),
                        "\(store.target) \(one.golden) \(key) \(name)")
                    compared += 1
                }
                return true
            }
        }
        XCTAssertGreaterThan(compared, 100, "\(one.golden): values compared through \(store.target)")
    }
}
