import Foundation
import IssueStream

/// libFuzzer's entry: a page of GitHub's issue list as issue-stream reads it. The first line is
/// the `link` header, the rest the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIssuePage(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let newline = bytes.firstIndex(of: 0x0A) ?? count
    let header = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Data(bytes[min(newline + 1, count)...])
    _ = try? UntrustedPage.triage(body: body, linkHeader: header.isEmpty ? nil : header)
    return 0
}
