import Foundation
import SoakGate

/// libFuzzer's entry: a gate policy as `soakgate gate --policy` reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGatePolicy(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? GatePolicy.read(from: Data(bytes: start, count: count), path: "fuzz.json")
    return 0
}
