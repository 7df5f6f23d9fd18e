#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The measuring process's progress, written as `@@soakgate-progress ITERATIONS RETAINED`
/// lines on standard error for the parent to show.
///
/// The line is built in a buffer allocated up front and written with `write(2)`, so reporting
/// progress between two heap readings moves no live bytes.
public final class ProgressWriter {
    static let prefix = "@@soakgate-progress "
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private let prefixLength: Int
    private let fileDescriptor: Int32

    public init(fileDescriptor: Int32 = 2) {
        self.fileDescriptor = fileDescriptor
        buffer = .allocate(capacity: 96)
        let prefixBytes = Array(Self.prefix.utf8)
        for (index, byte) in prefixBytes.enumerated() { buffer[index] = byte }
        prefixLength = prefixBytes.count
    }

    deinit { buffer.deallocate() }

    /// Writes one progress line. Allocates nothing.
    public func report(iterations: Int, retainedBytes: Int) {
        var end = prefixLength
        end = append(iterations, at: end)
        buffer[end] = UInt8(ascii: " ")
        end = append(retainedBytes, at: end + 1)
        buffer[end] = UInt8(ascii: "\n")
        _ = write(fileDescriptor, buffer.baseAddress, end + 1)
    }

    private func append(_ value: Int, at start: Int) -> Int {
        var position = start
        var magnitude = value.magnitude
        if value < 0 {
            buffer[position] = UInt8(ascii: "-")
            position += 1
        }
        let digitsStart = position
        repeat {
            buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position += 1
        } while magnitude > 0
        var low = digitsStart
        var high = position - 1
        while low < high {
            buffer.swapAt(low, high)
            low += 1
            high -= 1
        }
        return position
    }

    /// Parses a progress line; nil for any other output.
    public static func parse(_ line: Substring) -> (iterations: Int, retainedBytes: Int)? {
        guard line.hasPrefix(prefix) else { return nil }
        let fields = line.dropFirst(prefix.count).split(separator: " ")
        guard fields.count == 2, let iterations = Int(fields[0]), let retained = Int(fields[1]) else { return nil }
        return (iterations, retained)
    }
}
