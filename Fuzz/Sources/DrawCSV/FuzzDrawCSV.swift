import Foundation
import LotoFeatures

/// libFuzzer's entry: a draw CSV as `loto-features generate --input` reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDrawCSV(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? CSVDrawReader.parse(Data(bytes: start, count: count), name: "fuzz.csv")
    return 0
}
