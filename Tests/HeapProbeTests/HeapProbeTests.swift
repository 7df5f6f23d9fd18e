import CSoakGateTCacheOff
import Foundation
import HeapProbe
import XCTest

final class HeapProbeTests: XCTestCase {
    func testProbeOpensWithTheThreadCacheOff() throws {
        XCTAssertEqual(String(cString: soakgate_compiled_malloc_conf()), "tcache:false")
        let probe = try HeapProbe()
        XCTAssertFalse(probe.threadCacheEnabled)
        XCTAssertTrue(probe.jemallocVersion.hasPrefix("5."), probe.jemallocVersion)
    }

    func testAMebibyteReadsAsExactlyAMebibyte() throws {
        let probe = try HeapProbe()
        let before = probe.liveBytes()
        let block = try XCTUnwrap(malloc(1 << 20))
        memset(block, 1, 1 << 20)
        let during = probe.liveBytes()
        free(block)
        let after = probe.liveBytes()
        XCTAssertEqual(during - before, 1 << 20)
        XCTAssertEqual(after, before)
    }

    func testReadingTheHeapAllocatesNothing() throws {
        let probe = try HeapProbe()
        _ = probe.snapshot()
        let first = probe.liveBytes()
        var last = first
        for _ in 0..<100 {
            _ = probe.snapshot()
            last = probe.liveBytes()
        }
        XCTAssertEqual(last, first)
    }

    func testSizeClassCountsSeeLiveObjects() throws {
        let probe = try HeapProbe()
        let index = try XCTUnwrap(probe.sizeClasses.firstIndex { $0.size == 48 && $0.kind == .small })
        let before = probe.liveObjectCounts()[index]
        let blocks = (0..<100).map { _ in malloc(48)! }
        let during = probe.liveObjectCounts()[index]
        blocks.forEach { free($0) }
        XCTAssertEqual(during - before, 100)
        XCTAssertEqual(probe.liveObjectCounts()[index], before)
    }

    func testSizeClassesAreJemallocs() throws {
        let probe = try HeapProbe()
        let small = probe.sizeClasses.filter { $0.kind == .small }
        XCTAssertEqual(small.first?.size, 8)
        XCTAssertEqual(small.map(\.size), small.map(\.size).sorted())
        XCTAssertGreaterThan(probe.sizeClasses.filter { $0.kind == .large }.count, 100)
    }

    func testSnapshotFiguresAreConsistent() throws {
        let probe = try HeapProbe()
        probe.purge()
        let snapshot = probe.snapshot()
        XCTAssertGreaterThan(snapshot.allocatedBytes, 0)
        XCTAssertLessThanOrEqual(snapshot.allocatedBytes, snapshot.activeBytes)
        XCTAssertLessThanOrEqual(snapshot.activeBytes, snapshot.mappedBytes)
        XCTAssertGreaterThan(snapshot.residentBytes, 0)
        XCTAssertGreaterThan(snapshot.processResidentBytes, snapshot.residentBytes / 2)
    }

    func testErrorsSayWhatToDo() {
        XCTAssertTrue(HeapProbeError.threadCacheEnabled.description.contains("MALLOC_CONF=tcache:false"))
        XCTAssertTrue(HeapProbeError.notTheProcessAllocator(observedBytes: 0).description.contains("LD_PRELOAD"))
    }
}
