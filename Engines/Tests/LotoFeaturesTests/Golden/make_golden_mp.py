"""Golden values for MatrixProfileFeatures (pipeline P10), computed by STUMPY (a dev tool, never
a runtime dependency of loto-features).

    pip install stumpy==1.14.1        # brings numpy, scipy, numba
    python3 Tests/LotoFeaturesTests/Golden/make_golden_mp.py

Made with stumpy 1.14.1, numpy 2.4.6, numba 0.68.1, pandas 3.1.1 (the versions are printed at the
end). Writes mp_draws.csv (the input, in the engine's CSV format), mp.csv (one row per series:
the features of the present values in draw order) and mp_profile.csv (the whole profile of
PROFILED series: loto,unique_id,m,i,p,index; p = inf and index = -1 where STUMPY finds no
neighbour).

For each m in (8, 26): P, I = stumpy.stump(x, m) columns 0 and 1 (defaults: T_B=None,
ignore_trivial=True, normalize=True, k=1; exclusion zone e = ceil(m / 4)). STUMPY raises for
len(x) < m: every column of that m is NULL. From P and I, over the finite P values:
    min, max, np.mean, np.std (ddof 0), np.quantile(q, method='linear') for 0.25, 0.5, 0.75
    motif1..3: repeatedly i = first argmin of the finite P[i] not excluded; (P[i], i, I[i]);
               then exclude every position within e of i and of I[i]
    discord1..3: repeatedly i = first argmax of the finite P[i] not excluded; (P[i], i);
               then exclude every position within e of i
NULL where a statistic has no finite value and where fewer than k motifs/discords exist.
P and I do not depend on NUMBA_NUM_THREADS (each diagonal is computed whole by one thread, and
the reduction keeps the lower-diagonal thread's value on ties).
"""
import math
import os
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))

LENGTHS = (8, 26)
STATS = ["min", "max", "mean", "std", "q25", "median", "q75"]
TOP = 3
PROFILED = [("loto7", "N1"), ("edge", "runs")]


def columns(m):
    prefix = f"stat_mp_m{m}_"
    names = [prefix + s for s in STATS]
    for k in range(1, TOP + 1):
        names += [f"{prefix}motif{k}_{f}" for f in ("distance", "index", "neighbor")]
    for k in range(1, TOP + 1):
        names += [f"{prefix}discord{k}_{f}" for f in ("distance", "index")]
    return names


COLUMNS = [c for m in LENGTHS for c in columns(m)]


def series():
    rng = np.random.default_rng(20261124)
    out = []

    def add(loto, uid, values, start="2020-01-02", step=3):
        days = pd.date_range(start, periods=len(values), freq=f"{step}D")
        for i, (d, v) in enumerate(zip(days, values)):
            out.append((loto, uid, d.strftime("%Y-%m-%d"), v, i + 1, 1000 * i))

    ints = lambda lo, hi, n: list(rng.integers(lo, hi + 1, size=n).astype(float))
    add("edge", "one", [4.0])                                   # STUMPY raises: NULL
    add("edge", "two", [2.0, 7.0])
    add("edge", "three", [5.0, 2.0, 8.0])
    add("edge", "n7", ints(1, 43, 7))                           # < 8: raises for both m
    add("edge", "n10", ints(1, 43, 10))                         # m=8: l=3 <= e+1: all P inf
    add("edge", "n11", ints(1, 43, 11))                         # m=8: P inf in the middle
    add("edge", "n30", ints(1, 43, 30))                         # m=26: l=5: all inf
    add("edge", "n34", ints(1, 43, 34))                         # m=26: one pair (0, 8)
    add("edge", "n45", ints(1, 43, 45))                         # m=26: a few motifs only
    add("edge", "const", [7.0] * 100)                           # every subsequence constant
    runs = []
    while len(runs) < 300:                                      # constant stretches: ties
        runs += [float(rng.integers(1, 10))] * int(rng.choice([1, 2, 3, 9, 12, 30]))
    add("edge", "runs", runs[:300])
    add("edge", "linear", [float(3 * i + 2) for i in range(64)])  # every pair at distance ~0
    add("edge", "repeat", [float(v) for v in ([3, 9, 1, 4, 4, 7, 2, 8, 5, 6, 1, 9, 2] * 16)])
    gaps = ints(1, 43, 150)
    for i in (0, 7, 60, 61, 62, 149):
        gaps[i] = float("nan")                                  # empty y: dropped
    add("edge", "gaps", gaps)
    add("edge", "large", list(1e7 + rng.normal(0, 1000, size=160).round(3)))
    add("loto6", "N1", ints(1, 43, 2000), start="2000-10-05", step=3)
    add("loto7", "N1", ints(1, 37, 1000), start="2013-04-05", step=7)
    add("mini", "N1", ints(1, 31, 300), start="1999-04-13", step=7)
    add("numbers", "N1", ints(0, 9, 1500), start="1994-10-07", step=1)
    return pd.DataFrame(out, columns=["loto", "unique_id", "ds", "y", "num", "co"])


def profile(x, m):
    """(P, I) of stumpy.stump(x, m), or None where STUMPY raises."""
    import stumpy
    if len(x) < m:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = stumpy.stump(x, m)
    return np.asarray(out[:, 0], dtype=float), np.asarray(out[:, 1], dtype=np.int64)


def summary(p, index, m):
    e = math.ceil(m / 4)
    values = [float("nan")] * (len(STATS) + TOP * 5)
    finite = np.isfinite(p)
    if not finite.any():
        return values
    f = p[finite]
    values[:7] = [f.min(), f.max(), np.mean(f), np.std(f), *np.quantile(f, [0.25, 0.5, 0.75])]

    def exclude(mask, centre):
        mask[max(0, centre - e): centre + e + 1] = True

    excluded = np.zeros(len(p), dtype=bool)
    col = 7
    for _ in range(TOP):
        candidates = np.where(finite & ~excluded, p, np.inf)
        if not np.isfinite(candidates).any():
            break
        i = int(np.argmin(candidates))
        values[col: col + 3] = [p[i], i, int(index[i])]
        exclude(excluded, i)
        exclude(excluded, int(index[i]))
        col += 3
    excluded = np.zeros(len(p), dtype=bool)
    col = 7 + 3 * TOP
    for _ in range(TOP):
        candidates = np.where(finite & ~excluded, p, -np.inf)
        if not np.isfinite(candidates).any():
            break
        i = int(np.argmax(candidates))
        values[col: col + 2] = [p[i], i]
        exclude(excluded, i)
        col += 2
    return values


def stat(frame):
    rows, profiles = [], []
    for (loto, uid), s in frame.groupby(["loto", "unique_id"], sort=True):
        x = s.sort_values("ds")["y"].dropna().to_numpy(dtype=float)
        row = {"loto": loto, "unique_id": uid}
        for m in LENGTHS:
            pi = profile(x, m)
            values = summary(*pi, m) if pi is not None else [float("nan")] * len(columns(m))
            row.update(zip(columns(m), values))
            if (loto, uid) in PROFILED and pi is not None:
                for i, (p, j) in enumerate(zip(*pi)):
                    profiles.append({"loto": loto, "unique_id": uid, "m": m, "i": i, "p": p, "index": j})
        rows.append(row)
    table = pd.DataFrame(rows, columns=["loto", "unique_id"] + COLUMNS)
    for c in COLUMNS:
        if c.endswith("_index") or c.endswith("_neighbor"):
            table[c] = table[c].astype("Int64")
    return table, pd.DataFrame(profiles)


if __name__ == "__main__":
    frame = series()
    frame.to_csv(os.path.join(HERE, "mp_draws.csv"), index=False, na_rep="", float_format="%.17g")
    reread = pd.read_csv(os.path.join(HERE, "mp_draws.csv"))
    table, profiles = stat(reread)
    table.to_csv(os.path.join(HERE, "mp.csv"), index=False, na_rep="", float_format="%.17g")
    profiles.to_csv(os.path.join(HERE, "mp_profile.csv"), index=False, float_format="%.17g")
    import numba, stumpy
    print("stumpy", stumpy.__version__, "numpy", np.__version__, "numba", numba.__version__,
          "pandas", pd.__version__)
