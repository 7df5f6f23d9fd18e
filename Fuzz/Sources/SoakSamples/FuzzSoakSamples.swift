import Foundation
import SoakGate

/// A soak directory made once per process: the corpus's `soak.json`, and `samples.jsonl`
/// rewritten with each input.
private let directory: SoakDirectory = {
    let path = NSTemporaryDirectory() + "soakgate-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    // The soak's settings, shared with the corpus replay in `swift test`; ci/fuzz.sh runs
    // from the repository's root.
    let manifest = "Tests/FuzzCorpus/soak-samples.manifest.json"
    guard let settings = FileManager.default.contents(atPath: manifest) else {
        fatalError("run from the repository root: no \(manifest)")
    }
    FileManager.default.createFile(atPath: path + "/soak.json", contents: settings)
    return SoakDirectory(path: path)
}()

/// libFuzzer's entry: a soak's `samples.jsonl` as `soakgate report DIR` and `soak --resume`
/// read it, then analysed into a report as `soakgate report` does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSoakSamples(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    FileManager.default.createFile(atPath: directory.samplesPath, contents: Data(bytes: start, count: count))
    if let contents = try? directory.read() {
        _ = SoakAnalysis.report(contents, tool: LeakReport.Tool(name: "fuzz", version: "0"), state: "complete")
    }
    return 0
}
