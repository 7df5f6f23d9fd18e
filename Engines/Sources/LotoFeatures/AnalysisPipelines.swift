/// P4, trend and seasonality: statsmodels' STL with the period the series' draw calendar
/// implies, tsfeatures' trend and seasonal strength, drawdown and drawup (``TrendFeatures``).
public struct TrendPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p4 }
    public var title: String { "trend and seasonality" }
    public var usesLaterDraws: Bool { true }
    public var reference: String { "statsmodels STL; tsfeatures stl_features strengths" }
    public var columns: [FeatureColumn] {
        var stat = Self.stat(TrendFeatures.statColumns, id)
        if let period = stat.firstIndex(where: { $0.name == "stat_stl_period" }) { stat[period].type = .integer }
        return Self.hist(TrendFeatures.histColumns, id) + stat
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        let period = TrendFeatures.period(days: series.days.map(\.daysSinceEpoch))
        let (stat, hist) = TrendFeatures.compute(series.y, period: period)
        return PipelineOutput(hist: hist, stat: stat)
    }
}

/// P5, autocorrelation: ACF and PACF at lags 1–10 of the series, and rolling lag-1
/// autocorrelation and correlation with the draw number (``AutocorrelationFeatures``).
public struct AutocorrelationPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p5 }
    public var title: String { "autocorrelation" }
    public var reference: String { "statsmodels acf/pacf; pandas rolling autocorr and corr" }
    public var columns: [FeatureColumn] {
        Self.hist(AutocorrelationFeatures.histColumns, id) + Self.stat(AutocorrelationFeatures.statColumns, id)
    }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(
            hist: AutocorrelationFeatures.hist(series.y, num: series.num),
            stat: AutocorrelationFeatures.stat(series.y.filter { !$0.isNaN }))
    }
}

/// P7, TSFEL spectral: the spectral and temporal-domain features that apply to an evenly
/// spaced series (``SpectralFeatures``), series level.
public struct SpectralPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p7 }
    public var title: String { "TSFEL spectral" }
    public var reference: String { "TSFEL spectral and temporal domains (fs = 1)" }
    public var columns: [FeatureColumn] { Self.stat(SpectralFeatures.columns, id) }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(stat: SpectralFeatures.compute(series.y.filter { !$0.isNaN }))
    }
}

/// P9, AntroPy entropy: entropies, Hjorth parameters, fractal dimensions and detrended
/// fluctuation analysis (``EntropyFeatures``), series level.
public struct EntropyPipeline: FeaturePipeline {
    public init() {}
    public var id: PipelineID { .p9 }
    public var title: String { "AntroPy entropy" }
    public var reference: String { "AntroPy entropy and fractal functions" }
    public var columns: [FeatureColumn] { Self.stat(EntropyFeatures.columns, id) }

    public func compute(_ series: DrawSeries, context: SeriesContext) -> PipelineOutput {
        PipelineOutput(stat: EntropyFeatures.compute(series.y.filter { !$0.isNaN }))
    }
}
