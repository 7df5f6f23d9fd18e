import CommandTestSupport
import Foundation
import SoakGate
import XCTest

/// The planted cases through the real `soakgate` executable: each in its own process, with the
/// thread cache off, exactly as a user runs them.
final class PlantedVerdictTests: XCTestCase {
    private func check(_ arguments: [String], out: String) throws -> (Command.Outcome, LeakReport) {
        let outcome = try Command.run("soakgate", ["check"] + arguments + ["--out", out])
        let path = out + "/leak-report.json"
        let report = try LeakReport.read(from: Data(contentsOf: URL(fileURLWithPath: path)), path: path)
        return (outcome, report)
    }

    func testEveryPlantedCaseGetsItsVerdict() throws {
        let out = try Command.temporaryDirectory(self)
        let (outcome, report) = try check(["--workload", "planted.*", "--jobs", "2"], out: out)
        XCTAssertEqual(outcome.status, 1, "leaks are present, so check exits 1\n\(outcome.standardError)")
        let expected: [String: (Verdict, GrowthClass)] = [
            "planted.leak.c-heap": (.leak, .linear),
            "planted.leak.retain-cycle": (.leak, .linear),
            "planted.leak.global-array": (.leak, .linear),
            "planted.leak.quadratic": (.leak, .superlinear),
            "planted.leak.observer-list": (.leak, .linear),
            "planted.leak.closure-captures-owner": (.leak, .linear),
            "planted.leak.ever-new-keys-cache": (.leak, .linear),
            "planted.leak.parent-child-cycle": (.leak, .linear),
            "planted.leak.parked-task": (.leak, .linear),
            "planted.clean.one-off-init": (.pass, .none),
            "planted.clean.bounded-cache": (.pass, .none),
            "planted.clean.thread-once": (.pass, .none),
            "planted.clean.lazy-singleton": (.pass, .none),
            "planted.clean.task-group": (.pass, .none),
            "planted.clean.concurrent-perform": (.pass, .none),
            "planted.leak.sparse": (.leak, .linear),
            "planted.leak.sublinear": (.leak, .sublinear),
            "planted.leak.paced": (.leak, .linear),
            "planted.clean.paced": (.pass, .none),
        ].merging(
            [1, 4, 16].flatMap { k in
                [1, 8, 32].map { ("planted.clean.lru-\(k)k-every-\($0)", (Verdict.pass, GrowthClass.none)) }
            },
            uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(Set(report.workloads.map(\.name)), Set(expected.keys))
        for workload in report.workloads {
            let (verdict, growth) = try XCTUnwrap(expected[workload.name])
            XCTAssertEqual(
                workload.verdict, verdict,
                "\(workload.name): \(workload.evidenceSummary ?? workload.failure?.reason ?? "")")
            XCTAssertEqual(workload.growth, growth, workload.name)
        }
        let cHeap = try XCTUnwrap(report.workloads.first { $0.name == "planted.leak.c-heap" })
        XCTAssertEqual(try XCTUnwrap(cHeap.bytesPerIteration), 16, accuracy: 0.01)
        XCTAssertEqual(cHeap.sizeClasses.first?.size, 16, "the 16-byte class is the one that grew")
        XCTAssertEqual(cHeap.seedRule?.reading, "leak")
        XCTAssertEqual(report.mallocConf, "tcache:false")
        XCTAssertTrue(
            outcome.standardOutput.contains("16 pass, 12 leak, 0 inconclusive, 0 crashed"), outcome.standardOutput)
        // Each bounded cache passes because its growth was seen to stop, with the bound named.
        for workload in report.workloads where workload.name.hasPrefix("planted.clean.lru-") {
            XCTAssertNotNil(workload.evidence?.boundBytes, workload.name)
        }
        // The paced leak and its twin are decided within the default 60 s budget.
        for name in ["planted.leak.paced", "planted.clean.paced"] {
            let workload = try XCTUnwrap(report.workloads.first { $0.name == name })
            XCTAssertLessThanOrEqual(workload.durationSeconds, 60, name)
        }
        for name in ["leak-report.html", "leak-report.junit.xml", "leak-report.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + name), name)
        }
        let html = try String(contentsOfFile: out + "/leak-report.html", encoding: .utf8)
        XCTAssertEqual(
            html.components(separatedBy: "<svg").count - html.components(separatedBy: "<svg class=\"retention\"").count,
            28, "a chart per workload")

        // The profiled run names the planted function as the top allocation site of each leak.
        let planted = [
            "planted.leak.c-heap": "CHeapLeak.run()", "planted.leak.retain-cycle": "RetainCycleLeak.run()",
            "planted.leak.global-array": "GlobalArrayLeak.run()", "planted.leak.quadratic": "QuadraticLeak.run()",
        ]
        for (name, function) in planted {
            let workload = try XCTUnwrap(report.workloads.first { $0.name == name })
            let top = try XCTUnwrap(
                workload.allocationSites?.sites.first, "\(name): \(workload.allocationSites?.note ?? "no sites")")
            XCTAssertTrue(top.frames.contains(function), "\(name): \(top.frames)")
            XCTAssertTrue(html.contains(function), "the HTML names \(function)")
        }
        // Which type grows and who holds it (issue #20): for every planted leak the growing type
        // and the root of its path, printed beside the allocation site and drawn in the HTML.
        for expected in Self.holders {
            let workload = try XCTUnwrap(report.workloads.first { $0.name == expected.workload })
            let retention = try XCTUnwrap(workload.allocationSites?.retention, expected.workload)
            XCTAssertNil(retention.note, expected.workload)
            guard let type = retention.types.first(where: { $0.name == expected.type }) else {
                XCTFail("\(expected.workload): \(expected.type) is not among \(retention.types.map(\.name))")
                continue
            }
            XCTAssertGreaterThan(type.bytesAfter, type.bytesBefore, expected.workload)
            let path = try XCTUnwrap(type.path, expected.workload)
            XCTAssertEqual(path.root, expected.root, "\(expected.workload): \(path.description)")
            XCTAssertEqual(path.rootName, expected.rootName, "\(expected.workload): \(path.description)")
            for step in expected.through {
                XCTAssertTrue(
                    path.steps.contains { $0.type == step }, "\(expected.workload): \(step) in \(path.description)")
            }
            XCTAssertEqual(path.cycle, expected.root == .cycle, "\(expected.workload): \(path.description)")
            XCTAssertTrue(
                outcome.standardOutput.contains("held by     " + path.description), "\(expected.workload) printed")
            XCTAssertTrue(
                html.contains(RetentionDrawingProbe.escaped(expected.type)), "the HTML names \(expected.type)")
        }
        XCTAssertTrue(html.contains("<svg class=\"retention\""), "the paths are drawn")

        let cHeapSite = try XCTUnwrap(
            report.workloads.first { $0.name == "planted.leak.c-heap" }?.allocationSites?.sites.first)
        XCTAssertEqual(cHeapSite.bytesPerIteration, 16, accuracy: 0.01)
        XCTAssertNil(
            report.workloads.first { $0.name == "planted.clean.task-group" }?.allocationSites, "no profiling for a pass"
        )
    }

    /// Per planted leak: the type that must be among the growing ones, the root of its path, and
    /// types the path must pass through.
    static let holders:
        [(workload: String, type: String, root: RetentionPath.Root, rootName: String?, through: [String])] = [
            ("planted.leak.c-heap", "untyped 16 B block", .unreferenced, nil, []),
            ("planted.leak.retain-cycle", "PlantedWorkloads.RetainCycleLeak.Node", .cycle, nil, []),
            ("planted.leak.global-array", "[Int] buffer", .global, "PlantedWorkloads.plantedGrowingArray", []),
            ("planted.leak.quadratic", "[UInt8] buffer", .workload, nil, ["[[UInt8]] buffer"]),
            (
                "planted.leak.observer-list", "PlantedWorkloads.PlantedObserver", .global,
                "PlantedWorkloads.PlantedNotificationCenter.shared",
                ["PlantedWorkloads.PlantedNotificationCenter", "[PlantedObserver] buffer"]
            ),
            ("planted.leak.closure-captures-owner", "PlantedWorkloads.PlantedDownload", .cycle, nil, []),
            (
                "planted.leak.ever-new-keys-cache", "PlantedWorkloads.PlantedCachedResponse", .global,
                "PlantedWorkloads.PlantedResponseCache.shared",
                ["[String: PlantedWorkloads.PlantedCachedResponse] storage"]
            ),
            (
                "planted.leak.parent-child-cycle", "PlantedWorkloads.PlantedChild", .cycle, nil,
                ["PlantedWorkloads.PlantedParent", "[PlantedChild] buffer"]
            ),
            (
                "planted.leak.parked-task", "async task", .global, "PlantedWorkloads.PlantedWaitList.shared",
                ["CheckedContinuationCanary"]
            ),
            ("planted.leak.paced", "untyped 16 B block", .global, "PlantedWorkloads.pacedLeakChain", []),
        ]

    /// The six quick not-a-leak cases (the runtime caches among them), 50 times each in fresh
    /// processes: not one false positive. The slower bounded caches are in BENCHMARKS.md's
    /// accuracy runs.
    func testCleanCasesNeverReadAsLeaksInFiftyRuns() throws {
        let out = try Command.temporaryDirectory(self)
        var verdicts: [String: [Verdict]] = [:]
        var falsePositives: [String] = []
        var undecided: [String] = []
        let quick = [
            "one-off-init", "bounded-cache", "thread-once", "lazy-singleton", "task-group", "concurrent-perform",
        ]
        for run in 1...50 {
            let (outcome, report) = try check(
                ["--workload"] + quick.map { "planted.clean." + $0 } + ["--jobs", "2"], out: out)
            XCTAssertEqual(report.workloads.count, 6)
            for workload in report.workloads {
                verdicts[workload.name, default: []].append(workload.verdict)
                let line =
                    "run \(run): \(workload.name) \(workload.verdict.rawValue): \(workload.evidenceSummary ?? workload.failure?.reason ?? "")"
                switch workload.verdict {
                case .pass: break
                case .inconclusive: undecided.append(line)
                case .leak, .crashed: falsePositives.append(line)
                }
            }
            XCTAssertEqual(outcome.status, report.exitCode)
        }
        XCTAssertEqual(falsePositives, [])
        // On a machine loaded past its cores (a build and three checks beside the tests, debug
        // build), the task group's runtime cache was still stepping when 60 s ran out in 3 of 50
        // runs: inconclusive, which says so, rather than a leak. More than 1 in 20 is a fault.
        XCTAssertLessThanOrEqual(undecided.count, 15, undecided.joined(separator: "\n"))
        XCTAssertEqual(verdicts.count, 6)
        XCTAssertTrue(verdicts.values.allSatisfy { $0.count == 50 })
    }
}

/// The HTML escapes names as the report's templates do.
enum RetentionDrawingProbe {
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
