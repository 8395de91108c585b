"""Benchmark: quoteframe.compare() against a naive numpy/pandas cluster bootstrap.

Synthetic quotes table: 1,000,000 quotes in ~10,000 articles (rows ordered by
article, as extraction produces them), two sides quoted in every article,
20 features (14 binary frame_* scores, 3 stance_* columns in [-1, 1] with 30 %
missing, uncertainty, distancing, valence), with an article effect.

compare() runs in full: the cluster bootstrap (2,000 replicates), 2,000
within-article permutations, Cohen's d and Cliff's delta for every feature.

The naive version does what one would write with numpy and pandas:
each bootstrap replicate draws articles with replacement, gathers their
quotes and recomputes the group means; each permutation shuffles the side
labels within articles and recomputes them. It is far too slow to run 2,000
times, so it runs a few replicates and permutations and the time is
EXTRAPOLATED linearly to 2,000 of each (clearly labelled in the output).

Usage: PYTHONPATH=python python3 benchmarks/bench_compare.py [--quotes N] [--naive-reps K]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from quoteframe.compare import compare


def make_quotes(n_quotes: int, n_articles: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    doc = np.sort(rng.integers(0, n_articles, n_quotes))
    side = np.where(rng.random(n_quotes) < 0.5, "side_a", "side_b")
    is_b = side == "side_b"
    article_effect = rng.normal(0.0, 0.5, n_articles)[doc]
    cols = {"doc_id": doc, "side": side}
    for k in range(14):
        logit = -1.0 + 0.1 * k * is_b + article_effect
        cols[f"frame_{k}"] = (rng.random(n_quotes) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    for t in ("army", "government", "civilians"):
        s = np.tanh(0.3 * article_effect + np.where(is_b, 0.2, -0.2) + rng.normal(0, 0.5, n_quotes))
        s[rng.random(n_quotes) < 0.3] = np.nan
        cols[f"stance_{t}"] = s
    cols["uncertainty"] = rng.beta(2, 5, n_quotes)
    cols["distancing"] = rng.beta(2, 5, n_quotes) + 0.02 * is_b
    cols["valence"] = np.clip(rng.normal(0.05 * is_b + 0.2 * article_effect, 0.4, n_quotes), -1, 1)
    return pd.DataFrame(cols)


def naive(df: pd.DataFrame, features, reps: int, seed: int = 0):
    """Times `reps` naive bootstrap replicates and `reps` naive permutations."""
    rng = np.random.default_rng(seed)
    x = df[features].to_numpy(dtype=np.float64)
    present = ~np.isnan(x)
    x0 = np.nan_to_num(x)
    side = (df["side"].to_numpy() == "side_b").astype(np.int64)
    doc = df["doc_id"].to_numpy()
    docs, start, size = np.unique(doc, return_index=True, return_counts=True)

    def group_means(idx, labels):
        out = np.empty((2, len(features)))
        for g in (0, 1):
            sel = idx[labels == g]
            out[g] = x0[sel].sum(axis=0) / present[sel].sum(axis=0)
        return out

    t0 = time.perf_counter()
    for _ in range(reps):
        picked = rng.integers(0, len(docs), len(docs))
        idx = np.concatenate([np.arange(start[p], start[p] + size[p]) for p in picked])
        group_means(idx, side[idx])
    t_boot = (time.perf_counter() - t0) / reps

    all_idx = np.arange(len(df))
    t0 = time.perf_counter()
    for _ in range(reps):
        # A random order within each article (rows are sorted by article).
        order = np.lexsort((rng.random(len(df)), doc))
        group_means(all_idx, side[order])
    t_perm = (time.perf_counter() - t0) / reps

    # Effect sizes once: Cohen's d and Cliff's delta (via ranks) per feature.
    t0 = time.perf_counter()
    for j in range(len(features)):
        col = x[:, j]
        ok = ~np.isnan(col)
        a, b = col[ok & (side == 0)], col[ok & (side == 1)]
        _ = (a.mean() - b.mean()) / np.sqrt(
            ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
        )
        ranks = pd.Series(np.concatenate([a, b])).rank().to_numpy()
        u = ranks[: len(a)].sum() - len(a) * (len(a) + 1) / 2
        _ = 2 * u / (len(a) * len(b)) - 1
    t_effect = time.perf_counter() - t0
    return t_boot, t_perm, t_effect


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quotes", type=int, default=1_000_000)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--naive-reps", type=int, default=10, help="naive replicates actually run")
    args = ap.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} logical CPUs, load average {load:.1f} at start")
    t0 = time.perf_counter()
    df = make_quotes(args.quotes, args.articles)
    features = [c for c in df.columns if c not in ("doc_id", "side")]
    print(
        f"data: {len(df):,} quotes x {len(features)} features, {df['doc_id'].nunique():,} articles, "
        f"2 sides (built in {time.perf_counter() - t0:.1f} s)"
    )

    # Warm-up on a slice (first call imports, allocates).
    compare(df.head(10_000), n_boot=10, seed=0)
    runs, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        out = compare(df, n_boot=args.resamples, seed=0)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t_qf = min(runs)
    diff = out[out.kind == "difference"]
    print(
        f"quoteframe.compare: {args.resamples:,} bootstrap replicates + {args.resamples:,} permutations "
        f"+ effect sizes: best of 3 = {t_qf:.2f} s wall (runs: {', '.join(f'{r:.2f}' for r in runs)}; "
        f"CPU time of the process, both threads: {min(cpu):.2f} s)"
    )
    print(
        f"  design seen by the permutation test: {int(diff.mixed_clusters.iloc[0]):,} articles quote both "
        f"sides, {int(diff.whole_clusters.iloc[0]):,} only one"
    )

    t_boot, t_perm, t_effect = naive(df, features, args.naive_reps)
    t_naive = args.resamples * (t_boot + t_perm) + t_effect
    print(
        f"naive numpy/pandas: measured {t_boot * 1e3:.0f} ms per bootstrap replicate and "
        f"{t_perm * 1e3:.0f} ms per permutation over {args.naive_reps} of each, effect sizes {t_effect:.2f} s"
    )
    print(
        f"naive numpy/pandas, EXTRAPOLATED to {args.resamples:,} replicates + {args.resamples:,} "
        f"permutations: {t_naive:.0f} s"
    )
    print(f"ratio naive / quoteframe: {t_naive / t_qf:.0f}x")


if __name__ == "__main__":
    main()
