import Foundation
import SoakGate

/// libFuzzer's entry: a leak report as `soakgate report` and `soakgate gate` read it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLeakReport(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? LeakReport.read(from: Data(bytes: start, count: count), path: "fuzz.json")
    return 0
}
