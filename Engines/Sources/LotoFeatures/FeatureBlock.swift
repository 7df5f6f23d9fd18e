/// Computed features of one series for one table: one row per key, values row-major, NaN
/// where the table holds NULL.
public struct FeatureBlock: Sendable {
    /// The series the rows belong to.
    public var key: SeriesKey
    /// The row keys' days (empty for `features_stat`, which has one row per series).
    public var days: [CivilDay]
    /// The layout's non-text columns, in order (``TableLayout/numericColumns``).
    public var columnCount: Int
    /// `rowCount × columnCount` values, row by row; NaN (and, by the documented deviation,
    /// ±infinity) is stored as NULL.
    public var values: [Double]
    /// The layout's text columns (``TableLayout/textColumns``; features_stat has two); nil is NULL.
    public var texts: [String?]

    public init(key: SeriesKey, days: [CivilDay], columnCount: Int, values: [Double], texts: [String?] = []) {
        self.key = key
        self.days = days
        self.columnCount = columnCount
        self.values = values
        self.texts = texts
    }

    /// Rows in the block.
    public var rowCount: Int { columnCount == 0 ? 0 : values.count / columnCount }

    /// The value at a row and column, nil where the table holds NULL.
    public func value(row: Int, column: Int) -> Double? {
        let value = values[row * columnCount + column]
        return value.isFinite ? value : nil
    }

    /// Bytes the block holds, for the governor's accounting.
    public var byteCount: Int { values.count * 8 + days.count * 8 }

    /// Throws unless the block has the shape `layout` needs (a key day per row, its columns).
    public func check(for layout: TableLayout, target: String) throws {
        let table = layout.table
        let days = table.keyColumns.count == 3 ? rowCount : 0
        guard columnCount == layout.numericColumns.count, values.count % max(columnCount, 1) == 0,
            self.days.count == days, texts.count == layout.textColumns.count
        else {
            throw LotoFeaturesError.store(
                target: target,
                problem:
                    "a block of \(key) for \(table.name) has \(self.days.count) days for \(rowCount) rows of \(columnCount) columns; the batch was rolled back"
            )
        }
    }
}
