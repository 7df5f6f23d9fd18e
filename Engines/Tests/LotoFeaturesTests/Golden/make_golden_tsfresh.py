"""Golden values for TsfreshFeatures (pipeline P6), computed by tsfresh (a dev tool, never a
runtime dependency of loto-features).

    pip install tsfresh==0.21.2       # brings numpy, pandas, scipy, statsmodels, stumpy, pywavelets
    python3 Tests/LotoFeaturesTests/Golden/make_golden_tsfresh.py

Made with tsfresh 0.21.2, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, statsmodels 0.15.0 (the
versions are printed at the end). Writes tsfresh_draws.csv (the input, in the engine's CSV
format) and tsfresh.csv (one row per series: the features of the present values in draw order).

Each value is a direct call of tsfresh.feature_extraction.feature_calculators on x (a float64
numpy array), with the parameters of SETTINGS:
    abs_energy(x)
    agg_autocorrelation(x, param=[{"f_agg": f, "maxlag": 40} for f in ("mean", "median", "var")])
    approximate_entropy(x, m=2, r=0.1)
    benford_correlation(x)
    c3(x, lag=1), c3(x, lag=2), c3(x, lag=3)
    cid_ce(x, normalize=True)
    count_above_mean(x), count_below_mean(x)
    fft_aggregated(x, param=[{"aggtype": a} for a in ("centroid", "variance", "skew", "kurtosis")])
    index_mass_quantile(x, param=[{"q": 0.25}, {"q": 0.5}, {"q": 0.75}])
    longest_strike_above_mean(x), longest_strike_below_mean(x)
    number_peaks(x, n=3), number_peaks(x, n=5)
    ratio_value_number_to_time_series_length(x)
    sample_entropy(x)
    mean_change(x), mean_second_derivative_central(x)
    percentage_of_reoccurring_values_to_all_values(x), sum_of_reoccurring_values(x)
    ratio_beyond_r_sigma(x, r=1), ratio_beyond_r_sigma(x, r=2)
    binned_entropy(x, max_bins=10)
    lempel_ziv_complexity(x, bins=10)
    time_reversal_asymmetry_statistic(x, lag=1), ... lag=2, ... lag=3
    variation_coefficient(x)
The feature names are tsfresh's own: the columns of
    extract_features(frame, column_id="id", column_sort="ds", column_value="y",
                     default_fc_parameters=SETTINGS, disable_progressbar=True, n_jobs=0)
(without the "y__" prefix), checked to equal the names of the direct calls, in order, and
extract_features' values checked to equal the direct calls' values.
Column = "stat_tsfresh_" + name with '"' dropped, '.' replaced by '_', lowercased.
Only documented deviations applied: a call that raises ValueError (np.histogram refusing a range
of a few ulps; extract_features would fail there) and any non-finite value (NaN, +/-inf) are
written as NULL (empty), as the store does.
"""
import os
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))

# The settings dict, in column order (also what the benchmark passes to extract_features).
SETTINGS = {
    "abs_energy": None,
    "agg_autocorrelation": [{"f_agg": f, "maxlag": 40} for f in ("mean", "median", "var")],
    "approximate_entropy": [{"m": 2, "r": 0.1}],
    "benford_correlation": None,
    "c3": [{"lag": 1}, {"lag": 2}, {"lag": 3}],
    "cid_ce": [{"normalize": True}],
    "count_above_mean": None,
    "count_below_mean": None,
    "fft_aggregated": [{"aggtype": a} for a in ("centroid", "variance", "skew", "kurtosis")],
    "index_mass_quantile": [{"q": 0.25}, {"q": 0.5}, {"q": 0.75}],
    "longest_strike_above_mean": None,
    "longest_strike_below_mean": None,
    "number_peaks": [{"n": 3}, {"n": 5}],
    "ratio_value_number_to_time_series_length": None,
    "sample_entropy": None,
    "mean_change": None,
    "mean_second_derivative_central": None,
    "percentage_of_reoccurring_values_to_all_values": None,
    "sum_of_reoccurring_values": None,
    "ratio_beyond_r_sigma": [{"r": 1}, {"r": 2}],
    "binned_entropy": [{"max_bins": 10}],
    "lempel_ziv_complexity": [{"bins": 10}],
    "time_reversal_asymmetry_statistic": [{"lag": 1}, {"lag": 2}, {"lag": 3}],
    "variation_coefficient": None,
}


def column(name):
    return "stat_tsfresh_" + name.replace('"', "").replace(".", "_").lower()


def direct(x):
    """(name, value) of every feature, by direct calls of the feature calculators."""
    from tsfresh.feature_extraction import feature_calculators as fc
    from tsfresh.utilities.string_manipulation import convert_to_output_format

    def call(f, *args, **kwargs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return f(*args, **kwargs)
        except ValueError:
            return float("nan")  # e.g. np.histogram: "Too many bins for data range"

    out = []
    for function, params in SETTINGS.items():
        f = getattr(fc, function)
        if f.fctype == "combiner":
            result = call(lambda: list(f(x, param=params)))
            if not isinstance(result, list):
                names = [f"{function}__{key}" for key, _ in f(np.arange(100.0), param=params)]
                result = [(name[len(function) + 2:], result) for name in names]
            out += [(f"{function}__{key}", value) for key, value in result]
        elif params is None:
            out.append((function, call(f, x)))
        else:
            out += [(f"{function}__{convert_to_output_format(p)}", call(f, x, **p)) for p in params]
    return [(name, float(value)) for name, value in out]


def tie_r(rng, mean, k):
    """Integers mean + d, d in {+-9, +-10, +-11} (21k, k, 19k of each sign): the population
    std is exactly 10, so approximate_entropy's 0.1 * std is exactly 1.0 and sample_entropy's
    0.2 * std exactly 2.0, and both tolerances sit on differences of the data (d <= r)."""
    d = [9] * (21 * k) + [10] * k + [11] * (19 * k)
    d = np.array(d + [-v for v in d], dtype=float)
    rng.shuffle(d)
    x = mean + d
    assert np.std(x) == 10.0 and 0.1 * np.std(x) == 1.0 and 0.2 * np.std(x) == 2.0
    return list(x)


def series():
    rng = np.random.default_rng(20261206)
    out = []

    def add(loto, uid, values, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, 1000 * i))

    add("edge", "one", [4.0])
    add("edge", "two", [2.0, 7.0])
    add("edge", "three", [5.0, 2.0, 8.0])
    add("edge", "four", [5.0, 2.0, 8.0, 3.0])                              # approximate_entropy N = m + 2
    add("edge", "short", [1.0, 2.0, 1.0, 2.0, 5.0, 9.0, 3.0])           # sample_entropy: A = 0 (+inf)
    add("edge", "const", [7.0] * 100)
    add("edge", "zeros", [0.0] * 30)                                       # sum |x| = 0: NaN mass, centroid
    add("edge", "tiny", list(1.0 + 1e-6 * rng.normal(size=60)))           # var < 1e-10: zero autocorrelations
    add("edge", "ties", list(rng.integers(1, 4, size=130).astype(float)))
    nan_y = list(rng.integers(1, 44, size=120).astype(float))
    for i in (0, 5, 40, 41, 99):
        nan_y[i] = float("nan")                                             # empty y: dropped
    add("edge", "gaps", nan_y)
    add("edge", "tie_r", tie_r(rng, 20.0, 3))                               # |d| == r in both entropies
    add("edge", "large", list(1e7 + rng.normal(0, 1000, size=140).round(3)))
    add("edge", "signed", list(rng.normal(0, 3, size=90).round(2)))        # mean near 0, mixed signs
    trend = np.clip(np.round(np.linspace(5, 35, 480) + rng.normal(0, 6, size=480)), 1, 43)
    add("loto6", "N1", list(trend.astype(float)), start="2011-04-04", step=4)
    add("loto7", "N7", list(rng.integers(1, 38, size=95).astype(float)), start="2013-04-05", step=7)
    # 1,999 (prime): numpy's rfft uses Bluestein; more than 1,250: statsmodels' acf by FFT.
    add("loto6", "N3", list(rng.integers(1, 44, size=1999).astype(float)), start="1999-01-07", step=3)
    add("numbers", "N1", list(rng.integers(0, 10, size=2000).astype(float)), start="1994-10-07", step=1)
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def stat(frame):
    from tsfresh import extract_features

    frame = frame.dropna(subset=["y"]).copy()
    frame["id"] = frame["loto"] + "/" + frame["unique_id"]
    extracted = extract_features(
        frame[["id", "ds", "y"]], column_id="id", column_sort="ds", column_value="y",
        default_fc_parameters=SETTINGS, disable_progressbar=True, n_jobs=0)
    names = [c[len("y__"):] for c in extracted.columns]

    rows = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        x = s.sort_values("ds")["y"].to_numpy(dtype=float)
        pairs = direct(x)
        assert [name for name, _ in pairs] == names, "direct-call names differ from extract_features'"
        for name, value in pairs:
            other = float(extracted.loc[f"{loto}/{uid}", "y__" + name])
            assert (np.isnan(value) and np.isnan(other)) or value == other, (loto, uid, name, value, other)
        row = {"loto": loto, "unique_id": uid}
        row.update({column(name): value if np.isfinite(value) else float("nan") for name, value in pairs})
        rows.append(row)
    columns = [column(name) for name in names]
    assert all(len(c) <= 63 and c.replace("_", "").isalnum() and c == c.lower() for c in columns)
    return pd.DataFrame(rows, columns=["loto", "unique_id"] + columns), names


if __name__ == "__main__":
    frame = series()
    frame.to_csv(os.path.join(HERE, "tsfresh_draws.csv"), index=False, na_rep="", float_format="%.17g")
    reread = pd.read_csv(os.path.join(HERE, "tsfresh_draws.csv"))
    table, names = stat(reread)
    table.to_csv(os.path.join(HERE, "tsfresh.csv"), index=False, na_rep="", float_format="%.17g")
    for name in names:
        print(f"{name}  ->  {column(name)}")
    import scipy, statsmodels, tsfresh
    print("tsfresh", tsfresh.__version__, "numpy", np.__version__, "pandas", pd.__version__,
          "scipy", scipy.__version__, "statsmodels", statsmodels.__version__)
