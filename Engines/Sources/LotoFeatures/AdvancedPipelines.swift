/// P6, tsfresh: a chosen set of tsfresh's feature calculators with fixed parameters
/// (``TsfreshFeatures``), series level.
public struct TsfreshPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p6 }
    public var title: String { "tsfresh advanced" }
    public var reference: String { "tsfresh feature calculators" }
    public var columns: [FeatureColumn] { Self.stat(TsfreshFeatures.columns, id) }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(stat: TsfreshFeatures.compute(series.y.filter { !$0.isNaN }))
    }
}

/// P8, catch22: the 22 canonical features and catch24's mean and spread, series level, and five
/// of them over a rolling window of 90 draws (``Catch22Features``).
public struct Catch22Pipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p8 }
    public var title: String { "catch22" }
    public var reference: String { "pycatch22 catch22_all(catch24=True)" }
    public var columns: [FeatureColumn] {
        Self.hist(Catch22Features.rollingColumns, id) + Self.stat(Catch22Features.columns, id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(
            hist: Catch22Features.rolling(series.y), stat: Catch22Features.compute(series.y.filter { !$0.isNaN }))
    }
}

/// P10, matrix profile: the self-join matrix profile for subsequence lengths 8 and 26, its
/// statistics, top motif pairs and discords (``MatrixProfileFeatures``), series level.
public struct MatrixProfilePipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p10 }
    public var title: String { "matrix profile" }
    public var reference: String { "stumpy stump" }
    public var columns: [FeatureColumn] {
        MatrixProfileFeatures.columns.map { name in
            FeatureColumn(
                name, MatrixProfileFeatures.integerColumns.contains(name) ? .integer : .float, table: .stat,
                pipeline: id)
        }
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(stat: MatrixProfileFeatures.compute(series.y.filter { !$0.isNaN }))
    }
}

/// P13, lottery domain: hot and cold numbers, gaps, streaks, the draw's balance and the
/// prize's correlation with it (``LotteryFeatures``), from the game's draws across positions.
public struct LotteryPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p13 }
    public var title: String { "lottery domain" }
    public var reference: String { "hand-computed draws" }
    public var columns: [FeatureColumn] {
        LotteryFeatures.histColumns.map { name in
            FeatureColumn(
                name, LotteryFeatures.integerColumns.contains(name) ? .integer : .float, table: .hist, pipeline: id)
        } + Self.stat(LotteryFeatures.statColumns, id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        let (hist, stat) = LotteryFeatures.compute(series, draws: context.draws)
        return PipelineOutput(hist: hist, stat: stat)
    }
}
