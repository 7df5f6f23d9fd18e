import ASTGraph
import Foundation
import IssueStream
import LotoFeatures
import SoakGate
import XCTest

/// Replays every input in the repository's `Tests/FuzzCorpus/TARGET/` (seeds, what `ci/fuzz.sh` found and kept,
/// and any input that once crashed) through the same entry point its fuzz target calls. An input
/// that traps kills the test process, so a regression fails the suite instead of passing quietly.
final class FuzzCorpusReplayTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/FuzzCorpus")

    /// The corpus files of `target`, sorted; fails when there are none (a replay of nothing
    /// proves nothing).
    private func inputs(_ target: String) throws -> [(name: String, bytes: Data)] {
        let directory = Self.corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertFalse(names.isEmpty, "no corpus in \(directory.path)")
        return try names.map { ($0, try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    func testDrawCSVCorpusIsReadOrRefusedWithAReason() throws {
        var accepted = 0
        for input in try inputs("draw-csv") {
            do {
                _ = try CSVDrawReader.parse(input.bytes, name: input.name)
                accepted += 1
            } catch {
                XCTAssertFalse(String(describing: error).isEmpty, input.name)
            }
        }
        XCTAssertGreaterThan(accepted, 0, "not even the seeds parse")
    }

    func testLeakReportCorpusIsReadOrRefusedWithAReason() throws {
        var accepted = 0
        for input in try inputs("leak-report") {
            if (try? LeakReport.read(from: input.bytes, path: input.name)) != nil { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 0, "not even the seeds parse")
    }

    func testGatePolicyCorpusIsReadOrRefusedWithAReason() throws {
        var accepted = 0
        for input in try inputs("gate-policy") {
            if (try? GatePolicy.read(from: input.bytes, path: input.name)) != nil { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 0, "not even the seeds parse")
    }

    func testSwiftSourceCorpusBuildsAGraphOrAReason() throws {
        var built = 0
        for input in try inputs("swift-source") {
            if case .success = GraphBuilder().build(path: input.name, source: Array(input.bytes)) { built += 1 }
        }
        XCTAssertGreaterThan(built, 0, "not even the seeds build")
    }
}

extension FuzzCorpusReplayTests {
    func testSoakSamplesCorpusIsReadAndAnalysedOrRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soak-replay-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let manifest = try Data(contentsOf: Self.corpus.appendingPathComponent("soak-samples.manifest.json"))
        FileManager.default.createFile(atPath: path + "/soak.json", contents: manifest)
        let directory = SoakDirectory(path: path)
        var analysed = 0
        for input in try inputs("soak-samples") {
            FileManager.default.createFile(atPath: directory.samplesPath, contents: input.bytes)
            if let contents = try? directory.read() {
                _ = SoakAnalysis.report(
                    contents, tool: LeakReport.Tool(name: "replay", version: "0"), state: "complete")
                analysed += 1
            }
        }
        XCTAssertGreaterThan(analysed, 0, "not even the seeds are read")
    }
}

extension FuzzCorpusReplayTests {
    func testIssuePageCorpusIsTriagedOrRefused() throws {
        var triaged = 0
        for input in try inputs("issue-page") {
            let newline = input.bytes.firstIndex(of: 0x0A) ?? input.bytes.endIndex
            let header = String(decoding: input.bytes[..<newline], as: UTF8.self)
            let body = newline < input.bytes.endIndex ? input.bytes[input.bytes.index(after: newline)...] : Data()
            if let page = try? UntrustedPage.triage(body: Data(body), linkHeader: header.isEmpty ? nil : header),
                !page.decisions.isEmpty
            {
                triaged += 1
            }
        }
        XCTAssertGreaterThan(triaged, 0, "not even the seeds are triaged")
    }
}
