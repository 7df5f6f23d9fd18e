"""Golden values for SpectralGoldenTests (pipeline P7), computed by TSFEL (a dev tool, never a
runtime dependency of loto-features).

    pip install tsfel==0.2.0        # brings numpy, scipy, statsmodels
    python3 Tests/LotoFeaturesTests/Golden/make_golden_spectral.py

Made with tsfel 0.2.0, numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0 (Python 3.11, x86-64
Linux, glibc libm). Each function of tsfel.feature_extraction.features is called on the
series' present values in draw order (missing y dropped) with fs = 1.

Writes spectral_draws.csv (the input) and spectral.csv (loto, unique_id, then the columns).
Documented deviations applied (SpectralFeatures.swift): where TSFEL divides by zero and returns a
made-up 0, the table holds NULL (empty):
  * constant series (including one value): skewness, kurtosis, decrease, entropy, power bandwidth;
  * all-zero series: also spectral centroid, spread, slope and the temporal centroid;
  * one value: spectral slope (a single bin), temporal slope (polyfit fails: NULL);
and None / NaN (autocorr with no crossing, mean/median of no difference) is written as NULL.
Series lengths exercise numpy's FFT paths: 500 (radix 4 and 5), 182 (2, 7, 13: generic
passes), 97 (a generic pass of 97), 115 (5 x 23), 401 (prime: numpy uses Bluestein).
"""
import os
import warnings

import numpy as np
import pandas as pd
import tsfel.feature_extraction.features as F

HERE = os.path.dirname(os.path.abspath(__file__))

SPECTRAL = [
    ("stat_spec_centroid", "spectral_centroid"), ("stat_spec_spread", "spectral_spread"),
    ("stat_spec_skewness", "spectral_skewness"), ("stat_spec_kurtosis", "spectral_kurtosis"),
    ("stat_spec_slope", "spectral_slope"), ("stat_spec_decrease", "spectral_decrease"),
    ("stat_spec_rolloff", "spectral_roll_off"), ("stat_spec_rollon", "spectral_roll_on"),
    ("stat_spec_entropy", "spectral_entropy"), ("stat_spec_max_freq", "max_frequency"),
    ("stat_spec_median_freq", "median_frequency"), ("stat_spec_fundamental_freq", "fundamental_frequency"),
    ("stat_spec_power_bandwidth", "power_bandwidth"),
]
TEMPORAL = [
    ("stat_temp_autocorr", "autocorr", False), ("stat_temp_centroid", "calc_centroid", True),
    ("stat_temp_mean_abs_diff", "mean_abs_diff", False), ("stat_temp_median_abs_diff", "median_abs_diff", False),
    ("stat_temp_distance", "distance", False), ("stat_temp_slope", "slope", False),
    ("stat_temp_zero_cross", "zero_cross", False), ("stat_temp_positive_turning", "positive_turning", False),
    ("stat_temp_pk_pk_distance", "pk_pk_distance", False), ("stat_temp_auc", "auc", True),
]
COLUMNS = [c for c, _ in SPECTRAL] + [c for c, _, _ in TEMPORAL]
CONSTANT_NULL = {"stat_spec_skewness", "stat_spec_kurtosis", "stat_spec_decrease", "stat_spec_entropy",
                 "stat_spec_power_bandwidth"}
ZERO_NULL = CONSTANT_NULL | {"stat_spec_centroid", "stat_spec_spread", "stat_spec_slope", "stat_temp_centroid"}
ONE_NULL = {"stat_spec_slope", "stat_temp_slope"}


def series():
    rng = np.random.default_rng(20261207)
    out = []

    def add(loto, uid, values, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, 1000 * i if i % 4 else None))

    add("edge", "one", [5.0])                                   # a single value
    add("edge", "two", [3.0, 8.0])                              # autocorr NULL, one-bin entropy
    add("edge", "short", [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])   # tiny, odd length
    add("edge", "const", [7.0] * 60)                            # constant
    add("edge", "zero", [0.0] * 12)                             # all zero
    add("edge", "ties", list(rng.integers(1, 4, size=130).astype(float)))  # many ties, zero crossings none
    gaps = list(rng.integers(0, 44, size=120).astype(float))    # zeros and 5 missing: 115 present
    for i in (0, 5, 40, 41, 99):
        gaps[i] = float("nan")
    add("edge", "gaps", gaps)
    add("edge", "frac", list(rng.normal(0, 3, size=97).round(3)))  # signed, non-integer: zero crossings
    t = np.arange(500)
    add("loto6", "N1", list(np.clip(np.round(5 + t * 0.06 + rng.normal(0, 4, size=500)), 1, 43)),
        start="2011-04-04", step=4)                             # long, with a trend
    add("loto6", "N2", list(rng.integers(1, 44, size=182).astype(float)), start="2011-04-04", step=4)
    add("loto7", "N7", list(rng.integers(1, 38, size=401).astype(float)), start="2013-04-05", step=7)
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def features(y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = {}
        for column, name in SPECTRAL:
            row[column] = getattr(F, name)(y, 1)
        for column, name, with_fs in TEMPORAL:
            try:
                row[column] = getattr(F, name)(y, 1) if with_fs else getattr(F, name)(y)
            except np.linalg.LinAlgError:
                row[column] = None
    constant = bool(np.all(y == y[0]))
    for column in COLUMNS:
        if (constant and column in CONSTANT_NULL) or (not np.any(y) and column in ZERO_NULL) \
                or (len(y) == 1 and column in ONE_NULL):
            row[column] = None
    return row


def cell(value):
    if value is None:
        return ""
    value = float(value)
    return "" if not np.isfinite(value) else repr(value)


def main():
    frame = series()
    with open(os.path.join(HERE, "spectral_draws.csv"), "w") as out:
        out.write("loto,unique_id,ds,y,num,co\n")
        for loto, uid, ds, y, num, co in frame.itertuples(index=False):
            y_text = "" if np.isnan(y) else (str(int(y)) if float(y).is_integer() else repr(float(y)))
            co_text = "" if co is None or np.isnan(co) else str(int(co))
            out.write(f"{loto},{uid},{ds},{y_text},{int(num)},{co_text}\n")
    lines = [",".join(["loto", "unique_id"] + COLUMNS)]
    for (loto, uid), group in frame.groupby(["loto", "unique_id"], sort=False):
        y = group["y"].dropna().to_numpy(dtype=float)
        row = features(y)
        lines.append(",".join([loto, uid] + [cell(row[c]) for c in COLUMNS]))
    with open(os.path.join(HERE, "spectral.csv"), "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
