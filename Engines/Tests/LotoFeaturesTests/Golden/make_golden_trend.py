"""Golden values for pipeline P4 (trend and seasonality: TrendFeatures, STLDecomposition).

    pip install numpy pandas statsmodels tsfeatures
    python3 Tests/LotoFeaturesTests/Golden/make_golden_trend.py

Made with numpy 2.4.6, pandas 3.1.1, statsmodels 0.15.0, tsfeatures 0.4.5 (Python 3.11).

Writes trend_draws.csv (the input, in the engine's CSV format) and trend.csv (one row per draw:
loto, unique_id, ds, the per-draw columns, then the series-level columns repeated on every row
of the series; empty = NULL).

- period: round(7 / mean gap in days) * 52 (Python's round: halves to even); none below 2 draws
  or under half a draw a week.
- STL: statsmodels.tsa.seasonal.STL(x, period=period).fit() with every default (seasonal=7,
  trend and low_pass by statsmodels' rules, degrees 1, jumps 1, robust=False: 5 inner
  iterations, no outer ones), fitted on the present values in order; NULL when there is no
  period or fewer than 2 periods of present values. The per-draw parts are NULL on missing draws.
- Strengths: tsfeatures' stl_features formulas (copied below as `strengths`, np.nanvar ddof=1),
  applied to that STL fit. Unlike tsfeatures, which fits STL(x, m, 13), the seasonal smoother
  has statsmodels' default length 7; the script asserts that `strengths` on STL(x, m, 13)
  reproduces tsfeatures.stl_features(x, freq=m) on the long series, i.e. the formulas are
  tsfeatures' own.
- Drawdown / drawup: s.rolling(w, min_periods=w).max() - s and s - ....min() for w = 30, 90;
  series level: max of (running max - x) and of (x - running min) over the present values.
"""
import importlib
import os

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import STL

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOWS = [30, 90]


def calendar(start, gaps, count):
    """`count` draw days from `start`, stepping through `gaps` cyclically."""
    day = pd.Timestamp(start)
    days = []
    for i in range(count):
        days.append(day)
        day = day + pd.Timedelta(days=gaps[i % len(gaps)])
    return days


def series():
    rng = np.random.default_rng(20261123)
    out = []

    def add(loto, uid, days, values):
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, float(1000 * (i % 7))))

    t = np.arange(520)
    # Twice weekly (Thu, Mon): period 104; trend + yearly seasonality + noise.
    y = 20 + 0.02 * t + 5 * np.sin(2 * np.pi * t / 104) + 2 * np.cos(4 * np.pi * t / 104) + rng.normal(0, 1.5, 520)
    add("loto6", "N1", calendar("2020-01-02", [4, 3], 520), list(np.round(y, 2)))
    # Lottery-like integers on the same calendar, exactly 2 periods long (the shortest STL fit).
    add("loto6", "N2", calendar("2020-01-02", [4, 3], 208), list(rng.integers(1, 44, 208).astype(float)))
    # Mon-Fri (numbers3): period 260, digits 0-9.
    add("numbers3", "N1", calendar("2020-01-06", [1, 1, 1, 1, 3], 540), list(rng.integers(0, 10, 540).astype(float)))
    # Weekly game (period 52) with a few missing values, a downward trend and seasonality.
    t = np.arange(300)
    y = list(np.round(50 - 0.05 * t + 3 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 1, 300), 1))
    for i in (0, 17, 18, 100, 250, 299):
        y[i] = float("nan")
    add("loto7", "N1", calendar("2013-04-05", [7], 300), y)
    # Too short for STL (150 < 2 * 104 draws): only drawdown / drawup.
    add("edge", "short", calendar("2020-01-02", [4, 3], 150), list(rng.integers(1, 44, 150).astype(float)))
    # Constant: strengths 0 by tsfeatures' guards.
    add("edge", "const", calendar("2020-01-03", [7], 120), [7.0] * 120)
    # A single draw: no period.
    add("edge", "one", calendar("2020-01-03", [7], 1), [5.0])
    # Twelve draws, three of them missing: the rolling windows never fill.
    y = list(rng.integers(1, 10, 12).astype(float))
    y[3] = y[4] = y[10] = float("nan")
    add("edge", "gaps", calendar("2020-01-02", [4, 3], 12), y)
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def period_of(ds):
    days = (pd.to_datetime(ds) - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    if len(days) < 2 or days[-1] <= days[0]:
        return None
    per_week = round(7 / np.diff(days).mean())
    return None if per_week < 1 else int(per_week) * 52


def strengths(x, trend0, seasonal, remainder):
    """tsfeatures 0.4.5 stl_features' trend and seasonal strength (m > 1), verbatim formulas."""
    varx = np.nanvar(x, ddof=1)
    vare = np.nanvar(remainder, ddof=1)
    deseason = x - seasonal
    vardeseason = np.nanvar(deseason, ddof=1)
    if varx < np.finfo(float).eps:
        trend = 0
    elif vardeseason / varx < 1e-10:
        trend = 0
    else:
        trend = max(0, min(1, 1 - vare / vardeseason))
    if varx < np.finfo(float).eps:
        season = 0
    elif np.nanvar(remainder + seasonal, ddof=1) < np.finfo(float).eps:
        season = 0
    else:
        season = max(0, min(1, 1 - vare / np.nanvar(remainder + seasonal, ddof=1)))
    return trend, season


def check_against_tsfeatures(x, m):
    tsf = importlib.import_module("tsfeatures.tsfeatures")
    reference = tsf.stl_features(x, freq=m)
    fit = STL(x, m, 13).fit()
    trend, season = strengths(x, fit.trend, fit.seasonal, fit.resid)
    assert trend == reference["trend"] and season == reference["seasonal_strength"], (trend, season, reference)


def features(frame):
    rows = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=False):
        s = s.reset_index(drop=True)
        y = s["y"]
        period = period_of(s["ds"])
        present = y.notna().to_numpy()
        x = y[present].to_numpy(dtype=float)
        cols = {c: np.full(len(s), np.nan) for c in ("hist_stl_trend", "hist_stl_seasonal", "hist_stl_resid")}
        trend_strength = season_strength = np.nan
        if period is not None and period >= 2 and len(x) >= 2 * period:
            fit = STL(x, period=period).fit()
            cols["hist_stl_trend"][present] = fit.trend
            cols["hist_stl_seasonal"][present] = fit.seasonal
            cols["hist_stl_resid"][present] = fit.resid
            trend_strength, season_strength = strengths(x, fit.trend, fit.seasonal, fit.resid)
            if len(x) >= 500:
                check_against_tsfeatures(x, period)
        for w in WINDOWS:
            r = y.rolling(w, min_periods=w)
            cols[f"hist_y_roll_drawdown_w{w}"] = (r.max() - y).to_numpy()
            cols[f"hist_y_roll_drawup_w{w}"] = (y - r.min()).to_numpy()
        if len(x):
            drawdown = float(np.max(np.maximum.accumulate(x) - x))
            drawup = float(np.max(x - np.minimum.accumulate(x)))
        else:
            drawdown = drawup = np.nan
        part = pd.DataFrame({"loto": loto, "unique_id": uid, "ds": s["ds"], **cols})
        part["stat_trend_strength"] = float(trend_strength)
        part["stat_seasonality_strength"] = float(season_strength)
        part["stat_stl_period"] = np.nan if period is None else float(period)
        part["stat_max_drawdown"] = drawdown
        part["stat_max_drawup"] = drawup
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


if __name__ == "__main__":
    frame = series()
    frame.to_csv(os.path.join(HERE, "trend_draws.csv"), index=False, na_rep="", float_format="%.17g")
    reread = pd.read_csv(os.path.join(HERE, "trend_draws.csv"))
    features(reread).to_csv(os.path.join(HERE, "trend.csv"), index=False, na_rep="", float_format="%.17g")
    import statsmodels
    import tsfeatures
    print("numpy", np.__version__, "pandas", pd.__version__, "statsmodels", statsmodels.__version__,
          "tsfeatures", getattr(tsfeatures, "__version__", "0.4.5"))
