import HeapProbe

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes ``SoakWireLine`` lines from a buffer allocated up front: a reading taken between two
/// iterations allocates nothing, so it cannot be the growth it measures.
final class SoakLineWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let counts: UnsafeMutableBufferPointer<Int>
    private let fileDescriptor: Int32
    private var end = 0

    init(fileDescriptor: Int32, sizeClassCount: Int) {
        self.fileDescriptor = fileDescriptor
        // Prefix, kind, 8 numbers of at most 20 digits and a sign, and "index:count " per class.
        buffer = .allocate(capacity: 64 + 8 * 22 + sizeClassCount * 28)
        counts = .allocate(capacity: max(sizeClassCount, 1))
        counts.initialize(repeating: 0)
    }

    deinit {
        buffer.deallocate()
        counts.deallocate()
    }

    /// Writes one reading. With `probe`, the live count of every non-empty size class follows.
    func write(
        kind: SoakSample.Kind, elapsedNanoseconds: UInt64, iterations: Int, heap: HeapSnapshot,
        meanNanoseconds: UInt64, maxNanoseconds: UInt64, sizeClassesFrom probe: HeapProbe?
    ) {
        end = 0
        for byte in SoakWireLine.prefix.utf8 { put(byte) }
        put(SoakWireLine.kindLetters[kind]!)
        field(Int(elapsedNanoseconds))
        field(iterations)
        field(heap.allocatedBytes)
        field(heap.activeBytes)
        field(heap.residentBytes)
        field(heap.processResidentBytes)
        field(Int(meanNanoseconds))
        field(Int(maxNanoseconds))
        if let probe {
            probe.countLiveObjects(into: counts)
            for index in 0..<counts.count where counts[index] != 0 {
                put(UInt8(ascii: " "))
                append(index)
                put(UInt8(ascii: ":"))
                append(counts[index])
            }
        }
        put(UInt8(ascii: "\n"))
        var offset = 0
        while offset < end {
            let written = Glibc.write(fileDescriptor, buffer.baseAddress! + offset, end - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return // The parent is gone; the soak ends when it notices.
            }
            offset += written
        }
    }

    private func field(_ value: Int) {
        put(UInt8(ascii: " "))
        append(value)
    }

    private func put(_ byte: UInt8) {
        buffer[end] = byte
        end += 1
    }

    private func append(_ value: Int) {
        if value < 0 { put(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = end
        repeat {
            put(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        var low = start
        var high = end - 1
        while low < high {
            buffer.swapAt(low, high)
            low += 1
            high -= 1
        }
    }
}
