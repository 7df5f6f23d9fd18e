import CJemalloc
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

    /// Bytes this thread has ever allocated, from jemalloc's per-thread counter: exact whatever
    /// other threads of the test process do. Reads by MIB: passing a String name could itself
    /// allocate, and no XCTAssert here, whose autoclosures allocate after the value is read.
    private func threadAllocated(_ mib: UnsafeMutablePointer<Int>) -> UInt64 {
        var value: UInt64 = 0
        var length = MemoryLayout<UInt64>.size
        let code = mallctlbymib(mib, 2, &value, &length, nil, 0)
        precondition(code == 0, "thread.allocated is not readable")
        return value
    }

    func testAMebibyteReadsAsAMebibyte() throws {
        let probe = try HeapProbe()
        // The figure is the whole process's: a thread another test left behind may allocate a
        // block of its own between two readings (16 KiB once, under load). Of three tries, one
        // must read the mebibyte to within a page, coming and going.
        var readings: [(Int, Int)] = []
        for _ in 0..<3 {
            let before = probe.liveBytes()
            let block = try XCTUnwrap(malloc(1 << 20))
            memset(block, 1, 1 << 20)
            let during = probe.liveBytes()
            free(block)
            let after = probe.liveBytes()
            readings.append((during - before, after - before))
            if abs(during - before - (1 << 20)) <= 4096 && abs(after - before) <= 4096 { return }
        }
        XCTFail("no try read 1 MiB: (during − before, after − before) = \(readings)")
    }

    func testReadingTheHeapAllocatesNothing() throws {
        let probe = try HeapProbe()
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: probe.sizeClasses.count)
        defer { counts.deallocate() }
        let mib = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { mib.deallocate() }
        var length = 2
        XCTAssertEqual(mallctlnametomib("thread.allocated", mib, &length), 0)
        _ = probe.snapshot()
        let empty = threadAllocated(mib)
        XCTAssertEqual(threadAllocated(mib), empty, "the counter itself must not allocate")
        let before = threadAllocated(mib)
        for _ in 0..<100 {
            _ = probe.snapshot()
            _ = probe.liveBytes()
            probe.countLiveObjects(into: counts)
        }
        let after = threadAllocated(mib)
        XCTAssertEqual(after, before)
    }

    func testSizeClassCountsSeeLiveObjects() throws {
        let probe = try HeapProbe()
        let index = try XCTUnwrap(probe.sizeClasses.firstIndex { $0.size == 48 && $0.kind == .small })
        let before = probe.liveObjectCounts()[index]
        let blocks = (0..<100).map { _ in malloc(48)! }
        let during = probe.liveObjectCounts()[index]
        for block in blocks { free(block) }
        // Other threads may hold a few 48-byte objects of their own.
        XCTAssertEqual(Double(during - before), 100, accuracy: 4)
        XCTAssertEqual(Double(probe.liveObjectCounts()[index]), Double(before), accuracy: 4)
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
