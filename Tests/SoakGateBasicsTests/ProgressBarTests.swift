import SoakGateBasics
import Synchronization
import XCTest

final class ProgressBarTests: XCTestCase {
    /// A bar whose clock the test moves and whose output it reads.
    private final class Scripted: Sendable {
        let now = Mutex(Duration.zero)
        let written = Mutex<[String]>([])

        func bar(unit: String = "files", isTerminal: Bool, plainLines: ProgressBar.PlainLines = .none) -> ProgressBar {
            ProgressBar(
                unit: unit, isTerminal: isTerminal, plainLines: plainLines, width: 10,
                elapsed: { self.now.withLock { $0 } }, write: { text in self.written.withLock { $0.append(text) } })
        }

        func at(_ duration: Duration) { now.withLock { $0 = duration } }
        var output: [String] { written.withLock { $0 } }
    }

    func testALineShowsTheBarTheCountTheLabelTheTimeLeftAndTheDetail() {
        XCTAssertEqual(
            ProgressBar.line(
                done: 12, total: 40, unit: "files", label: "parse Sources/A.swift", detail: "peak 120 MiB",
                elapsed: .seconds(3), width: 10),
            "[###.......] 12/40 files  parse Sources/A.swift  3.0 s, ~7 s left  peak 120 MiB")
        XCTAssertEqual(
            ProgressBar.line(done: 40, total: 40, unit: "series", elapsed: .milliseconds(1250), width: 4),
            "[####] 40/40 series  1.2 s")
        XCTAssertEqual(
            ProgressBar.line(done: 0, total: 40, unit: "series", elapsed: .zero, width: 4), "[....] 0/40 series  0.0 s")
    }

    func testWithoutATotalItCountsAndShowsNoBarAndNoEstimate() {
        XCTAssertEqual(
            ProgressBar.line(
                done: 3, total: nil, unit: "pages", detail: "60 items, rate limit left 4999", elapsed: .seconds(75)),
            "3 pages  1 min 15 s  60 items, rate limit left 4999")
    }

    func testALongLabelKeepsItsEnd() {
        let path = "Sources/" + String(repeating: "Deep/", count: 20) + "Leaf.swift"
        let line = ProgressBar.line(done: 1, total: 2, unit: "files", label: path, elapsed: .seconds(1), width: nil)
        let label = line.split(separator: "  ")[1]
        XCTAssertEqual(label.count, ProgressBar.labelLimit)
        XCTAssertTrue(label.hasPrefix("…") && label.hasSuffix("Deep/Leaf.swift"), String(label))
    }

    func testCountsOutsideTheTotalAndAbsurdEstimatesStillGiveALine() {
        XCTAssertEqual(
            ProgressBar.line(done: 50, total: 40, unit: "files", elapsed: .seconds(1), width: 4),
            "[####] 50/40 files  1.0 s")
        XCTAssertEqual(
            ProgressBar.line(done: -3, total: 0, unit: "files", elapsed: .seconds(1), width: 4),
            "[####] -3/0 files  1.0 s")
        XCTAssertEqual(
            ProgressBar.line(done: 1, total: Int.max, unit: "files", elapsed: .seconds(1), width: nil),
            "1/\(Int.max) files  1.0 s, ~9999 h 0 min left")
        XCTAssertEqual(ProgressBar.duration(.nan), "0.0 s")
        XCTAssertEqual(ProgressBar.duration(7505), "2 h 5 min")
    }

    func testOnATerminalTheLineIsRedrawnInPlaceAtMostTenTimesASecond() {
        let scripted = Scripted()
        let bar = scripted.bar(isTerminal: true)
        bar.update(done: 1, total: 4, label: "a.swift")
        scripted.at(.milliseconds(50))
        bar.update(done: 2, total: 4, label: "b.swift")
        scripted.at(.milliseconds(150))
        bar.update(done: 3, total: 4, label: "c.swift")
        XCTAssertEqual(
            scripted.output,
            [
                "\r\u{1B}[K[##........] 1/4 files  a.swift  0.0 s",
                "\r\u{1B}[K[#######...] 3/4 files  c.swift  0.1 s, ~1 s left",
            ])
    }

    func testTheLastCountIsAlwaysDrawnAndFinishClearsTheLineOnce() {
        let scripted = Scripted()
        let bar = scripted.bar(isTerminal: true)
        bar.update(done: 1, total: 2)
        bar.update(done: 2, total: 2)
        bar.finish()
        bar.finish()
        bar.update(done: 2, total: 2)
        XCTAssertEqual(
            scripted.output,
            ["\r\u{1B}[K[#####.....] 1/2 files  0.0 s", "\r\u{1B}[K[##########] 2/2 files  0.0 s", "\r\u{1B}[K"])
    }

    func testTheCountNeverGoesBackWhenWorkersReportOutOfOrder() {
        let scripted = Scripted()
        let bar = scripted.bar(isTerminal: true)
        bar.update(done: 3, total: 10)
        scripted.at(.seconds(1))
        bar.update(done: 2, total: 10)
        XCTAssertEqual(scripted.output.last, "\r\u{1B}[K[###.......] 3/10 files  1.0 s, ~3 s left")
    }

    func testOffATerminalPlainLinesComeAtTheirIntervalWithoutBarOrControlCharacters() {
        let scripted = Scripted()
        let bar = scripted.bar(unit: "series", isTerminal: false, plainLines: .every(.seconds(10)))
        bar.update(done: 1, total: 8)
        scripted.at(.seconds(9))
        bar.update(done: 2, total: 8, detail: "100 rows written")
        scripted.at(.seconds(10))
        bar.update(done: 4, total: 8, detail: "200 rows written")
        scripted.at(.seconds(15))
        bar.update(done: 8, total: 8)
        scripted.at(.seconds(21))
        bar.update(done: 8, total: 8)
        bar.finish()
        XCTAssertEqual(scripted.output, ["4/8 series  10.0 s, ~10 s left  200 rows written\n", "8/8 series  21.0 s\n"])
    }

    func testOffATerminalWithoutPlainLinesNothingIsWritten() {
        let scripted = Scripted()
        let bar = scripted.bar(isTerminal: false)
        for done in 0...5 {
            scripted.at(.seconds(done * 100))
            bar.update(done: done, total: 5, label: "x")
        }
        bar.finish()
        XCTAssertEqual(scripted.output, [])
    }
}
