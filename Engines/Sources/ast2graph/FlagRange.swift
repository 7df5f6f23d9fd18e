/// The ranges the numeric flags accept. Each flag's text goes through `OptionValue.integer`
/// (`CheckedNumber`), so a value that does not fit (huge, negative, fractional, NaN) is a
/// one-line usage error naming the flag, and nothing downstream converts or shifts an
/// unchecked number.
enum FlagRange {
    static let workers = 1...1024
    static let batchSize = 1...100_000
    /// Node offsets are 32-bit; 1 GiB also bounds the memory one file's bytes take.
    static let maxFileBytes = 1...(1 << 30)
    /// Up to 16 TiB: `<< 20` to bytes cannot overflow.
    static let memoryBudgetMiB = 16...(1 << 24)
}
