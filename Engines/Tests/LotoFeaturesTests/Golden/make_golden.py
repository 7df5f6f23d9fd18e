"""Golden values for LotoFeaturesTests, computed by pandas (a dev tool, never a runtime
dependency of loto-features).

    pip install pandas numpy
    python3 Tests/LotoFeaturesTests/Golden/make_golden.py

Writes draws.csv (the input: small series with the edge cases), hist.csv (features_hist as
pandas computes it) and stat.csv (pandas' skew/kurtosis and the other global statistics, and
Nixtla's tsfeatures with freq=1 on the present values: pip install tsfeatures==0.4.5, which
brings statsmodels and supersmoother; stl_features fits supersmoother's SuperSmoother as the
trend). Made with pandas 3.1.1, numpy 2.4.6 (its bundled OpenBLAS ran its SkylakeX kernel: the
SuperSmoother's window sums, and so the last stl_features digits of series with fractional
values such as edge/large, follow that kernel's summation order; the Swift test allows 1e-7
relative there), statsmodels 0.15.0, supersmoother 0.4.
Only documented deviation applied: +/-inf is written as NULL (empty), as the store does.
"""
import os
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
LAGS = [1, 2, 3, 7, 14, 21, 28, 30, 60]
WINDOWS = [3, 7, 14, 21, 30, 60, 90]


def series():
    rng = np.random.default_rng(20261122)
    out = []

    def add(loto, uid, values, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, 1000 * i))

    add("edge", "short", [3.0, 1.0, 4.0, 1.0, 5.0])                      # shorter than most windows
    add("edge", "const", [7.0] * 100)                                     # constant: std 0, zscore NULL
    add("edge", "ties", list(rng.integers(1, 4, size=130).astype(float)))  # many ties in every window
    nan_y = list(rng.integers(1, 44, size=120).astype(float))
    for i in (0, 5, 40, 41, 99):
        nan_y[i] = float("nan")                                            # empty y in the CSV
    add("edge", "gaps", nan_y)
    add("edge", "zeros", list(rng.integers(0, 10, size=110).astype(float)))  # pct_change from 0
    # Large values: std is compared within 1e-6 absolute. At 1e9 pandas' own online (Welford)
    # update drifts by up to 7e-6 from the exact rational result, which loto-features matches;
    # 1e7 keeps pandas itself inside the tolerance.
    add("edge", "large", list(1e7 + rng.normal(0, 1000, size=140).round(3)))
    add("loto6", "N1", list(rng.integers(1, 44, size=200).astype(float)), start="2011-04-04", step=4)
    add("loto7", "N7", list(rng.integers(1, 38, size=95).astype(float)), start="2013-04-05", step=7)
    frame = pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])
    return frame


def hist(frame):
    frame = frame.sort_values(["loto", "unique_id", "ds"]).reset_index(drop=True)
    g = frame.groupby(["loto", "unique_id"], sort=False)["y"]
    cols = {}
    for k in LAGS:
        cols[f"hist_y_lag{k}"] = g.shift(k)
    rolled = {}
    for w in WINDOWS:
        r = lambda f: g.transform(lambda s: f(s.rolling(w, min_periods=w)))
        mean = r(lambda x: x.mean())
        std = r(lambda x: x.std(ddof=1))
        q25 = r(lambda x: x.quantile(0.25, interpolation="linear"))
        q75 = r(lambda x: x.quantile(0.75, interpolation="linear"))
        cols[f"hist_y_roll_mean_w{w}"] = mean
        cols[f"hist_y_roll_std_w{w}"] = std
        cols[f"hist_y_roll_min_w{w}"] = r(lambda x: x.min())
        cols[f"hist_y_roll_max_w{w}"] = r(lambda x: x.max())
        cols[f"hist_y_roll_median_w{w}"] = r(lambda x: x.median())
        cols[f"hist_y_roll_q25_w{w}"] = q25
        cols[f"hist_y_roll_q75_w{w}"] = q75
        rolled[w] = (mean, std, q25, q75)
    for w in WINDOWS:
        cols[f"hist_y_roll_iqr_w{w}"] = rolled[w][3] - rolled[w][2]
    for w in WINDOWS:
        cols[f"hist_y_roll_zscore_w{w}"] = (frame["y"] - rolled[w][0]) / rolled[w][1]
    cols["hist_y_diff1"] = g.diff(1)
    cols["hist_y_diff7"] = g.diff(7)
    cols["hist_y_pct_change1"] = g.pct_change(1, fill_method=None)
    out = pd.concat([frame[["loto", "unique_id", "ds"]], pd.DataFrame(cols)], axis=1)
    return out.replace([np.inf, -np.inf], np.nan)


def tsfeatures_of(x):
    import importlib
    f = importlib.import_module("tsfeatures.tsfeatures")  # the module, not the same-named function
    out = {}
    for function in (f.acf_features, f.lumpiness, f.stability, f.crossing_points, f.flat_spots, f.entropy, f.hurst,
                     f.stl_features):
        for name, value in function(x, freq=1).items():
            if name in ("x_acf1", "x_acf10", "diff1_acf1", "diff1_acf10", "diff2_acf1", "diff2_acf10", "lumpiness",
                        "stability", "crossing_points", "flat_spots", "entropy", "hurst",
                        "trend", "spike", "linearity", "curvature", "e_acf1", "e_acf10"):
                out["stat_ts_" + name] = value
    return out


def stat(frame):
    rows = []
    for (loto, uid), s in frame.sort_values(["loto", "unique_id", "ds"]).groupby(["loto", "unique_id"], sort=True):
        y = s["y"]
        rows.append({
            "loto": loto, "unique_id": uid,
            "stat_y_count": y.count(), "stat_y_mean": y.mean(), "stat_y_std": y.std(),
            "stat_y_min": y.min(), "stat_y_max": y.max(), "stat_y_median": y.median(),
            "stat_y_q25": y.quantile(0.25), "stat_y_q75": y.quantile(0.75),
            "stat_y_skew": y.skew(), "stat_y_kurt": y.kurt(),
            **tsfeatures_of(y.dropna().to_numpy(dtype=float)),
        })
    return pd.DataFrame(rows)


if __name__ == "__main__":
    frame = series()
    frame.to_csv(os.path.join(HERE, "draws.csv"), index=False, na_rep="", float_format="%.17g")
    reread = pd.read_csv(os.path.join(HERE, "draws.csv"))
    hist(reread).to_csv(os.path.join(HERE, "hist.csv"), index=False, na_rep="", float_format="%.17g")
    stat(reread).to_csv(os.path.join(HERE, "stat.csv"), index=False, na_rep="", float_format="%.17g")
    import statsmodels, supersmoother
    print("pandas", pd.__version__, "numpy", np.__version__, "statsmodels", statsmodels.__version__,
          "supersmoother", supersmoother.__version__)
