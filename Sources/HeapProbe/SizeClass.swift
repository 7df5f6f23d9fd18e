/// One of jemalloc's size classes: every allocation is rounded up to one of these.
///
/// Live counts per size class are the heap's equivalent of a per-type object count: a leak of
/// 48-byte objects shows as a growing count in the 48-byte class.
public struct SizeClass: Sendable, Equatable, Hashable, Codable {
    /// Small classes live in slabs (bins); large ones are whole extents.
    public enum Kind: String, Sendable, Codable {
        case small
        case large
    }

    /// The class's allocation size in bytes.
    public var size: Int
    public var kind: Kind
    /// Index of the bin (small) or large extent class (large) in jemalloc's tables.
    public var index: Int

    public init(size: Int, kind: Kind, index: Int) {
        self.size = size
        self.kind = kind
        self.index = index
    }
}
