/// The fourteen pipelines of the lottery feature system (`../shared/loto-schema.md`).
public enum PipelineID: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case p1 = 1
    case p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14

    public var description: String { "P\(rawValue)" }

    public static func < (lhs: PipelineID, rhs: PipelineID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `P1,P4,…` (any case, any order); exit 2 naming the known ones otherwise.
    public static func parseList(_ text: String) throws -> [PipelineID] {
        var ids: [PipelineID] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces).uppercased()
            guard name.hasPrefix("P"), let number = Int(name.dropFirst()), let id = PipelineID(rawValue: number),
                FeaturePipelines.byID[id] != nil
            else {
                throw LotoFeaturesError.usage(
                    "--pipelines: unknown pipeline '\(part)'; the known ones are \(FeaturePipelines.all.map(\.id.description).joined(separator: ",")) (e.g. --pipelines P1,P4)"
                )
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids.sorted()
    }
}

/// What a series' features may need beyond the series itself.
public struct SeriesContext: Sendable {
    /// The game, when `loto` names one this engine knows (``LotoGame``).
    public var game: LotoGame?
    /// Draws of the whole game in the input: distinct draw days across its series.
    public var gameDrawCount: Int?
    /// Every position's draws of the game, for P13 (built only when P13 runs).
    public var draws: GameDraws?

    public init(game: LotoGame? = nil, gameDrawCount: Int? = nil, draws: GameDraws? = nil) {
        self.game = game
        self.gameDrawCount = gameDrawCount
        self.draws = draws
    }
}

/// One pipeline's values for one series, per table, in the order of its declared columns:
/// per-draw tables one array per column (one value per draw), features_stat one value per
/// non-text column and one text per text column.
public struct PipelineOutput: Sendable {
    public var hist: [[Double]] = []
    public var futr: [[Double]] = []
    public var stat: [Double] = []
    public var statTexts: [String?] = []

    public init(hist: [[Double]] = [], futr: [[Double]] = [], stat: [Double] = [], statTexts: [String?] = []) {
        self.hist = hist
        self.futr = futr
        self.stat = stat
        self.statTexts = statTexts
    }
}

/// A pipeline: the columns it computes (each in one table), where its definitions come from,
/// and its computation over one series. Pipelines are independent: each computes its columns
/// from the series alone, so any subset can run (`--pipelines`) and each is timed on its own.
public protocol FeaturePipeline: Sendable {
    var id: PipelineID { get }
    /// What it computes, e.g. "rolling windows".
    var title: String { get }
    /// The reference its values are tested against.
    var reference: String { get }
    /// Its columns, per table in the order ``compute(_:context:)`` returns them.
    var columns: [FeatureColumn] { get }
    /// True when a per-draw value depends on later draws (a decomposition or a model of the
    /// whole series): such columns are not causal, and extending a series rewrites its
    /// earlier rows in them.
    var usesLaterDraws: Bool { get }
    func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput
}

extension FeaturePipeline {
    public var usesLaterDraws: Bool { false }

    /// Its columns in `table`.
    public func columns(in table: FeatureTable) -> [FeatureColumn] { columns.filter { $0.table == table } }

    /// The tables it writes to, in table order.
    public var tables: [FeatureTable] { FeatureTable.allCases.filter { !columns(in: $0).isEmpty } }

    static func hist(_ names: [String], _ pipeline: PipelineID, type: ColumnType = .float) -> [FeatureColumn] {
        names.map { FeatureColumn($0, type, table: .hist, pipeline: pipeline) }
    }

    static func stat(_ names: [String], _ pipeline: PipelineID, type: ColumnType = .float) -> [FeatureColumn] {
        names.map { FeatureColumn($0, type, table: .stat, pipeline: pipeline) }
    }
}

/// The pipelines this engine has.
public enum FeaturePipelines {
    /// Every pipeline, in id order.
    public static let all: [any FeaturePipeline] = [
        BasicStatisticsPipeline(), RollingWindowPipeline(), LagPipeline(), TrendPipeline(), AutocorrelationPipeline(),
        TsfreshPipeline(), SpectralPipeline(), Catch22Pipeline(), EntropyPipeline(), MatrixProfilePipeline(),
        AnomalyPipeline(), CalendarPipeline(), LotteryPipeline(), StaticPipeline(),
    ]

    public static let byID: [PipelineID: any FeaturePipeline] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// The pipelines whose per-draw values use only the draw and earlier ones.
    public static var causal: [PipelineID] { all.filter { !$0.usesLaterDraws }.map(\.id) }

    /// The pipelines with these ids, in id order.
    public static func select(_ ids: [PipelineID]) -> [any FeaturePipeline] {
        all.filter { ids.contains($0.id) }
    }
}

/// The columns of one table a run writes: the chosen pipelines' columns, in table order.
public struct TableLayout: Sendable {
    public let table: FeatureTable
    /// The chosen columns in table order.
    public let columns: [FeatureColumn]
    /// Every column of the table (what the store creates and checks), in table order.
    public let fullColumns: [FeatureColumn]

    /// The columns of `pipelines` in `table`; with `schemaOnly`, only those the schema lists.
    public init(table: FeatureTable, pipelines: [any FeaturePipeline], schemaOnly: Bool = false) {
        self.table = table
        let chosen = Set(pipelines.map(\.id))
        fullColumns = table.columns
        columns = fullColumns.enumerated().filter { index, column in
            chosen.contains(column.pipeline) && (!schemaOnly || index < table.schemaColumnCount)
        }.map(\.element)
    }

    /// The chosen non-text columns (a block's values) and text columns (its texts).
    public var numericColumns: [FeatureColumn] { columns.filter { !$0.type.isText } }
    public var textColumns: [FeatureColumn] { columns.filter { $0.type.isText } }
}

extension FeatureTable {
    /// Every value column in table order: the schema's, then each pipeline's own in pipeline
    /// order. (`created_at` and `updated_at`, between the two, are the stores' own.)
    public var columns: [FeatureColumn] { Self.columnsByTable[self]! }

    private static let columnsByTable: [FeatureTable: [FeatureColumn]] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, $0.orderedColumns()) })

    private func orderedColumns() -> [FeatureColumn] {
        let schema = FeatureSchema.columns(of: self)
        let declared = FeaturePipelines.all.flatMap { $0.columns(in: self) }
        var ordered: [FeatureColumn] = []
        for (name, type) in schema {
            guard var column = declared.first(where: { $0.name == name }) else {
                preconditionFailure("no pipeline computes the schema column \(name)")
            }
            column.type = type
            ordered.append(column)
        }
        let schemaNames = Set(schema.map(\.0))
        ordered += declared.filter { !schemaNames.contains($0.name) }
        return ordered
    }

    /// The schema's columns (before the timestamps); the rest are this project's own.
    public var schemaColumnCount: Int { FeatureSchema.columns(of: self).count }

    /// Column names in table order, key and timestamps included.
    public var allColumnNames: [String] {
        let names = columns.map(\.name)
        return keyColumns + names[..<schemaColumnCount] + FeatureSchema.timestampColumns
            + names[schemaColumnCount...]
    }
}
