import HeapProbe

/// One reading of the heap at a checkpoint of a measurement.
public struct HeapSample: Sendable, Equatable, Codable {
    /// Iterations completed when the heap was read (0 for the baseline).
    public var iterations: Int
    /// Live bytes beyond the baseline: the growth the verdict is about.
    public var retainedBytes: Int
    /// The allocator's and the process's figures at that moment.
    public var heap: HeapSnapshot
    /// Seconds since the baseline was read.
    public var elapsedSeconds: Double

    public init(iterations: Int, retainedBytes: Int, heap: HeapSnapshot, elapsedSeconds: Double) {
        self.iterations = iterations
        self.retainedBytes = retainedBytes
        self.heap = heap
        self.elapsedSeconds = elapsedSeconds
    }
}

extension Array where Element == HeapSample {
    /// The sample taken at exactly `iterations`, if there is one.
    func sample(at iterations: Int) -> HeapSample? {
        for sample in self where sample.iterations == iterations { return sample }
        return nil
    }
}
