import CommandTestSupport
import Foundation
import XCTest

/// A `check` that dies leaves nothing running and, by the next run, nothing on disk.
final class OrphanTests: XCTestCase {
    /// The pids whose parent is `parent` and whose command line holds `word`.
    private func children(of parent: Int32, running word: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // Fields after the command name: state, ppid, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == parent else { return false }
            let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: commandLine, as: UTF8.self).contains(word)
        }
    }

    /// Whether `pid` has ended (gone, or a zombie waiting for whoever adopted it).
    private func ended(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else {
            return true
        }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    private func scratchDirectories(of pid: Int32) -> [String] {
        let root = FileManager.default.temporaryDirectory.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { $0.hasPrefix("soakgate-\(pid)-measure-") }.map { root + "/" + $0 }
    }

    func testKillNineOfCheckTakesItsMeasuringChildAndTheNextRunSweepsItsDirectory() throws {
        let out = try Command.temporaryDirectory(self)
        let check = try RunningCommand(
            "soakgate-fixtures", ["check", "--workload", "fixture.hang", "--timeout", "120", "--out", out + "/reports"])
        let pid = check.process.processIdentifier
        var child: Int32?
        XCTAssertTrue(
            check.waitUntil(seconds: 20) {
                child = children(of: pid, running: "_measure").first
                return child != nil && !scratchDirectories(of: pid).isEmpty
            }, "the measuring child and its directory appear; stderr: \(check.standardErrorSoFar)")
        guard let child else { return }
        let directories = scratchDirectories(of: pid)

        check.signal(SIGKILL)
        _ = try check.wait()
        let deadline = Date().addingTimeInterval(5)
        while !ended(child) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(ended(child), "the measuring child \(child) outlived its parent by 5 s")

        // The next run (even one that fails at once) removes what the dead one left.
        _ = try Command.run("soakgate-fixtures", ["check", "--workload", "no-such-workload", "--out", out + "/again"])
        for directory in directories {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "\(directory) was not swept")
        }
    }

    func testTimeoutAlsoKillsWhatTheMeasuringChildStarted() throws {
        let out = try Command.temporaryDirectory(self)
        let pidFile = out + "/grandchild.pid"
        let outcome = try Command.run(
            "soakgate-fixtures",
            ["check", "--workload", "fixture.hang-with-grandchild", "--timeout", "3", "--out", out + "/reports"],
            environment: ["SOAKGATE_FIXTURE_GRANDCHILD_PID_FILE": pidFile])
        XCTAssertEqual(outcome.status, 3, outcome.standardError)
        let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let grandchild = Int32(text) else { return XCTFail("no pid in '\(text)'") }
        let deadline = Date().addingTimeInterval(5)
        while !ended(grandchild) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(ended(grandchild), "the workload's own child \(grandchild) outlived the timeout by 5 s")
        if !ended(grandchild) { kill(grandchild, SIGKILL) }
    }

    func testTimeoutKillsTheMeasuringChildAndRemovesItsDirectory() throws {
        let out = try Command.temporaryDirectory(self)
        let check = try RunningCommand(
            "soakgate-fixtures", ["check", "--workload", "fixture.hang", "--timeout", "1", "--out", out + "/reports"])
        let pid = check.process.processIdentifier
        let outcome = try check.wait()
        XCTAssertEqual(outcome.status, 3, outcome.standardError)
        XCTAssertEqual(children(of: pid, running: "_measure"), [])
        XCTAssertEqual(scratchDirectories(of: pid), [])
    }
}
