"""quoteframe.stats against independent implementations written here.

Each reference below is written from the published formula, not from the
C++ code: Krippendorff's alpha by brute force over pairs of pairable values
(not the coincidence matrix), kappa from a confusion matrix, the log-odds
and Benjamini-Hochberg formulas in numpy, exact permutation distributions
by enumeration, and the bootstrap replayed with a pure-Python version of the
documented generator. scipy is not used.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import quoteframe.stats as qs

NAN = float("nan")

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units.
KRIPP = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


# ---------------------------------------------------------------- references


def alpha_by_pairs(data, level):
    """Krippendorff's alpha from its pairwise definition.

    D_o averages delta^2 over ordered pairs of values from different coders
    within a unit (each unit weighted 1/(m_u - 1)); D_e over all ordered
    pairs of pairable values; alpha = 1 - D_o / D_e.
    """
    data = np.asarray(data, dtype=float)
    units = [col[~np.isnan(col)] for col in data.T]
    units = [u for u in units if len(u) >= 2]
    values = np.concatenate(units)
    n = len(values)

    def d2(a, b):
        if level == "nominal":
            return float(a != b)
        if level == "interval":
            return (a - b) ** 2
        if level == "ratio":
            return 0.0 if a == b else ((a - b) / (a + b)) ** 2
        lo, hi = min(a, b), max(a, b)  # ordinal: counts of values between
        between = np.sum((values >= lo) & (values <= hi))
        return (between - (np.sum(values == lo) + np.sum(values == hi)) / 2) ** 2

    d_o = sum(
        sum(d2(u[i], u[j]) for i in range(len(u)) for j in range(len(u)) if i != j) / (len(u) - 1)
        for u in units
    ) / n
    d_e = sum(d2(values[i], values[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    return 1 - d_o / d_e


def kappa_by_table(a, b):
    cats = sorted(set(a) | set(b))
    table = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b):
        table[cats.index(x), cats.index(y)] += 1
    table /= table.sum()
    po = np.trace(table)
    pe = table.sum(axis=1) @ table.sum(axis=0)
    return (po - pe) / (1 - pe)


def bh_reference(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1)
    q = np.empty(m)
    q[order] = q_sorted
    return q


def js_reference(p, q):
    p = np.asarray(p, float) / np.sum(p)
    q = np.asarray(q, float) / np.sum(q)
    m = (p + q) / 2

    def kl(a):
        nz = a > 0
        return np.sum(a[nz] * np.log2(a[nz] / m[nz]))

    return 0.5 * kl(p) + 0.5 * kl(q)


# The generator of random.hpp, from its documented description.
MASK = (1 << 64) - 1


def _mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class PyRng:
    def __init__(self, seed, stream):
        state = _mix64(seed) ^ _mix64((~stream) & MASK)
        self.s = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            self.s.append(_mix64(state))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK  # noqa: E731
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        assert n <= 1 << 32
        m = (self.next() >> 32) * n
        if (m & 0xFFFFFFFF) < n:
            threshold = ((1 << 32) - n) % n
            while (m & 0xFFFFFFFF) < threshold:
                m = (self.next() >> 32) * n
        return m >> 32


def bootstrap_reference(values, clusters, n_boot, level, seed):
    values = np.asarray(values, float)
    if clusters is None:
        sums, sizes = values, np.ones_like(values)
    else:
        labels = sorted(set(clusters))
        code = np.array([labels.index(c) for c in clusters])
        sums = np.bincount(code, weights=values)
        sizes = np.bincount(code).astype(float)
    C = len(sums)
    reps = []
    for r in range(n_boot):
        rng = PyRng(seed, r)
        w = np.zeros(C)
        for _ in range(C):
            w[rng.below(C)] += 1
        reps.append(w @ sums / (w @ sizes))
    lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2])
    return values.mean(), lo, hi


# ---------------------------------------------------------------- agreement


@pytest.mark.parametrize(
    "level, paper",
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_worked_example(level, paper):
    got = qs.krippendorff_alpha(KRIPP, level)
    assert got == pytest.approx(alpha_by_pairs(KRIPP, level), abs=1e-12)
    assert round(got, 3) == paper  # the values printed in Krippendorff (2011)


@pytest.mark.parametrize("level", qs.LEVELS)
def test_krippendorff_random_data_with_missing_values(level):
    rng = np.random.default_rng(7)
    truth = rng.integers(1, 6, size=25)
    data = np.array([np.where(rng.random(25) < 0.8, truth, rng.integers(1, 6, 25)) for _ in range(4)], float)
    data[rng.random(data.shape) < 0.25] = np.nan
    assert qs.krippendorff_alpha(data, level) == pytest.approx(alpha_by_pairs(data, level), abs=1e-12)


def test_krippendorff_string_labels_and_errors():
    codes = [["war", "aid", "law", None], ["war", "aid", "aid", "law"]]
    numeric = [[0, 1, 2, NAN], [0, 1, 1, 2]]
    assert qs.krippendorff_alpha(codes) == pytest.approx(alpha_by_pairs(numeric, "nominal"))
    with pytest.raises(ValueError, match="level"):
        qs.krippendorff_alpha(KRIPP, "cardinal")
    with pytest.raises(ValueError, match="numeric"):
        qs.krippendorff_alpha(codes, "interval")
    with pytest.raises(ValueError, match="two or more coders"):
        qs.krippendorff_alpha([[1, NAN], [NAN, 2]])
    assert math.isnan(qs.krippendorff_alpha([[3, 3], [3, 3]], "interval"))


def test_cohen_kappa_against_confusion_table():
    rng = np.random.default_rng(3)
    a = rng.choice(["war", "aid", "law"], 200)
    b = np.where(rng.random(200) < 0.7, a, rng.choice(["war", "aid", "law"], 200))
    assert qs.cohen_kappa(a, b) == pytest.approx(kappa_by_table(list(a), list(b)), abs=1e-12)
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = .7, p_e = .5, kappa = .4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert qs.cohen_kappa(a, b) == pytest.approx(0.4)
    assert qs.cohen_kappa(a + [None], b + ["y"]) == pytest.approx(0.4)  # missing pair dropped
    with pytest.raises(ValueError, match="length"):
        qs.cohen_kappa([1, 2], [1])


# ---------------------------------------------------------------- keyness


def test_log_odds_against_the_formula():
    rng = np.random.default_rng(11)
    y = rng.poisson(3, size=(3, 40)).astype(float)
    a = rng.uniform(0.05, 2, 40)
    r = qs.log_odds_z(y, a)
    a0 = a.sum()
    for i in range(3):
        yi, rest = y[i], y.sum(axis=0) - y[i]
        n, n_rest = yi.sum(), rest.sum()
        delta = np.log((yi + a) / (n + a0 - yi - a)) - np.log((rest + a) / (n_rest + a0 - rest - a))
        z = delta / np.sqrt(1 / (yi + a) + 1 / (rest + a))
        np.testing.assert_allclose(r.delta[i], delta, rtol=1e-12)
        np.testing.assert_allclose(r.z[i], z, rtol=1e-12)
    # A scalar prior is the same pseudo-count everywhere.
    np.testing.assert_allclose(qs.log_odds_z(y, 0.5).z, qs.log_odds_z(y, np.full(40, 0.5)).z)
    with pytest.raises(ValueError, match=">= 0"):
        qs.log_odds_z([[1, -1], [2, 2]], 1.0)
    with pytest.raises(ValueError, match="2 groups"):
        qs.log_odds_z([[1, 2]], 1.0)
    with pytest.raises(ValueError, match="prior"):
        qs.log_odds_z([[1, 2], [3, 4]], [1.0, 0.0])


# ---------------------------------------------------------------- BH, JS


def test_benjamini_hochberg_against_reference():
    rng = np.random.default_rng(5)
    p = np.round(rng.uniform(0, 0.2, 60), 3)  # rounding makes ties
    np.testing.assert_allclose(qs.benjamini_hochberg(p), bh_reference(p), rtol=1e-12)
    assert qs.benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.5]).tolist() == pytest.approx(
        [0.025, 0.05, 0.05, 0.025, 0.5]
    )
    q = qs.benjamini_hochberg([0.01, NAN, 0.04])
    assert q[0] == pytest.approx(0.02) and math.isnan(q[1]) and q[2] == pytest.approx(0.04)
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        qs.benjamini_hochberg([0.2, 1.2])


def test_jensen_shannon():
    assert qs.jensen_shannon([1, 2, 3], [2, 4, 6]) == pytest.approx(0, abs=1e-15)
    assert qs.jensen_shannon([3, 0, 0], [0, 1, 1]) == pytest.approx(1)
    rng = np.random.default_rng(2)
    for _ in range(5):
        p, q = rng.random(8) * (rng.random(8) < 0.7), rng.random(8)
        assert qs.jensen_shannon(p, q) == pytest.approx(js_reference(p, q), abs=1e-12)
    with pytest.raises(ValueError, match="sums to 0"):
        qs.jensen_shannon([0, 0], [1, 1])
    with pytest.raises(ValueError, match="length"):
        qs.jensen_shannon([1, 2], [1, 2, 3])


# ---------------------------------------------------------------- resampling


def exact_permutation_p(values, first_size):
    values = np.asarray(values, float)
    n, total = len(values), values.sum()
    observed = values[:first_size].mean() - values[first_size:].mean()
    hits = count = 0
    for idx in itertools.combinations(range(n), first_size):
        s = values[list(idx)].sum()
        d = s / first_size - (total - s) / (n - first_size)
        hits += abs(d) >= abs(observed) - 1e-12
        count += 1
    return hits / count


def test_permutation_test_approaches_exact_enumeration():
    values = [0.3, 1.1, 2.0, 2.4, 3.9, 4.0, 4.2, 6.5]
    exact = exact_permutation_p(values, 3)  # 56 splits
    r = qs.permutation_test(values, ["a"] * 3 + ["b"] * 5, n_perm=40000, seed=9)
    assert r.groups == ("a", "b")
    assert r.statistic == pytest.approx(np.mean(values[:3]) - np.mean(values[3:]))
    assert abs(r.pvalue - exact) < 0.01  # about 5 standard errors


def test_permutation_test_is_reproducible_and_validates():
    x = np.random.default_rng(0).normal(size=300)
    g = np.arange(300) % 2
    assert qs.permutation_test(x, g, 999, seed=4) == qs.permutation_test(x, g, 999, seed=4)
    assert qs.permutation_test(x, g, 999, seed=4).pvalue != qs.permutation_test(x, g, 999, seed=5).pvalue
    with pytest.raises(ValueError, match="exactly 2"):
        qs.permutation_test([1, 2, 3], ["a", "b", "c"])
    with pytest.raises(ValueError, match="length"):
        qs.permutation_test([1, 2, 3], ["a", "b"])
    with pytest.raises(ValueError, match="finite"):
        qs.permutation_test([1, NAN, 3], ["a", "b", "b"])
    with pytest.raises(ValueError, match="seed"):
        qs.permutation_test([1, 2], ["a", "b"], seed=-1)


@pytest.mark.parametrize("clustered", [False, True])
def test_bootstrap_ci_replays_the_documented_generator(clustered):
    values = [1.0, 2.5, 2.0, 7.0, 6.5, 8.0, 3.0, 3.5, 10.0, 0.5, 4.0, 4.5]
    clusters = ["d3", "d3", "d3", "d1", "d1", "d1", "d2", "d2", "d9", "d9", "d4", "d4"] if clustered else None
    got = qs.bootstrap_ci(values, clusters, n_boot=300, level=0.9, seed=12)
    want = bootstrap_reference(values, clusters, 300, 0.9, 12)
    assert got == pytest.approx(want, rel=1e-12)


def test_bootstrap_ci_covers_and_widens_with_clusters():
    rng = np.random.default_rng(1)
    article = np.repeat(np.arange(30), 10)
    x = rng.normal(size=30)[article] + 0.3 * rng.normal(size=300)
    plain = qs.bootstrap_ci(x, n_boot=1000, seed=0)
    clustered = qs.bootstrap_ci(x, article, n_boot=1000, seed=0)
    assert plain.low < x.mean() < plain.high
    assert clustered.high - clustered.low > 2 * (plain.high - plain.low)
    # The cluster interval should be close to mean +- 1.96 se of the article means.
    se = x.reshape(30, 10).mean(axis=1).std(ddof=1) / np.sqrt(30)
    assert (clustered.high - clustered.low) == pytest.approx(2 * 1.96 * se, rel=0.2)
    with pytest.raises(ValueError, match="level"):
        qs.bootstrap_ci(x, level=1.5)


# ---------------------------------------------------------------- wordfish


def simulate_wordfish(n_docs=25, n_words=300, seed=0):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_docs)
    alpha = 0.3 * rng.normal(size=n_docs)
    psi = 0.5 + 0.7 * rng.normal(size=n_words)
    beta = 0.5 * rng.normal(size=n_words)
    lam = np.exp(alpha[:, None] + psi[None, :] + beta[None, :] * theta[:, None])
    y = rng.poisson(lam)
    keep = y.sum(axis=0) > 0
    return y[:, keep], theta


def test_wordfish_recovers_simulated_positions():
    y, theta = simulate_wordfish()
    lo, hi = int(theta.argmin()), int(theta.argmax())
    fit = qs.wordfish(y, dir=(lo, hi))
    assert fit.converged
    assert fit.theta[lo] < fit.theta[hi]
    assert np.corrcoef(fit.theta, theta)[0, 1] > 0.95
    assert fit.theta.mean() == pytest.approx(0, abs=1e-9)
    assert fit.theta.std(ddof=1) == pytest.approx(1)
    assert (fit.theta_se > 0).all()
    # Deterministic: a refit gives the same numbers.
    again = qs.wordfish(y, dir=(lo, hi))
    np.testing.assert_array_equal(fit.theta, again.theta)


def test_wordfish_keeps_labels_and_validates():
    y, _ = simulate_wordfish(n_docs=6, n_words=80, seed=3)
    df = pd.DataFrame(y, index=[f"doc{i}" for i in range(6)], columns=[f"w{j}" for j in range(y.shape[1])])
    fit = qs.wordfish(df, dir=(0, 5))
    assert list(fit.positions().index) == list(df.index)
    assert list(fit.words) == list(df.columns)
    with pytest.raises(ValueError, match="different documents"):
        qs.wordfish(y, dir=(1, 1))
    with pytest.raises(ValueError, match="no words"):
        qs.wordfish(np.vstack([y, np.zeros(y.shape[1])]), dir=(0, 1))

