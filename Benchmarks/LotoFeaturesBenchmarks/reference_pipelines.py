"""Wall time of the Python reference libraries on loto-features' pipelines (a dev tool, never a
runtime dependency of loto-features).

    pip install pandas numpy scipy statsmodels tsfel==0.2.0 antropy==0.2.3 scikit-learn \
        tsfeatures==0.4.5 jpholiday tsfresh==0.21.2 pycatch22==1.0.2 stumpy==1.14.1
    python3 reference_pipelines.py DRAWS.csv [--pipelines P1,P4,...] [--jobs 2] [--series N] [--p5-raw-false]

DRAWS.csv is the engine's input (header loto,unique_id,ds,y,num,co; y may be empty = missing).
Each pipeline computes, for every series, what loto-features' pipeline of the same id computes,
with the library it is tested against (the calls of Engines/Tests/LotoFeaturesTests/Golden/
make_golden*.py), in --jobs worker processes (multiprocessing Pool, fork, default 2; the series
are the tasks). The clock (time.perf_counter) runs from creating the pool to joining it, so pool
start-up, sending the series and the results back count; reading the CSV does not, nor does one
untimed warm-up call per pipeline in the parent (imports, numba's JIT), which the forked workers
inherit. --series N keeps the first N series of the file. Each worker returns, per series, the
sum of the finite values it computed (the checksum, so nothing can be skipped). Prints one line
per pipeline, a Markdown table, and the peak RSS (getrusage ru_maxrss) of the parent and of the
largest worker. BLAS/OpenMP threads are 1 per worker (unless set in the environment), so
--jobs processes use --jobs cores.

Reference calls, per series (s = pd.Series(y) in draw order, NaN where missing; x = the present
values, NaN dropped; W = 3, 7, 14, 21, 30, 60, 90):
- P1  pandas: s.rolling(w) .mean() .std() .min() .max() .median() .quantile(0.25) .quantile(0.75)
      for w in W (min_periods = w, linear quantiles).
- P2  pandas: for w in W, q75 - q25 (iqr), (s - mean) / std (zscore), s - mean (dev) of the same
      rolling statistics (computed again: pipelines are independent).
- P3  pandas: s.shift(k) for k in 1, 2, 3, 7, 14, 21, 28, 30, 60; s.diff(1), s.diff(7),
      s.pct_change(1, fill_method=None).
- P4  statsmodels: STL(x, period=period).fit() (seasonal=7, the default) when
      period = round(7 / mean gap in days) * 52 (Python round) exists and len(x) >= 2 * period;
      tsfeatures 0.4.5 stl_features' strength formulas on that fit (np.nanvar ddof=1); pandas
      s.rolling(w).max() - s and s - s.rolling(w).min() for w = 30, 90; max drawdown / drawup
      from np.maximum.accumulate / np.minimum.accumulate of x.
- P5  statsmodels: acf(x, nlags=10, fft=False), pacf(x, nlags=10, method='ywadjusted') when
      len(x) >= 20; pandas s.rolling(w).corr(num) and the rolling lag-1 autocorrelation
      s.rolling(w).apply(lambda a: np.corrcoef(a[:-1], a[1:])[0, 1], raw=True) for w = 30, 90.
      By default raw=True with that numpy lambda (the output line says so): the way pandas users
      write it, s.rolling(w).apply(lambda v: v.autocorr(1), raw=False) as make_golden_autocorr.py
      does, took 1.3-1.7 s of wall time per 2,000-draw series with 2 workers here (22-28 minutes
      for 1,000 series, 3.7-4.9 times the raw=True lambda, same values); --p5-raw-false
      measures that one.
- P6  tsfresh 0.21.2: extract_features(frame of x, default_fc_parameters=SETTINGS of
      make_golden_tsfresh.py (the 37 features), disable_progressbar=True, n_jobs=0).
- P7  tsfel 0.2.0: tsfel.feature_extraction.features.<f>(x, 1) for spectral_centroid,
      spectral_spread, spectral_skewness, spectral_kurtosis, spectral_slope, spectral_decrease,
      spectral_roll_off, spectral_roll_on, spectral_entropy, max_frequency, median_frequency,
      fundamental_frequency, power_bandwidth, calc_centroid, auc; <f>(x) for autocorr,
      mean_abs_diff, median_abs_diff, distance, slope, zero_cross, positive_turning,
      pk_pk_distance (fs = 1, as make_golden_spectral.py).
- P9  antropy 0.2.3: perm_entropy(x, order=3, delay=1, normalize=True),
      spectral_entropy(x, sf=1, method='fft', normalize=True), svd_entropy(x, order=3, delay=1,
      normalize=True), app_entropy(x, order=2, metric='chebyshev'), sample_entropy(x, order=2,
      metric='chebyshev'), hjorth_params(x), petrosian_fd(x), katz_fd(x), higuchi_fd(x, kmax=10),
      detrended_fluctuation(x).
- P8  pycatch22 1.0.2: catch22_all(x, catch24=True), and for every full window of 90 draws
      (no missing value) the window z-scored (numpy, ddof 1) and pycatch22's MD_pNN_pnn40,
      SB_BinaryStats_mean_longstretch1, SB_BinaryStats_diff_longstretch0,
      SB_MotifThree_quantile_hh and CO_trev_1_num on it (catch22_all z-scores the same way).
- P10 stumpy 1.14.1: stumpy.stump(x, m) for m = 8 and 26 (NUMBA_NUM_THREADS=1 per worker).
- P11 pandas: for w in W, rolling mean/std/quantile(0.25)/quantile(0.75) and the flags
      |s - mean| > 3 * std, s < q25 - 1.5 * iqr or s > q75 + 1.5 * iqr (NaN where the window is
      not full); scikit-learn IsolationForest(n_estimators=100, max_samples=min(256, n),
      random_state=0).fit(X).score_samples(X) on X = (y_t, y_t - y_{t-1}) where both are present.
- P12 pandas dt accessors of pd.to_datetime(ds): year, quarter, month, isocalendar().week, day,
      day_of_year, day_of_week (pandas 3's names of dayofyear / dayofweek), days_in_month,
      is_weekend (day_of_week >= 5), is_leap_year, is_quarter_start/end, is_month_start/end;
      sin/cos(2 pi (v - 1) / p) of day of month (p = days_in_month), ISO week (p = weeks of the
      ISO year, the week of its 28 December), month (12), quarter (4), weekday (7) and day of year
      (365/366); Fourier sin/cos(2 pi k t / p), t = days since 1970-01-01, p = 7, 30, 365, k = 1, 2;
      Japanese holidays with jpholiday (year_holidays of the series' years +-1, which includes
      substitute and citizens' holidays): is_holiday (ds.isin), days since / until the nearest
      holiday (np.searchsorted). Without jpholiday installed, holidays are left out and the
      output line says so.
- P14 pandas: s.count() .mean() .std() .min() .max() .median() .quantile(0.25) .quantile(0.75)
      .skew() .kurt(), range and cv; tsfeatures 0.4.5 (module tsfeatures.tsfeatures) with freq=1 on
      x: acf_features, lumpiness, stability, crossing_points, flat_spots, entropy, hurst,
      stl_features (as make_golden.py).

Measured (2 vCPUs shared with other builds, so +-50%): 50 series x 2,000 draws took 40 s over
the ten pipelines (P11 14 s, P5 8 s, P4 6 s, P14 6 s, the rest under 2.2 s each); 200 series
took 203 s, i.e. roughly 13-17 minutes for 1,000 series x 2,000 draws.
"""
import argparse
import os
import resource
import sys
import time
import warnings

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
# stumpy's parallel numba functions start numba's threading layer in the parent's warm-up; with
# GNU OpenMP as that layer a forked worker aborts ("fork() called from a process already using
# GNU OpenMP"), so the fork-safe workqueue layer is used.
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")

import multiprocessing  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

warnings.simplefilter("ignore")

WINDOWS = [3, 7, 14, 21, 30, 60, 90]
LAGS = [1, 2, 3, 7, 14, 21, 28, 30, 60]
NLAGS = 10
P5_RAW = True  # --p5-raw-false sets False before the pool forks

try:
    import jpholiday
except ImportError:  # P12 then leaves the holidays out
    jpholiday = None


def finite_sum(*values):
    """Sum of the finite values of arrays, Series, DataFrames and scalars (None counts 0)."""
    total = 0.0
    for v in values:
        if v is None:
            continue
        a = np.asarray(v, dtype=float).ravel()
        total += float(a[np.isfinite(a)].sum())
    return total


# ---- P1, P2, P3: pandas rolling windows, lags and differences -------------------------------

def p1(series):
    s = pd.Series(series["y"])
    out = []
    for w in WINDOWS:
        r = s.rolling(w)
        out += [r.mean(), r.std(), r.min(), r.max(), r.median(), r.quantile(0.25), r.quantile(0.75)]
    return finite_sum(*out)


def p2(series):
    s = pd.Series(series["y"])
    out = []
    for w in WINDOWS:
        r = s.rolling(w)
        mean, std = r.mean(), r.std()
        out += [r.quantile(0.75) - r.quantile(0.25), (s - mean) / std, s - mean]
    return finite_sum(*out)


def p3(series):
    s = pd.Series(series["y"])
    out = [s.shift(k) for k in LAGS]
    out += [s.diff(1), s.diff(7), s.pct_change(1, fill_method=None)]
    return finite_sum(*out)


# ---- P4: STL, strengths, drawdown / drawup --------------------------------------------------

def period_of(ds):
    days = ds.astype("datetime64[D]").astype(np.int64)
    if len(days) < 2 or days[-1] <= days[0]:
        return None
    per_week = round(7 / np.diff(days).mean())
    return None if per_week < 1 else int(per_week) * 52


def strengths(x, seasonal, remainder):
    """tsfeatures 0.4.5 stl_features' trend and seasonal strength (make_golden_trend.py)."""
    varx = np.nanvar(x, ddof=1)
    vare = np.nanvar(remainder, ddof=1)
    vardeseason = np.nanvar(x - seasonal, ddof=1)
    if varx < np.finfo(float).eps or vardeseason / varx < 1e-10:
        trend = 0
    else:
        trend = max(0, min(1, 1 - vare / vardeseason))
    if varx < np.finfo(float).eps or np.nanvar(remainder + seasonal, ddof=1) < np.finfo(float).eps:
        season = 0
    else:
        season = max(0, min(1, 1 - vare / np.nanvar(remainder + seasonal, ddof=1)))
    return trend, season


def p4(series):
    from statsmodels.tsa.seasonal import STL
    y = series["y"]
    s = pd.Series(y)
    x = y[~np.isnan(y)]
    period = period_of(series["ds"])
    out = []
    if period is not None and period >= 2 and len(x) >= 2 * period:
        fit = STL(x, period=period).fit()
        out += [fit.trend, fit.seasonal, fit.resid, *strengths(x, fit.seasonal, fit.resid)]
    for w in (30, 90):
        r = s.rolling(w, min_periods=w)
        out += [r.max() - s, s - r.min()]
    if len(x):
        out += [np.max(np.maximum.accumulate(x) - x), np.max(x - np.minimum.accumulate(x))]
    return finite_sum(period, *out)


# ---- P5: ACF, PACF, rolling autocorrelation and correlation with the draw number ------------

def p5(series):
    from statsmodels.tsa.stattools import acf, pacf
    y = series["y"]
    s = pd.Series(y)
    num = pd.Series(series["num"])
    x = y[~np.isnan(y)]
    out = []
    if len(x) > 0:
        out.append(acf(x, nlags=NLAGS, fft=False)[1:])
    if len(x) >= 2 * NLAGS:
        out.append(pacf(x, nlags=NLAGS, method="ywadjusted")[1:])
    for w in (30, 90):
        if P5_RAW:
            out.append(s.rolling(w).apply(lambda a: np.corrcoef(a[:-1], a[1:])[0, 1], raw=True))
        else:
            out.append(s.rolling(w).apply(lambda v: v.autocorr(1), raw=False))
    for w in (30, 90):
        out.append(s.rolling(w).corr(num))
    return finite_sum(*out)


# ---- P7: TSFEL spectral and temporal features -----------------------------------------------

TSFEL_WITH_FS = ["spectral_centroid", "spectral_spread", "spectral_skewness", "spectral_kurtosis",
                 "spectral_slope", "spectral_decrease", "spectral_roll_off", "spectral_roll_on",
                 "spectral_entropy", "max_frequency", "median_frequency", "fundamental_frequency",
                 "power_bandwidth", "calc_centroid", "auc"]
TSFEL_WITHOUT_FS = ["autocorr", "mean_abs_diff", "median_abs_diff", "distance", "slope", "zero_cross",
                    "positive_turning", "pk_pk_distance"]


def p7(series):
    import tsfel.feature_extraction.features as F
    y = series["y"]
    x = y[~np.isnan(y)]
    out = []
    for name in TSFEL_WITH_FS:
        out.append(getattr(F, name)(x, 1))
    for name in TSFEL_WITHOUT_FS:
        try:
            out.append(getattr(F, name)(x))
        except np.linalg.LinAlgError:
            out.append(None)
    return finite_sum(*out)


# ---- P9: AntroPy entropies and fractal dimensions -------------------------------------------

def p9(series):
    import antropy as ant
    y = series["y"]
    x = y[~np.isnan(y)]
    calls = [
        lambda: ant.perm_entropy(x, order=3, delay=1, normalize=True),
        lambda: ant.spectral_entropy(x, sf=1, method="fft", normalize=True),
        lambda: ant.svd_entropy(x, order=3, delay=1, normalize=True),
        lambda: ant.app_entropy(x, order=2, metric="chebyshev"),
        lambda: ant.sample_entropy(x, order=2, metric="chebyshev"),
        lambda: ant.hjorth_params(x),
        lambda: ant.petrosian_fd(x),
        lambda: ant.katz_fd(x),
        lambda: ant.higuchi_fd(x, kmax=10),
        lambda: ant.detrended_fluctuation(x),
    ]
    out = []
    for call in calls:
        try:
            out.append(call())
        except (ValueError, ZeroDivisionError, IndexError):
            out.append(None)  # AntroPy refuses the series (too short)
    return finite_sum(*out)


# ---- P11: anomaly flags and Isolation Forest ------------------------------------------------

def p11(series):
    from sklearn.ensemble import IsolationForest
    y = series["y"]
    s = pd.Series(y)
    out = []
    for w in WINDOWS:
        r = s.rolling(w)
        mean, std, q25, q75 = r.mean(), r.std(), r.quantile(0.25), r.quantile(0.75)
        iqr = q75 - q25
        full = mean.notna()
        out.append(((s - mean).abs() > 3 * std).where(full))
        out.append(((s < q25 - 1.5 * iqr) | (s > q75 + 1.5 * iqr)).where(full))
    previous = np.concatenate([[np.nan], y[:-1]])
    X = np.column_stack([y, y - previous])
    ok = ~np.isnan(X).any(axis=1)
    rows = int(ok.sum())
    if rows >= 2:
        forest = IsolationForest(n_estimators=100, max_samples=min(256, rows), random_state=0).fit(X[ok])
        out.append(-forest.score_samples(X[ok]))
    return finite_sum(*out)


# ---- P12: calendar ----------------------------------------------------------------------------

def turn(value, period):
    angle = 2 * np.pi * value / period
    return [np.sin(angle), np.cos(angle)]


def p12(series):
    ds = pd.Series(pd.to_datetime(series["ds"]))
    d = ds.dt
    iso = d.isocalendar()
    dom, dim, month, quarter = d.day, d.days_in_month, d.month, d.quarter
    dow, doy = d.day_of_week, d.day_of_year
    iso_weeks = pd.to_datetime(iso["year"].astype(str) + "-12-28").dt.isocalendar()["week"]
    out = [d.year, quarter, month, iso["week"], dom, doy, dow, dim, dow >= 5, d.is_leap_year,
           d.is_quarter_start, d.is_quarter_end, d.is_month_start, d.is_month_end]
    out += turn(dom - 1, dim) + turn(iso["week"] - 1, iso_weeks) + turn(month - 1, 12) + turn(quarter - 1, 4)
    t = (ds - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
    for p in (7, 30, 365):
        for k in (1, 2):
            out += turn(k * t, p)
    out += turn(dow, 7) + turn(doy - 1, np.where(d.is_leap_year, 366, 365))
    if jpholiday is not None:
        years = range(int(d.year.min()) - 1, int(d.year.max()) + 2)
        holidays = np.array(sorted(day for year in years for day, _ in jpholiday.year_holidays(year)),
                            dtype="datetime64[D]")
        days = ds.to_numpy().astype("datetime64[D]")
        out.append(ds.isin(pd.to_datetime(holidays)))
        after = np.searchsorted(holidays, days, side="right")  # holidays on or before: [:after]
        since = (days - holidays[np.maximum(after - 1, 0)]).astype(float)
        since[after == 0] = np.nan
        before = np.searchsorted(holidays, days, side="left")  # holidays on or after: [before:]
        until = (holidays[np.minimum(before, len(holidays) - 1)] - days).astype(float)
        until[before == len(holidays)] = np.nan
        out += [since, until]
    return finite_sum(*out)


# ---- P6: tsfresh ----------------------------------------------------------------------------

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Engines", "Tests",
                      "LotoFeaturesTests", "Golden")


def p6(series):
    from tsfresh import extract_features
    sys.path.insert(0, GOLDEN)
    from make_golden_tsfresh import SETTINGS
    y = np.asarray(series["y"], dtype=float)
    x = y[~np.isnan(y)]
    if len(x) == 0:
        return 0.0
    frame = pd.DataFrame({"id": 0, "t": np.arange(len(x)), "y": x})
    out = extract_features(frame, column_id="id", column_sort="t", column_value="y",
                           default_fc_parameters=SETTINGS, disable_progressbar=True, n_jobs=0)
    return finite_sum(out.to_numpy(dtype=float))


# ---- P8: pycatch22 ----------------------------------------------------------------------------

CATCH22_ROLLING = ["MD_pNN_pnn40", "SB_BinaryStats_mean_longstretch1", "SB_BinaryStats_diff_longstretch0",
                   "SB_MotifThree_quantile_hh", "CO_trev_1_num"]


def p8(series):
    import pycatch22
    y = np.asarray(series["y"], dtype=float)
    x = y[~np.isnan(y)]
    total = 0.0
    if len(x) > 0:
        total += finite_sum(pycatch22.catch22_all(x.tolist(), catch24=True)["values"])
    functions = [getattr(pycatch22, name) for name in CATCH22_ROLLING]
    for end in range(89, len(y)):
        window = y[end - 89:end + 1]
        if np.isnan(window).any():
            continue
        sd = window.std(ddof=1)
        if not sd > 0:
            continue
        z = ((window - window.mean()) / sd).tolist()
        total += finite_sum([f(z) for f in functions])
    return total


# ---- P10: stumpy matrix profile -------------------------------------------------------------

def p10(series):
    import stumpy
    y = np.asarray(series["y"], dtype=float)
    x = y[~np.isnan(y)]
    total = 0.0
    for m in (8, 26):
        if len(x) < m:
            continue  # stumpy raises: every column of this m is NULL
        profile = np.asarray(stumpy.stump(x, m)[:, 0], dtype=float)
        total += finite_sum(profile)
    return total


# ---- P14: global statistics and tsfeatures ---------------------------------------------------

def p14(series):
    import importlib
    tsf = importlib.import_module("tsfeatures.tsfeatures")  # the module, not the same-named function
    y = series["y"]
    s = pd.Series(y)
    mean, std = s.mean(), s.std()
    out = [s.count(), mean, std, s.min(), s.max(), s.median(), s.quantile(0.25), s.quantile(0.75),
           s.skew(), s.kurt(), s.max() - s.min(), std / mean if mean != 0 else None]
    x = y[~np.isnan(y)]
    for function in (tsf.acf_features, tsf.lumpiness, tsf.stability, tsf.crossing_points, tsf.flat_spots,
                     tsf.entropy, tsf.hurst, tsf.stl_features):
        out += list(function(x, freq=1).values())
    return finite_sum(*out)


PIPELINES = {
    "P1": ("pandas rolling mean/std/min/max/median/q25/q75", p1),
    "P2": ("pandas rolling iqr/zscore/dev", p2),
    "P3": ("pandas shift/diff/pct_change", p3),
    "P4": ("statsmodels STL + tsfeatures strengths", p4),
    "P5": ("statsmodels acf/pacf + pandas rolling apply(autocorr)/corr", p5),
    "P6": ("tsfresh extract_features (37 values)", p6),
    "P7": ("tsfel spectral/temporal features", p7),
    "P8": ("pycatch22 catch22_all + 5 features per 90-draw window", p8),
    "P9": ("antropy entropies", p9),
    "P10": ("stumpy stump, m = 8 and 26", p10),
    "P11": ("pandas rolling flags + sklearn IsolationForest", p11),
    "P12": ("pandas dt accessors + jpholiday", p12),
    "P14": ("pandas statistics + tsfeatures", p14),
}


def read_series(path, limit=None):
    """The series of the CSV in file order: dicts of loto, unique_id, ds (datetime64[D]), y, num."""
    frame = pd.read_csv(path, dtype={"loto": str, "unique_id": str, "ds": str},
                        usecols=["loto", "unique_id", "ds", "y", "num"])
    frame["y"] = frame["y"].astype(float)
    frame["num"] = frame["num"].astype(float)
    key = frame["loto"] + "\x1f" + frame["unique_id"]
    order = pd.unique(key)
    if limit is not None:
        order = order[:limit]
    # Rows of a series are contiguous in the engine's benchmark data; sort (stable) in case not.
    frame["_k"] = pd.Categorical(key, categories=order)
    frame = frame[frame["_k"].notna()].sort_values(["_k", "ds"], kind="stable")
    out = []
    codes = frame["_k"].cat.codes.to_numpy()
    bounds = np.flatnonzero(np.diff(codes)) + 1
    ds = frame["ds"].to_numpy().astype("datetime64[D]")
    y, num = frame["y"].to_numpy(), frame["num"].to_numpy()
    loto, uid = frame["loto"].to_numpy(), frame["unique_id"].to_numpy()
    for lo, hi in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(frame)]])):
        out.append({"loto": loto[lo], "unique_id": uid[lo], "ds": ds[lo:hi], "y": y[lo:hi].copy(),
                    "num": num[lo:hi].copy()})
    return out


def run(function, series, jobs):
    """Seconds and checksum of `function` over every series in a pool of `jobs` processes."""
    chunksize = max(1, len(series) // (jobs * 16))
    start = time.perf_counter()
    pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        checksum = sum(pool.imap_unordered(function, series, chunksize=chunksize))
    finally:
        pool.close()
        pool.join()
    return time.perf_counter() - start, checksum


def main():
    global P5_RAW
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv")
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--series", type=int, default=None)
    parser.add_argument("--p5-raw-false", action="store_true",
                        help="P5: rolling(w).apply(lambda v: v.autocorr(1), raw=False), pandas' own (slow) way")
    args = parser.parse_args()
    P5_RAW = not args.p5_raw_false
    chosen = [p.strip().upper() for p in args.pipelines.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PIPELINES]
    if unknown:
        sys.exit(f"unknown pipelines {unknown}; known: {','.join(PIPELINES)}")
    series = read_series(args.csv, args.series)
    draws = sum(len(s["y"]) for s in series)
    print(f"{len(series)} series, {draws} draws, {args.jobs} jobs; pandas {pd.__version__}, numpy {np.__version__}",
          flush=True)
    results = []
    for pid in chosen:
        name, function = PIPELINES[pid]
        if pid == "P5" and P5_RAW:
            name += " [raw=True numpy corrcoef lambda, not the raw=False autocorr one]"
        if pid == "P12" and jpholiday is None:
            name += " [holidays left out: jpholiday not installed]"
        function(series[0])  # untimed warm-up: imports and JIT, inherited by the forked workers
        seconds, checksum = run(function, series, args.jobs)
        results.append((pid, name, seconds))
        print(f"{pid} {name}: {seconds:.2f} s ({len(series)} series, checksum {checksum:.4f})", flush=True)
    print()
    print("| pipeline | reference | seconds |")
    print("|---|---|---:|")
    for pid, name, seconds in results:
        print(f"| {pid} | {name} | {seconds:.2f} |")
    print(f"| total | | {sum(r[2] for r in results):.2f} |")
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS: parent {parent:.1f} MiB, largest worker {children:.1f} MiB "
          f"(parent + {args.jobs} workers at most {parent + args.jobs * children:.1f} MiB)")
    # The last line, which loto-features-benchmarks keeps: every pipeline's seconds on one line.
    print("reference seconds " + " ".join(f"{pid}={seconds:.2f}" for pid, _, seconds in results)
          + f" total={sum(r[2] for r in results):.2f}")


if __name__ == "__main__":
    main()
