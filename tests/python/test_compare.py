"""quoteframe.compare on small synthetic quote tables with known answers.

Reference values come from plain numpy / pandas computations written here
(group means, pooled-sd Cohen's d, Cliff's delta by all pairs, the
Benjamini-Hochberg formula, exact permutation distributions by enumeration,
a numpy cluster bootstrap), never from the implementation's output.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from quoteframe.compare import compare, feature_columns, frame_divergence, keyness, reliability


def crossed_quotes(n_articles=40, per_side=6, effect=0.5, seed=0):
    """Every article quotes both sides; frame_conflict differs by `effect`."""
    rng = np.random.default_rng(seed)
    rows = []
    for doc in range(n_articles):
        bump = rng.normal(0, 0.3)  # article effect shared by its quotes
        for side in ("alpha", "beta"):
            for _ in range(per_side):
                rows.append(
                    {
                        "doc_id": f"d{doc:03d}",
                        "side": side,
                        "frame_conflict": bump + (effect if side == "alpha" else 0) + rng.normal(0, 0.5),
                        "frame_null": bump + rng.normal(0, 0.5),
                        "stance_army": float(np.clip(rng.normal(0.2 if side == "alpha" else -0.1, 0.3), -1, 1)),
                        "text": "filler words here",
                    }
                )
    df = pd.DataFrame(rows)
    df.loc[rng.random(len(df)) < 0.2, "stance_army"] = np.nan  # not every quote mentions the army
    return df


def cliff_by_pairs(a, b):
    a, b = np.asarray(a)[:, None], np.asarray(b)[None, :]
    return ((a > b).sum() - (a < b).sum()) / (a.size * b.size)


def cohen_d_pooled(a, b):
    a, b = np.asarray(a), np.asarray(b)
    sp = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    return (a.mean() - b.mean()) / sp


def bh_reference(p):
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    q = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1].clip(max=1)
    out = np.empty(m)
    out[order] = q
    return out


def row(out, feature, kind, group):
    sel = out[(out.feature == feature) & (out.kind == kind) & (out.group == group)]
    assert len(sel) == 1
    return sel.iloc[0]


# ---------------------------------------------------------------- compare


def test_compare_estimates_match_numpy():
    df = crossed_quotes()
    out = compare(df, n_boot=500, seed=3)
    assert list(out.columns) == [
        "feature", "kind", "group", "vs", "estimate", "ci_low", "ci_high", "n", "n_vs", "clusters",
        "p_value", "p_adjusted", "cohen_d", "cliff_delta", "whole_clusters", "mixed_clusters",
    ]
    assert feature_columns(df) == ["frame_conflict", "frame_null", "stance_army"]
    for feature in feature_columns(df):
        vals = {s: df.loc[df.side == s, feature].dropna().to_numpy() for s in ("alpha", "beta")}
        for s in ("alpha", "beta"):
            r = row(out, feature, "mean", s)
            assert r.estimate == pytest.approx(vals[s].mean(), rel=1e-12)
            assert r.n == len(vals[s])
            assert r.clusters == 40
            assert r.ci_low < r.estimate < r.ci_high
        d = row(out, feature, "difference", "alpha")
        assert d.vs == "beta"
        assert d.estimate == pytest.approx(vals["alpha"].mean() - vals["beta"].mean(), rel=1e-12)
        assert d.cohen_d == pytest.approx(cohen_d_pooled(vals["alpha"], vals["beta"]), rel=1e-10)
        assert d.cliff_delta == pytest.approx(cliff_by_pairs(vals["alpha"], vals["beta"]), abs=1e-12)
        assert (d.whole_clusters, d.mixed_clusters) == (0, 40)
    diffs = out[out.kind == "difference"]
    np.testing.assert_allclose(diffs.p_adjusted, bh_reference(diffs.p_value), rtol=1e-12)
    # The real effect (0.5 on a 0.5 noise sd, 240 quotes a side) is found.
    assert row(out, "frame_conflict", "difference", "alpha").p_value < 0.01
    assert row(out, "frame_conflict", "difference", "alpha").ci_low > 0.2


def test_compare_is_deterministic_by_seed():
    df = crossed_quotes(n_articles=15)
    a = compare(df, n_boot=300, seed=11)
    b = compare(df, n_boot=300, seed=11)
    pd.testing.assert_frame_equal(a, b)
    c = compare(df, n_boot=300, seed=12)
    assert not np.allclose(a.ci_low, c.ci_low)
    np.testing.assert_array_equal(a.estimate, c.estimate)


def test_cluster_bootstrap_interval_agrees_with_a_numpy_cluster_bootstrap():
    df = crossed_quotes(n_articles=50, seed=4)
    out = compare(df, features=["frame_conflict"], n_boot=2000, n_perm=0, seed=1)
    # Resample articles with numpy's generator; a replicate's mean over the
    # quotes of the drawn articles is their summed values over their counts.
    rng = np.random.default_rng(0)
    alpha = df[df.side == "alpha"].groupby("doc_id").frame_conflict.agg(["sum", "count"])
    docs = df.doc_id.unique()
    sums = alpha["sum"].reindex(docs, fill_value=0).to_numpy()
    counts = alpha["count"].reindex(docs, fill_value=0).to_numpy()
    draws = rng.integers(0, len(docs), size=(2000, len(docs)))
    reps = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    lo, hi = np.quantile(reps, [0.025, 0.975])
    r = row(out, "frame_conflict", "mean", "alpha")
    # Two independent Monte Carlo runs: the widths agree to within noise.
    assert (r.ci_high - r.ci_low) == pytest.approx(hi - lo, rel=0.15)
    assert r.ci_low == pytest.approx(lo, abs=0.25 * (hi - lo))
    assert np.isnan(row(out, "frame_conflict", "difference", "alpha").p_value)  # n_perm=0


def test_nested_design_permutes_whole_articles():
    # Eight articles, each quoting one side only; exact article-level p by
    # enumerating the 70 ways to give 4 of the 8 articles to side "alpha".
    sizes = [3, 1, 2, 4, 2, 3, 1, 2]
    rng = np.random.default_rng(8)
    rows = []
    for doc, size in enumerate(sizes):
        side = "alpha" if doc < 4 else "beta"
        for _ in range(size):
            rows.append({"doc_id": doc, "side": side, "valence": (0.4 if side == "alpha" else 0) + rng.normal(0, 0.3)})
    df = pd.DataFrame(rows)
    sums = df.groupby("doc_id").valence.sum().to_numpy()
    counts = df.groupby("doc_id").size().to_numpy()

    def diff(first):
        mask = np.isin(np.arange(8), first)
        return sums[mask].sum() / counts[mask].sum() - sums[~mask].sum() / counts[~mask].sum()

    observed = diff([0, 1, 2, 3])
    splits = list(itertools.combinations(range(8), 4))
    exact = np.mean([abs(diff(list(s))) >= abs(observed) - 1e-12 for s in splits])
    out = compare(df, n_boot=100, n_perm=20000, seed=2)
    d = row(out, "valence", "difference", "alpha")
    assert (d.whole_clusters, d.mixed_clusters) == (8, 0)
    assert d.p_value == pytest.approx(exact, abs=0.015)
    # Quote-level permutation (cluster=None) answers a different question.
    q = row(compare(df, n_boot=100, n_perm=20000, seed=2, cluster=None), "valence", "difference", "alpha")
    assert (q.whole_clusters, q.mixed_clusters) == (len(df), 0)


def test_within_article_permutation_matches_enumeration():
    # Two articles, each with 2 + 2 quotes of the two sides: 36 relabellings.
    df = pd.DataFrame(
        {
            "doc_id": ["x"] * 4 + ["y"] * 4,
            "side": ["a", "a", "b", "b"] * 2,
            "uncertainty": [0.1, 0.2, 0.35, 0.6, 0.55, 0.7, 0.8, 0.95],
        }
    )
    v = df.uncertainty.to_numpy()
    observed = v[[0, 1, 4, 5]].mean() - v[[2, 3, 6, 7]].mean()
    hits = []
    for s1 in itertools.combinations(range(4), 2):
        for s2 in itertools.combinations(range(4, 8), 2):
            first = list(s1) + list(s2)
            rest = [i for i in range(8) if i not in first]
            hits.append(abs(v[first].mean() - v[rest].mean()) >= abs(observed) - 1e-12)
    out = compare(df, n_boot=50, n_perm=20000, seed=5)
    d = row(out, "uncertainty", "difference", "a")
    assert (d.whole_clusters, d.mixed_clusters) == (0, 2)
    assert d.p_value == pytest.approx(np.mean(hits), abs=0.015)


def test_three_groups_give_three_pairs_and_rows_without_group_are_dropped():
    df = crossed_quotes(n_articles=10)
    df.loc[df.index % 3 == 0, "side"] = "gamma"
    df.loc[5, "side"] = None
    out = compare(df, features=["frame_null"], n_boot=100, seed=0)
    pairs = out[out.kind == "difference"][["group", "vs"]].apply(tuple, axis=1).tolist()
    assert pairs == [("alpha", "beta"), ("alpha", "gamma"), ("beta", "gamma")]
    assert out[out.kind == "mean"].n.sum() == len(df) - 1


def test_compare_rejects_bad_input():
    df = crossed_quotes(n_articles=4)
    with pytest.raises(ValueError, match="group column 'camp'"):
        compare(df, by="camp")
    with pytest.raises(ValueError, match="at least 2 groups"):
        compare(df[df.side == "alpha"])
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        compare(df.assign(stance_army=2.0))
    with pytest.raises(ValueError, match="infinite"):
        compare(df.assign(frame_null=np.inf))
    with pytest.raises(ValueError, match="cluster column 'article'"):
        compare(df, cluster="article")
    bad = df.copy()
    bad.loc[0, "doc_id"] = None
    with pytest.raises(ValueError, match="missing for 1 quotes"):
        compare(bad)
    with pytest.raises(ValueError, match="not numeric"):
        compare(df, features=["text"])
    with pytest.raises(ValueError, match="no feature columns"):
        compare(df[["doc_id", "side", "text"]])


# ---------------------------------------------------------------- divergence, keyness, reliability


def test_frame_divergence():
    df = pd.DataFrame(
        {
            "side": ["a", "a", "b", "b", "c"],
            "frame_war": [1, 0, 2, 0, 0],
            "frame_aid": [0, 1, 0, 2, 0],
            "frame_law": [0, 0, 0, 0, 1],
        }
    )
    out = frame_divergence(df).set_index(["group", "vs"]).divergence
    assert out[("a", "b")] == pytest.approx(0, abs=1e-15)  # same profile, different totals
    assert out[("a", "c")] == pytest.approx(1)  # no frame in common
    # a = (1/2, 1/2, 0) vs d = (1, 0, 0): M = (3/4, 1/4, 0).
    df2 = pd.DataFrame({"side": ["a", "a", "d"], "frame_war": [1, 0, 1], "frame_aid": [0, 1, 0]})
    want = 0.5 * (0.5 * np.log2(0.5 / 0.75) + 0.5 * np.log2(0.5 / 0.25)) + 0.5 * np.log2(1 / 0.75)
    assert frame_divergence(df2).divergence.iloc[0] == pytest.approx(want)
    with pytest.raises(ValueError, match=">= 0"):
        frame_divergence(df.assign(frame_war=-1))


def test_keyness_against_the_formula():
    df = pd.DataFrame(
        {
            "side": ["a", "a", "a", "b", "b"],
            "text": ["Terror attack, terror! TERROR", "the attack", None, "siege and hunger", "the siege"],
        }
    )
    out = keyness(df, prior=0.5, top=10)
    top = out[out["rank"] == 1].set_index("group").term
    assert top["a"] == "terror" and top["b"] == "siege"
    # Recompute "terror" for group a by hand: a = {terror 3, attack 2, the 1}
    # (n = 6), b = {siege 2, and 1, hunger 1, the 1} (n' = 5); 6 words, a0 = 3.
    a0 = 0.5 * 6
    delta = np.log((3 + 0.5) / (6 + a0 - 3 - 0.5)) - np.log((0 + 0.5) / (5 + a0 - 0 - 0.5))
    z = delta / np.sqrt(1 / 3.5 + 1 / 0.5)
    r = out[(out.group == "a") & (out.term == "terror")].iloc[0]
    assert r.delta == pytest.approx(delta) and r.z == pytest.approx(z)
    assert (r["count"], r.count_rest) == (3, 0)
    # Other priors and a custom tokenizer.
    assert set(keyness(df, prior="corpus", top=2).term) <= {"terror", "attack", "siege", "and", "hunger", "the"}
    assert len(keyness(df, prior={"the": 5.0, "terror": 0.1}, top=3)) == 6
    raw = keyness(df, tokenize=lambda t: t.split(), top=10)
    assert {"terror!", "TERROR", "attack,"} <= set(raw.term)  # the given tokenizer was used
    with pytest.raises(ValueError, match="prior"):
        keyness(df, prior="flat")


def test_reliability_against_independent_measures():
    tool = ["war", "aid", "war", "law", "aid", None, "war", "law"]
    c1 = ["war", "aid", "law", "law", "aid", "war", "war", "aid"]
    c2 = ["war", "aid", "war", "law", "war", "war", None, "law"]
    out = reliability(tool, [c1, c2]).set_index(["measure", "raters"])
    codes = {"war": 0.0, "aid": 1.0, "law": 2.0, None: np.nan}
    numeric = np.array([[codes[v] for v in r] for r in (tool, c1, c2)])

    # Krippendorff's alpha, nominal, by pairs within units (independent of the library).
    def alpha(data):
        units = [c[~np.isnan(c)] for c in data.T]
        units = [u for u in units if len(u) >= 2]
        vals = np.concatenate(units)
        n = len(vals)
        d_o = sum((u[:, None] != u[None, :]).sum() / (len(u) - 1) for u in units) / n
        d_e = (vals[:, None] != vals[None, :]).sum() / (n * (n - 1))
        return 1 - d_o / d_e

    assert out.loc[("krippendorff_alpha", "tool+coders"), "value"] == pytest.approx(alpha(numeric))
    assert out.loc[("krippendorff_alpha", "coders"), "value"] == pytest.approx(alpha(numeric[1:]))
    # Cohen's kappa tool vs coder 1, on the 7 units both coded.
    keep = [i for i in range(8) if tool[i] is not None]
    a, b = [tool[i] for i in keep], [c1[i] for i in keep]
    po = np.mean([x == y for x, y in zip(a, b)])
    pe = sum(a.count(c) / 7 * b.count(c) / 7 for c in {"war", "aid", "law"})
    assert out.loc[("cohen_kappa", "tool~coder0"), "value"] == pytest.approx((po - pe) / (1 - pe))
    assert out.loc[("cohen_kappa", "tool~coder0"), "units"] == 7
    # A DataFrame of coders names the rows after its columns; interval drops kappa.
    frame = pd.DataFrame({"ana": [1, 2, 3, 4], "ben": [1, 2, 4, 4]})
    r = reliability([1, 2, 3, 3], frame, level="interval")
    assert r.raters.tolist() == ["tool+coders", "coders"]
    with pytest.raises(ValueError, match="has 3 codes"):
        reliability([1, 2, 3, 4], [1, 2, 3])

