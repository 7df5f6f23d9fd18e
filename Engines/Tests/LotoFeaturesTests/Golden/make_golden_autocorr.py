"""Golden values for pipeline P5 (autocorrelation) and P11's Isolation Forest score, computed
by statsmodels, pandas and scikit-learn (dev tools, never runtime dependencies of loto-features).

    pip install pandas numpy statsmodels scikit-learn
    python3 Tests/LotoFeaturesTests/Golden/make_golden_autocorr.py

Writes
- autocorr_draws.csv: the input (header loto,unique_id,ds,y,num,co; small series with edge cases);
- autocorr.csv (features_stat, one row per series, on the present values with NaN dropped):
  stat_acf_lag{k} = statsmodels.tsa.stattools.acf(x, nlags=10, fft=False)[k] (adjusted=False),
  stat_pacf_lag{k} = statsmodels.tsa.stattools.pacf(x, nlags=10)[k] (method="ywadjusted", the
  default), k = 1..10; empty where statsmodels returns NaN, returns fewer lags (acf when
  len(x) <= k) or raises (pacf when 10 > len(x) // 2, i.e. len(x) < 20);
- autocorr_hist.csv (features_hist, one row per draw, key plus ds):
  hist_y_roll_autocorr1_w{w} = y.rolling(w).apply(lambda s: s.autocorr(1), raw=False),
  hist_y_roll_corr_num_w{w} = y.rolling(w).corr(num) (num as float, NaN where missing), w = 30, 90;
- iforest.csv (one row per draw, key plus ds): sklearn_score = -IsolationForest(n_estimators=100,
  max_samples=min(256, rows), random_state=0).fit(X).score_samples(X) on the points
  X = (y_t, y_t - y_{t-1}) of the draws where both are present; empty elsewhere and on series
  with fewer than 2 such rows. loto-features' own forest is seeded differently, so the Swift test
  compares ranks (Spearman), not values.

Only documented deviation applied: +/-inf is written as NULL (empty), as the store does.
Made with Python 3.11.7, numpy 2.4.6, pandas 3.1.1, statsmodels 0.15.0, scikit-learn 1.9.1.
"""
import os
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
NLAGS = 10
WINDOWS = [30, 90]


def series():
    rng = np.random.default_rng(20261123)
    out = []

    def add(loto, uid, values, nums=None, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        if nums is None:
            nums = [i + 1 for i in range(len(values))]
        for i, (d, v, num) in enumerate(zip(days, values, nums)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, num, 1000 * i))

    def ints(low, high, size):
        return list(rng.integers(low, high + 1, size=size).astype(float))

    add("edge", "short", [3.0, 1.0, 4.0, 1.0, 5.0])                      # ACF lags >= 5 and every PACF NULL
    add("edge", "p19", ints(1, 43, 19))                                    # PACF NULL: 10 > 19 // 2
    add("edge", "p20", ints(1, 43, 20))                                    # PACF at the boundary 10 == 20 // 2
    add("edge", "const", [7.0] * 100)                                      # ACF 0/0, PACF 0 (pinv), iforest 0.5
    add("edge", "ties", ints(1, 3, 130))                                   # many ties
    add("edge", "alt", [1.0, 2.0] * 20)                                    # singular Yule-Walker: pinv
    add("edge", "period3", [1.0, 5.0, 2.0] * 15)                           # singular from order 4: pinv
    gaps = ints(1, 43, 150)
    for i in (0, 5, 40, 41, 99):
        gaps[i] = float("nan")                                             # empty y in the CSV
    gap_nums = [i + 1 + (3 if i >= 60 else 0) for i in range(150)]         # a jump in the draw number
    gap_nums[70] = None                                                    # empty num in the CSV
    add("edge", "gaps", gaps, gap_nums)
    add("edge", "plateau", ints(1, 43, 60) + [12.0] * 45 + ints(1, 43, 60))  # constant windows
    # Non-integer values near 1e7 and draw numbers near 1e6: the running sums' cancellation.
    add("edge", "large", list(1e7 + rng.normal(0, 1000, size=140).round(3)),
        [900_000 + 2 * i for i in range(140)])
    outlier = ints(1, 43, 200)
    outlier[120] = 1000.0                                                  # a planted outlier draw
    add("edge", "outlier", outlier)
    t = np.arange(500)
    trend = np.clip(np.round(5 + 30 * t / 500 + rng.normal(0, 6, size=500)), 1, 43)
    add("loto6", "N1", list(trend.astype(float)), [101 + i for i in range(500)], start="2011-04-04", step=4)
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def stat(frame):
    from statsmodels.tsa.stattools import acf, pacf
    rows = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        x = s["y"].dropna().to_numpy(dtype=float)
        row = {"loto": loto, "unique_id": uid}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = acf(x, nlags=NLAGS, fft=False) if len(x) > 0 else np.array([])
            try:
                p = pacf(x, nlags=NLAGS)
            except ValueError:
                p = np.full(NLAGS + 1, np.nan)
        for k in range(1, NLAGS + 1):
            row[f"stat_acf_lag{k}"] = a[k] if k < len(a) else np.nan
        for k in range(1, NLAGS + 1):
            row[f"stat_pacf_lag{k}"] = p[k]
        rows.append(row)
    return pd.DataFrame(rows)


def hist(frame):
    parts = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        s = s.reset_index(drop=True)
        y = s["y"].astype(float)
        num = s["num"].astype(float)
        cols = {"loto": s["loto"], "unique_id": s["unique_id"], "ds": s["ds"]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for w in WINDOWS:
                cols[f"hist_y_roll_autocorr1_w{w}"] = y.rolling(w).apply(lambda v: v.autocorr(1), raw=False)
            for w in WINDOWS:
                cols[f"hist_y_roll_corr_num_w{w}"] = y.rolling(w).corr(num)
        parts.append(pd.DataFrame(cols))
    return pd.concat(parts, ignore_index=True).replace([np.inf, -np.inf], np.nan)


def iforest(frame):
    from sklearn.ensemble import IsolationForest
    parts = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        y = s["y"].to_numpy(dtype=float)
        previous = np.concatenate([[np.nan], y[:-1]])
        X = np.column_stack([y, y - previous])
        ok = ~np.isnan(X).any(axis=1)
        score = np.full(len(y), np.nan)
        rows = int(ok.sum())
        if rows >= 2:
            forest = IsolationForest(n_estimators=100, max_samples=min(256, rows), random_state=0).fit(X[ok])
            score[ok] = -forest.score_samples(X[ok])
        parts.append(pd.DataFrame({"loto": s["loto"].to_numpy(), "unique_id": s["unique_id"].to_numpy(),
                                   "ds": s["ds"].to_numpy(), "sklearn_score": score}))
    return pd.concat(parts, ignore_index=True)


if __name__ == "__main__":
    frame = series()
    frame["num"] = frame["num"].astype("Int64")
    frame.to_csv(os.path.join(HERE, "autocorr_draws.csv"), index=False, na_rep="", float_format="%.17g")
    reread = pd.read_csv(os.path.join(HERE, "autocorr_draws.csv"))
    write = dict(index=False, na_rep="", float_format="%.17g")
    stat(reread).to_csv(os.path.join(HERE, "autocorr.csv"), **write)
    hist(reread).to_csv(os.path.join(HERE, "autocorr_hist.csv"), **write)
    iforest(reread).to_csv(os.path.join(HERE, "iforest.csv"), **write)
    import sklearn
    import statsmodels
    print("numpy", np.__version__, "pandas", pd.__version__, "statsmodels", statsmodels.__version__,
          "scikit-learn", sklearn.__version__)
