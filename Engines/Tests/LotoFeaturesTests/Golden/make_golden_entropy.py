"""Golden values for EntropyFeatures (pipeline P9), computed by AntroPy (a dev tool, never a
runtime dependency of loto-features).

    pip install antropy==0.2.3        # brings numpy, scipy, scikit-learn, numba
    python3 Tests/LotoFeaturesTests/Golden/make_golden_entropy.py

Made with antropy 0.2.3, numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1, numba 0.68.1 (the
versions are printed at the end). Writes entropy_draws.csv (the input, in the engine's CSV
format) and entropy.csv (one row per series: AntroPy's features of the present values in draw
order). Parameters, as EntropyFeatures documents them:
    perm_entropy(x, order=3, delay=1, normalize=True)
    spectral_entropy(x, sf=1, method='fft', normalize=True)
    svd_entropy(x, order=3, delay=1, normalize=True)
    app_entropy(x, order=2, metric='chebyshev')           # tolerance 0.2 * std(x, ddof=0)
    sample_entropy(x, order=2, metric='chebyshev')        # same tolerance
    hjorth_params(x)                                      # mobility, complexity
    petrosian_fd(x), katz_fd(x), higuchi_fd(x, kmax=10), detrended_fluctuation(x)
Only documented deviation applied: a call that raises (series too short for AntroPy) and any
non-finite value (NaN, +/-inf) are written as NULL (empty), as the store does.
"""
import os
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))

COLUMNS = [
    "stat_perm_entropy", "stat_spectral_entropy", "stat_svd_entropy", "stat_app_entropy",
    "stat_sample_entropy", "stat_hjorth_mobility", "stat_hjorth_complexity", "stat_petrosian_fd",
    "stat_katz_fd", "stat_higuchi_fd", "stat_dfa",
]


def tie_r(rng, mean, k, fives):
    """Integers mean + d, d in {+-4, +-5, +-6} (11k, `fives`, 9k of each sign): the population
    std is exactly 5, so the tolerance 0.2 * std is exactly 1.0 and steps 4<->5, 5<->6 sit on
    it (app_entropy and the KD-tree path of sample_entropy count d <= r, the numba path d < r)."""
    d = [4] * (11 * k) + [5] * fives + [6] * (9 * k)
    d = np.array(d + [-v for v in d], dtype=float)
    rng.shuffle(d)
    x = mean + d
    assert 0.2 * np.std(x) == 1.0
    return list(x)


def series():
    rng = np.random.default_rng(20261123)
    out = []

    def add(loto, uid, values, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, 1000 * i))

    add("edge", "one", [4.0])                                              # everything but petrosian NULL
    add("edge", "two", [2.0, 7.0])
    add("edge", "three", [5.0, 2.0, 8.0])
    add("edge", "short", [3.0, 1.0, 4.0, 1.0, 5.0])                        # sample entropy: no m-match
    add("edge", "inf", [1.0, 2.0, 1.0, 2.0, 5.0, 9.0])                     # sample entropy +inf -> NULL
    add("edge", "const", [7.0] * 100)                                       # 0/0 almost everywhere
    add("edge", "linear", [float(3 * i + 2) for i in range(64)])            # rank-2 embedding (SVD)
    add("edge", "ties", list(rng.integers(1, 4, size=130).astype(float)))   # ties in permutation patterns
    nan_y = list(rng.integers(1, 44, size=120).astype(float))
    for i in (0, 5, 40, 41, 99):
        nan_y[i] = float("nan")                                             # empty y: dropped
    add("edge", "gaps", nan_y)
    add("edge", "tie_r", tie_r(rng, 20.0, 1, 5))                            # |d| == r in app/sample entropy
    add("edge", "large", list(1e7 + rng.normal(0, 1000, size=140).round(3)))
    trend = np.clip(np.round(np.linspace(5, 35, 480) + rng.normal(0, 6, size=480)), 1, 43)
    add("loto6", "N1", list(trend.astype(float)), start="2011-04-04", step=4)  # long, with a trend
    add("loto7", "N7", list(rng.integers(1, 38, size=95).astype(float)), start="2013-04-05", step=7)
    # 5,000 values: sample_entropy switches to its KD-tree path (d <= r) from 5,000 values.
    add("numbers", "N1", tie_r(rng, 20.0, 120, 100), start="1994-10-07", step=1)
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def features(x):
    import antropy as ant
    calls = [
        lambda: ant.perm_entropy(x, order=3, delay=1, normalize=True),
        lambda: ant.spectral_entropy(x, sf=1, method="fft", normalize=True),
        lambda: ant.svd_entropy(x, order=3, delay=1, normalize=True),
        lambda: ant.app_entropy(x, order=2, metric="chebyshev"),
        lambda: ant.sample_entropy(x, order=2, metric="chebyshev"),
        lambda: ant.hjorth_params(x)[0],
        lambda: ant.hjorth_params(x)[1],
        lambda: ant.petrosian_fd(x),
        lambda: ant.katz_fd(x),
        lambda: ant.higuchi_fd(x, kmax=10),
        lambda: ant.detrended_fluctuation(x),
    ]
    values = []
    for call in calls:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = float(call())
        except (ValueError, ZeroDivisionError, IndexError):
            value = float("nan")  # AntroPy refuses the series (too short)
        values.append(value if np.isfinite(value) else float("nan"))
    return dict(zip(COLUMNS, values))


def stat(frame):
    rows = []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        x = s.sort_values("ds")["y"].dropna().to_numpy(dtype=float)
        rows.append({"loto": loto, "unique_id": uid, **features(x)})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    frame = series()
    frame.to_csv(os.path.join(HERE, "entropy_draws.csv"), index=False, na_rep="", float_format="%.17g")
    reread = pd.read_csv(os.path.join(HERE, "entropy_draws.csv"))
    stat(reread).to_csv(os.path.join(HERE, "entropy.csv"), index=False, na_rep="", float_format="%.17g")
    import antropy, numba, scipy, sklearn
    print("antropy", antropy.__version__, "numpy", np.__version__, "scipy", scipy.__version__,
          "scikit-learn", sklearn.__version__, "numba", numba.__version__, "pandas", pd.__version__)
