#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the process's resident set size from `/proc/self/statm` without touching the heap,
/// so it can run between two live-byte readings without disturbing them.
enum ProcessResidentSize {
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Resident bytes, or 0 where `/proc` cannot be read.
    // A StaticString is null-terminated in the binary: passing it to open(2) copies nothing,
    // where a String argument may be copied to the heap.
    private static let path: StaticString = "/proc/self/statm"

    static func read() -> Int {
        let fd = path.utf8Start.withMemoryRebound(to: CChar.self, capacity: path.utf8CodeUnitCount + 1) {
            open($0, O_RDONLY | O_CLOEXEC)
        }
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> Int in
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return 0 }
            // statm: "size resident shared text lib data dt", in pages.
            var field = 0
            var value = 0
            for index in 0..<count {
                let byte = buffer[index]
                if byte == UInt8(ascii: " ") {
                    if field == 1 { break }
                    field += 1
                    value = 0
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    value = value &* 10 &+ Int(byte &- UInt8(ascii: "0"))
                }
            }
            return field == 1 ? value &* pageSize : 0
        }
    }
}
