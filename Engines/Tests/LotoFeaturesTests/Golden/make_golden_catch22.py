"""Golden values for Catch22Features (pipeline P8), computed by pycatch22 (a dev tool, never a
runtime dependency of loto-features).

    pip install pycatch22==1.0.2 numpy pandas
    python3 Tests/LotoFeaturesTests/Golden/make_golden_catch22.py

Made with pycatch22 1.0.2 (catch22 C library v1.1.0), numpy 2.4.6, pandas 3.1.1 (the versions
are printed at the end). Writes
- catch22_draws.csv: the input, in the engine's CSV format (header loto,unique_id,ds,y,num,co;
  y empty = missing);
- catch22.csv (one row per series): for x = the present values in draw order,
      pycatch22.catch22_all(x, catch24=True)["values"]
  (defaults short_names=False, mask_nans=True, return_masked=False), as
  stat_catch22_<lowercased name>;
- catch22_hist.csv (one row per draw of the series in HIST): for each draw i with
  i >= 89 and y[i-89..i] all present, the same call on that window of 90 values, the five
  features of Catch22Features.rollingNames, as hist_catch22_<lowercased name>_w90; empty
  before a full window and in windows holding a missing value.
Only documented deviation applied: NaN (empty series: pycatch22 warns and returns NaN for all
24; one value: DN_Spread_std) and +/-inf are written as NULL (empty), as the store does.
"""
import os
import warnings

import numpy as np
import pandas as pd
import pycatch22

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = 90
ROLLING = [
    "MD_pNN_pnn40", "SB_BinaryStats_mean_longstretch1", "SB_BinaryStats_diff_longstretch0",
    "SB_MotifThree_quantile_hh", "CO_trev_1_num",
]
HIST = [("hist", "gaps"), ("hist", "plateau"), ("numbers", "N1")]


def names():
    return pycatch22.catch22_all([1.0, 2.0, 3.0], catch24=True)["names"]


def series():
    rng = np.random.default_rng(20261207)
    out = []

    def add(loto, uid, values, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, 1000 * i))

    def ints(low, high, size):
        return list(rng.integers(low, high + 1, size=size).astype(float))

    nan = float("nan")
    add("edge", "missing", [nan, nan, nan])                                   # nothing present: all NULL
    add("edge", "one", [4.0])                                                 # masks; std NULL
    add("edge", "two", [2.0, 7.0])
    add("edge", "three", [5.0, 2.0, 8.0])
    add("edge", "four", [1.0, 2.0, 4.0, 3.0])
    add("edge", "five", [3.0, 1.0, 4.0, 1.0, 5.0])
    add("edge", "seven", [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])                 # first periodicity lags
    add("edge", "twelve", ints(1, 43, 12))                                    # SC_FluctAnal: Ny >= 10
    add("edge", "const", [7.0] * 100)                                         # every catch22 feature masked
    add("edge", "const_gaps", [2.0, nan, 2.0, 2.0, nan] * 8)
    add("edge", "linear", [float(3 * i + 2) for i in range(64)])              # constant residuals (taurat)
    add("edge", "alt", [1.0, 2.0] * 30)
    add("edge", "period3", [1.0, 5.0, 2.0] * 40)
    add("edge", "ties", ints(1, 3, 130))
    gaps = ints(1, 43, 120)
    for i in (0, 5, 40, 41, 99):
        gaps[i] = nan
    add("edge", "gaps", gaps)
    add("edge", "large", list(1e7 + rng.normal(0, 1000, size=140).round(3)))  # z-score cancellation
    add("edge", "tiny", list(1e-9 * np.array(ints(0, 9, 80))))
    for n in (40, 45, 60, 79, 80, 100, 101):                                  # fluctuation-analysis thresholds
        add("fluct", f"n{n}", ints(1, 43, n))
    walk = np.clip(np.round(22 + np.cumsum(rng.normal(0, 2, size=600))), 1, 43)
    add("edge", "walk", list(walk.astype(float)))                             # decimation (tau > 1)
    t = np.arange(300)
    periodic = np.clip(np.round(20 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 3, size=300)), 1, 43)
    add("edge", "periodic", list(periodic.astype(float)))                     # a periodicity peak
    trend = np.clip(np.round(np.linspace(5, 35, 480) + rng.normal(0, 6, size=480)), 1, 43)
    add("loto6", "N1", list(trend.astype(float)), start="2011-04-04", step=4)
    add("loto6", "N3", ints(1, 43, 1000), start="2000-10-05", step=7)
    add("loto7", "N7", ints(1, 37, 95), start="2013-04-05", step=7)
    add("miniloto", "N2", ints(1, 31, 257), start="1999-04-06", step=7)       # 257: FFT length jumps
    add("numbers", "N1", ints(0, 9, 2000), start="1994-10-07", step=1)
    hist_gaps = ints(1, 43, 400)
    for i in (10, 150, 151, 300):
        hist_gaps[i] = nan
    add("hist", "gaps", hist_gaps)
    add("hist", "plateau", ints(1, 43, 100) + [12.0] * 95 + ints(0, 9, 105))  # constant windows: masks
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def catch24(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = pycatch22.catch22_all(x, catch24=True)["values"]
    return [v if np.isfinite(v) else np.nan for v in values]


def stat(frame):
    columns = ["stat_catch22_" + name.lower() for name in names()]
    rows = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        x = s.sort_values("ds")["y"].dropna().to_numpy(dtype=float)
        rows.append({"loto": loto, "unique_id": uid, **dict(zip(columns, catch24(list(x))))})
    return pd.DataFrame(rows)


def hist(frame):
    index = [names().index(name) for name in ROLLING]
    columns = [f"hist_catch22_{name.lower()}_w{WINDOW}" for name in ROLLING]
    parts = []
    for loto, uid in HIST:
        s = frame[(frame["loto"] == loto) & (frame["unique_id"] == uid)].sort_values("ds")
        y = s["y"].to_numpy(dtype=float)
        values = np.full((len(y), len(ROLLING)), np.nan)
        for i in range(WINDOW - 1, len(y)):
            window = y[i - WINDOW + 1:i + 1]
            if np.isnan(window).any():
                continue
            all24 = catch24(list(window))
            values[i] = [all24[k] for k in index]
        part = pd.DataFrame(values, columns=columns)
        part.insert(0, "ds", s["ds"].to_numpy())
        part.insert(0, "unique_id", uid)
        part.insert(0, "loto", loto)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


if __name__ == "__main__":
    frame = series()
    write = dict(index=False, na_rep="", float_format="%.17g")
    frame.to_csv(os.path.join(HERE, "catch22_draws.csv"), **write)
    reread = pd.read_csv(os.path.join(HERE, "catch22_draws.csv"))
    stat(reread).to_csv(os.path.join(HERE, "catch22.csv"), **write)
    hist(reread).to_csv(os.path.join(HERE, "catch22_hist.csv"), **write)
    from importlib.metadata import version
    print("pycatch22", version("pycatch22"), "numpy", np.__version__, "pandas", pd.__version__)
