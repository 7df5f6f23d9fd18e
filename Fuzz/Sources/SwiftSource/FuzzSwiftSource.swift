import ASTGraph

/// libFuzzer's entry: a Swift source file as ast2graph reads it (bytes, not necessarily UTF-8).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSwiftSource(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = GraphBuilder().build(path: "fuzz.swift", source: Array(UnsafeBufferPointer(start: start, count: count)))
    return 0
}
