"""The polars side of loto-features-benchmarks (a dev tool; pip install polars).

    python3 polars_features.py DRAWS.csv [SQLITE_PATH]

Reads the CSV, computes the 58 lag and rolling columns of features_hist eagerly with
over("unique_id") and linear quantiles (the same semantics as loto-features), and with a
SQLITE_PATH writes them through ADBC (pip install adbc-driver-sqlite pyarrow). Prints one line:
phases read=S compute=S write=S rows=N checksum=X.
"""
import sys
import time

import polars as pl

LAGS = [1, 2, 3, 7, 14, 21, 28, 30, 60]
WINDOWS = [3, 7, 14, 21, 30, 60, 90]


def main():
    path = sys.argv[1]
    sqlite = sys.argv[2] if len(sys.argv) > 2 else None
    t0 = time.perf_counter()
    df = pl.read_csv(path, schema_overrides={"y": pl.Float64}).sort(["loto", "unique_id", "ds"])
    t1 = time.perf_counter()
    y = pl.col("y")
    exprs = [y.shift(k).over("unique_id").alias(f"hist_y_lag{k}") for k in LAGS]
    for w in WINDOWS:
        exprs += [
            y.rolling_mean(w).over("unique_id").alias(f"hist_y_roll_mean_w{w}"),
            y.rolling_std(w).over("unique_id").alias(f"hist_y_roll_std_w{w}"),
            y.rolling_min(w).over("unique_id").alias(f"hist_y_roll_min_w{w}"),
            y.rolling_max(w).over("unique_id").alias(f"hist_y_roll_max_w{w}"),
            y.rolling_median(w).over("unique_id").alias(f"hist_y_roll_median_w{w}"),
            y.rolling_quantile(0.25, "linear", w).over("unique_id").alias(f"hist_y_roll_q25_w{w}"),
            y.rolling_quantile(0.75, "linear", w).over("unique_id").alias(f"hist_y_roll_q75_w{w}"),
        ]
    out = df.with_columns(exprs).drop(["y", "num", "co"])
    t2 = time.perf_counter()
    if sqlite:
        out.write_database("features_hist", f"sqlite:///{sqlite}", engine="adbc", if_table_exists="replace")
    t3 = time.perf_counter()
    checksum = out.select(pl.col("hist_y_roll_std_w30").sum() + pl.col("hist_y_roll_q75_w90").sum()).item()
    print(f"phases read={t1 - t0:.3f} compute={t2 - t1:.3f} write={t3 - t2:.3f} rows={out.height} checksum={checksum:.6f}")


if __name__ == "__main__":
    main()
