/// The tsfeatures set (Nixtla's `tsfeatures` definitions) of one series' present values.
public enum TimeSeriesFeatures {
    /// Columns, in order.
    public static let columns: [String] = []

    /// The features of `y` (missing values already dropped).
    public static func compute(_ y: [Double]) -> [Double] { [] }
}
