"""Compare how groups (sides of a conflict) frame an event, quote by quote.

The functions take the quotes table (a pandas DataFrame, one row per quote)
and return tidy DataFrames:

- :func:`compare`: per group and feature, the mean with a cluster-bootstrap
  interval over articles; per pair of groups, the difference with its
  interval, a permutation p-value, the Benjamini-Hochberg adjusted p over all
  tests, Cohen's d and Cliff's delta.
- :func:`frame_divergence`: Jensen-Shannon divergence between the groups'
  frame profiles.
- :func:`keyness`: the words each group uses more than the others
  (log-odds with a Dirichlet prior).
- :func:`reliability`: agreement between the tool's codes and human coders.

Feature columns are numeric columns named ``frame_<name>``,
``stance_<target>`` (in [-1, 1]), ``uncertainty``, ``distancing`` and
``valence``. NaN means "no value" for that quote and feature only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, Callable, Iterable, List, Optional, Sequence

import numpy as np
import pandas as pd

from . import _core
from .stats import (
    LEVELS,
    _count,
    _seed,
    benjamini_hochberg,
    cohen_kappa,
    jensen_shannon,
    krippendorff_alpha,
    log_odds_z,
)

__all__ = ["compare", "feature_columns", "frame_divergence", "keyness", "reliability", "simple_tokenize"]

FEATURE_PREFIXES = ("frame_", "stance_")
FEATURE_NAMES = ("uncertainty", "distancing", "valence")


# ---------------------------------------------------------------- helpers


def _require_frame(quotes: Any) -> pd.DataFrame:
    if not isinstance(quotes, pd.DataFrame):
        raise ValueError(f"quotes must be a pandas DataFrame, got {type(quotes).__name__}")
    return quotes


def _require_column(quotes: pd.DataFrame, column: str, what: str) -> None:
    if column not in quotes.columns:
        raise ValueError(f"{what} column {column!r} is not in the quotes table")


def _is_numeric_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def feature_columns(quotes: pd.DataFrame) -> List[str]:
    """The feature columns present in ``quotes``, in table order.

    Numeric columns named ``frame_*``, ``stance_*``, ``uncertainty``,
    ``distancing`` or ``valence``.

    Examples
    --------
    >>> df = pd.DataFrame({"side": ["a"], "frame_war": [1.0], "valence": [0.2], "text": ["x"]})
    >>> feature_columns(df)
    ['frame_war', 'valence']
    """
    return [
        c
        for c in quotes.columns
        if isinstance(c, str)
        and (c.startswith(FEATURE_PREFIXES) or c in FEATURE_NAMES)
        and _is_numeric_column(quotes[c])
    ]


def _group_codes(quotes: pd.DataFrame, by: str):
    """Sorted group labels and per-row codes (-1 where the group is missing)."""
    _require_column(quotes, by, "group")
    codes, labels = pd.factorize(quotes[by], sort=True, use_na_sentinel=True)
    if len(labels) < 2:
        raise ValueError(
            f"need at least 2 groups in column {by!r} to compare, found {len(labels)}: {list(labels)}"
        )
    return codes, labels


def _features_matrix(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    for f in features:
        _require_column(frame, f, "feature")
        if not _is_numeric_column(frame[f]):
            raise ValueError(f"feature column {f!r} is not numeric (dtype {frame[f].dtype})")
    x = np.ascontiguousarray(frame[list(features)].to_numpy(dtype=np.float64, na_value=np.nan))
    for j, f in enumerate(features):
        col = x[:, j]
        if np.isinf(col).any():
            raise ValueError(f"feature column {f!r} holds infinite values (row {int(np.isinf(col).argmax())})")
        if f.startswith("stance_"):
            bad = np.abs(np.nan_to_num(col)) > 1.0
            if bad.any():
                raise ValueError(
                    f"stance column {f!r} must lie in [-1, 1]; row {int(bad.argmax())} holds {col[bad.argmax()]}"
                )
    return x


# ---------------------------------------------------------------- compare


def compare(
    quotes: pd.DataFrame,
    by: str = "side",
    features: Optional[Sequence[str]] = None,
    n_boot: int = 2000,
    seed: int = 0,
    cluster: Optional[str] = "doc_id",
    *,
    n_perm: Optional[int] = None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Compare groups of quotes on every feature, with article-level uncertainty.

    Parameters
    ----------
    quotes : DataFrame
        One row per quote.
    by : str
        The group column (the side the speaker belongs to). Rows without a
        group are left out.
    features : list of str, optional
        Feature columns; default: all present (see :func:`feature_columns`).
    n_boot : int
        Bootstrap replicates (0: no intervals).
    seed : int
        Seed; the same seed gives the same table on every machine.
    cluster : str or None
        The article column. Quotes of one article share its outlet, author
        and angle, so intervals resample whole articles and permutations
        respect them. ``None`` treats every quote as independent.
    n_perm : int, optional
        Permutations per pair of groups (0: no tests); default ``n_boot``.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        Tidy, one row per (feature, group) with ``kind == "mean"`` and one per
        (feature, pair) with ``kind == "difference"``; columns:

        - ``feature``, ``kind``, ``group``, ``vs`` (the other group of a pair)
        - ``estimate``: the mean over quotes with a value; for a pair
          ``mean(group) - mean(vs)``
        - ``ci_low``, ``ci_high``: percentile cluster-bootstrap interval
        - ``n``, ``n_vs``: quotes with a value; ``clusters``: articles quoting
          the group
        - ``p_value``: two-sided permutation p,
          :math:`(1 + \#\{|d_t| \ge |d|\}) / (1 + n_{perm})`
        - ``p_adjusted``: Benjamini-Hochberg over all pairs and features
        - ``cohen_d``: :math:`(\bar x_g - \bar x_h)/s_p`, pooled sd
        - ``cliff_delta``: :math:`P(x_g > x_h) - P(x_g < x_h)`
        - ``whole_clusters``, ``mixed_clusters``: how the permutation treated
          the articles (below)

    Notes
    -----
    **Intervals.** Each bootstrap replicate draws articles with replacement
    and recomputes every group mean from per-article sums (one matrix
    product per replicate), so correlated quotes of one article move
    together. A difference's interval uses the same replicates.

    **Permutation tests.** The null hypothesis is that the speaker's side
    does not matter. What may be exchanged under it depends on the design,
    and is decided per pair of groups, article by article:

    - an article quoting only one of the two sides is relabelled as a whole
      (the side labels are permuted among such articles): quotes of one
      article are not independent, so permuting them one by one would give
      p-values that are too small;
    - within an article quoting both sides, the labels of its quotes are
      permuted, so outlet- and article-level differences cancel out.

    With ``cluster=None`` this is the ordinary quote-level test.
    ``whole_clusters`` and ``mixed_clusters`` count the two kinds of
    articles.

    References
    ----------
    Davison & Hinkley (1997), Bootstrap Methods and their Application, 3.8;
    Phipson & Smyth (2010); Benjamini & Hochberg (1995); Cohen (1988),
    Statistical Power Analysis; Cliff (1993), Dominance statistics,
    Psychological Bulletin 114(3).

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "doc_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...     "side": ["a", "b"] * 4,
    ...     "frame_security": [1, 0, 1, 0, 1, 1, 1, 0],
    ... })
    >>> out = compare(df, n_boot=200, seed=1)
    >>> out[out.kind == "mean"][["group", "estimate", "n"]].to_string(index=False)
    'group  estimate  n\n    a      1.00  4\n    b      0.25  4'
    >>> d = out[out.kind == "difference"].iloc[0]
    >>> d.group, d.vs, float(d.estimate), int(d.mixed_clusters)
    ('a', 'b', 0.75, 4)
    >>> bool(d.ci_low <= 0.75 <= d.ci_high)
    True
    """
    quotes = _require_frame(quotes)
    codes, labels = _group_codes(quotes, by)
    if features is None:
        features = feature_columns(quotes)
    features = list(features)
    if not features:
        raise ValueError(
            "no feature columns: pass features=[...] or add numeric columns named "
            "frame_*, stance_*, uncertainty, distancing or valence"
        )
    n_boot = _count(n_boot, "n_boot", minimum=0)
    n_perm = n_boot if n_perm is None else _count(n_perm, "n_perm", minimum=0)
    seed = _seed(seed)
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")

    keep = codes >= 0
    frame = quotes.loc[keep] if not keep.all() else quotes
    x = _features_matrix(frame, features)
    group = codes[keep].astype(np.int64)
    if cluster is None:
        clusters = np.empty(0, dtype=np.int64)
    else:
        _require_column(frame, cluster, "cluster")
        clusters, _ = pd.factorize(frame[cluster], use_na_sentinel=True)
        if (clusters < 0).any():
            raise ValueError(
                f"cluster column {cluster!r} is missing for {int((clusters < 0).sum())} quotes; "
                "fill it in or pass cluster=None"
            )
        clusters = clusters.astype(np.int64)

    r = _core.stats.compare_groups(x, group, clusters, len(labels), n_boot, n_perm, float(level), seed)

    G, F = len(labels), len(features)
    group_labels = np.asarray(labels, dtype=object)
    means = pd.DataFrame(
        {
            "feature": np.tile(features, G),
            "kind": "mean",
            "group": np.repeat(group_labels, F),
            "vs": None,
            "estimate": r["mean"].ravel(),
            "ci_low": r["ci_low"].ravel(),
            "ci_high": r["ci_high"].ravel(),
            "n": r["n"].ravel(),
            "n_vs": pd.NA,
            "clusters": np.repeat(r["clusters"], F),
            "p_value": np.nan,
            "cohen_d": np.nan,
            "cliff_delta": np.nan,
            "whole_clusters": pd.NA,
            "mixed_clusters": pd.NA,
        }
    )
    pairs = r["pairs"]
    P = pairs.shape[0]
    first, second = pairs[:, 0], pairs[:, 1]
    diffs = pd.DataFrame(
        {
            "feature": np.tile(features, P),
            "kind": "difference",
            "group": np.repeat(group_labels[first], F),
            "vs": np.repeat(group_labels[second], F),
            "estimate": r["diff"].ravel(),
            "ci_low": r["diff_low"].ravel(),
            "ci_high": r["diff_high"].ravel(),
            "n": r["n"][first].ravel(),
            "n_vs": r["n"][second].ravel(),
            "clusters": np.repeat(r["clusters"][first], F),
            "p_value": r["p_value"].ravel(),
            "cohen_d": r["cohen_d"].ravel(),
            "cliff_delta": r["cliff_delta"].ravel(),
            "whole_clusters": np.repeat(r["whole_clusters"], F),
            "mixed_clusters": np.repeat(r["mixed_clusters"], F),
        }
    )
    diffs["p_adjusted"] = benjamini_hochberg(diffs["p_value"].to_numpy(dtype=np.float64))
    out = pd.concat([means, diffs], ignore_index=True)
    # Feature order as given, means before differences, groups in sorted order.
    out["_f"] = out["feature"].map({f: i for i, f in enumerate(features)})
    out["_k"] = (out["kind"] == "difference").astype(int)
    out = out.sort_values(["_f", "_k"], kind="stable").drop(columns=["_f", "_k"]).reset_index(drop=True)
    for col in ("n", "clusters"):
        out[col] = out[col].astype("int64")
    for col in ("n_vs", "whole_clusters", "mixed_clusters"):
        out[col] = out[col].astype("Int64")
    columns = [
        "feature", "kind", "group", "vs", "estimate", "ci_low", "ci_high", "n", "n_vs", "clusters",
        "p_value", "p_adjusted", "cohen_d", "cliff_delta", "whole_clusters", "mixed_clusters",
    ]
    out = out[columns]
    out.attrs.update(
        {"by": by, "cluster": cluster, "n_boot": n_boot, "n_perm": n_perm, "level": float(level), "seed": seed}
    )
    return out


# ---------------------------------------------------------------- frame divergence


def frame_divergence(quotes: pd.DataFrame, by: str = "side", frames: Optional[Sequence[str]] = None) -> pd.DataFrame:
    r"""Jensen-Shannon divergence between the groups' frame profiles.

    A group's frame profile is the sum over its quotes of each ``frame_*``
    column (NaN skipped), normalised to a distribution over frames. For
    every pair of groups the divergence (in bits, in [0, 1]) is
    :math:`JS(P, Q) = \tfrac12 KL(P\|M) + \tfrac12 KL(Q\|M)`,
    :math:`M = (P+Q)/2`.

    Parameters
    ----------
    quotes : DataFrame
    by : str
        The group column.
    frames : list of str, optional
        Frame columns (non-negative scores); default all ``frame_*`` columns.

    Returns
    -------
    DataFrame
        Columns ``group``, ``vs``, ``divergence``, one row per pair.

    Examples
    --------
    >>> df = pd.DataFrame({"side": ["a", "a", "b"], "frame_war": [1, 0, 0],
    ...                    "frame_aid": [0, 1, 0], "frame_law": [0, 0, 1]})
    >>> frame_divergence(df).to_string(index=False)
    'group vs  divergence\n    a  b         1.0'
    """
    quotes = _require_frame(quotes)
    codes, labels = _group_codes(quotes, by)
    if frames is None:
        frames = [c for c in feature_columns(quotes) if c.startswith("frame_")]
    frames = list(frames)
    if not frames:
        raise ValueError("no frame columns (frame_*) to compare")
    x = _features_matrix(quotes, frames)
    if (np.nan_to_num(x) < 0).any():
        raise ValueError("frame scores must be >= 0 to form a profile")
    keep = codes >= 0
    profile = np.zeros((len(labels), len(frames)))
    np.add.at(profile, codes[keep], np.nan_to_num(x[keep]))
    for g, label in enumerate(labels):
        if not profile[g].sum() > 0:
            raise ValueError(f"group {label!r} has no frame weight at all; its profile is undefined")
    rows = []
    for g in range(len(labels)):
        for h in range(g + 1, len(labels)):
            rows.append((labels[g], labels[h], jensen_shannon(profile[g], profile[h])))
    return pd.DataFrame(rows, columns=["group", "vs", "divergence"])


# ---------------------------------------------------------------- keyness


_WORD = re.compile(r"\w+")


def simple_tokenize(text: str) -> List[str]:
    """Lower-cased ``\\w+`` runs: a placeholder until the ICU tokens are wired in.

    Examples
    --------
    >>> simple_tokenize("Ceasefire NOW, l'armée")
    ['ceasefire', 'now', 'l', 'armée']
    """
    return _WORD.findall(text.lower())


def keyness(
    quotes: pd.DataFrame,
    by: str = "side",
    text_col: str = "text",
    prior: Any = 0.01,
    top: int = 20,
    *,
    tokenize: Optional[Callable[[str], Iterable[str]]] = None,
) -> pd.DataFrame:
    r"""The words each group uses more than the other groups ("Fightin' Words").

    Counts words per group and scores each group against the pooled rest
    with :func:`quoteframe.stats.log_odds_z` (Monroe, Colaresi & Quinn 2008):

    .. math:: \delta_w = \log\frac{y_w + a_w}{n + a_0 - y_w - a_w}
                       - \log\frac{y'_w + a_w}{n' + a_0 - y'_w - a_w},\quad
              z_w = \delta_w \Big/ \sqrt{\tfrac{1}{y_w + a_w} + \tfrac{1}{y'_w + a_w}}.

    Parameters
    ----------
    quotes : DataFrame
    by : str
        The group column.
    text_col : str
        The quote text column; missing texts are skipped.
    prior : float, "corpus" or mapping
        Dirichlet pseudo-counts :math:`a_w`. A number: the same for every
        word (the default 0.01 only keeps the logs finite). ``"corpus"``:
        the informative prior of the paper with the quotes themselves as the
        background, :math:`a_w` = the word's count over all groups (so
        :math:`a_0 = n`, a prior as strong as the data, which shrinks rare
        words hard). A mapping word -> pseudo-count (a background corpus);
        words it lacks get its smallest value.
    top : int
        Words reported per group (highest z first).
    tokenize : callable, optional
        Text -> tokens; default :func:`simple_tokenize`.

    Returns
    -------
    DataFrame
        Columns ``group``, ``rank``, ``term``, ``z``, ``delta``, ``count``
        (in the group), ``count_rest`` (in the other groups).

    Examples
    --------
    >>> df = pd.DataFrame({"side": ["a", "a", "b", "b"],
    ...                    "text": ["terror attack", "terror threat",
    ...                             "siege hunger", "siege of the city"]})
    >>> k = keyness(df, top=1)
    >>> k[["group", "term"]].to_string(index=False)
    'group   term\n    a terror\n    b  siege'
    """
    quotes = _require_frame(quotes)
    codes, labels = _group_codes(quotes, by)
    _require_column(quotes, text_col, "text")
    top = _count(top, "top")
    tok = tokenize or simple_tokenize
    counters = [Counter() for _ in labels]
    for code, text in zip(codes, quotes[text_col].to_numpy(dtype=object)):
        if code < 0 or text is None or (isinstance(text, float) and np.isnan(text)):
            continue
        counters[code].update(tok(str(text)))
    vocab = sorted(set().union(*counters))
    if len(vocab) < 2:
        raise ValueError("keyness needs at least 2 distinct words in the texts")
    index = {w: j for j, w in enumerate(vocab)}
    counts = np.zeros((len(labels), len(vocab)))
    for g, counter in enumerate(counters):
        for w, c in counter.items():
            counts[g, index[w]] = c
    if isinstance(prior, str):
        if prior != "corpus":
            raise ValueError(f"prior must be a number, 'corpus' or a mapping, got {prior!r}")
        alpha = counts.sum(axis=0)
    elif isinstance(prior, Mapping):
        values = np.asarray(list(prior.values()), dtype=np.float64)
        if values.size == 0 or not (values > 0).all():
            raise ValueError("a prior mapping needs positive pseudo-counts")
        fallback = float(values.min())
        alpha = np.array([float(prior.get(w, fallback)) for w in vocab])
    else:
        alpha = np.full(len(vocab), float(prior))
    result = log_odds_z(counts, alpha)
    rest = counts.sum(axis=0)[None, :] - counts
    rows = []
    terms = np.asarray(vocab, dtype=object)
    for g, label in enumerate(labels):
        # Highest z first; ties by term, so the order is reproducible.
        order = np.lexsort((terms, -result.z[g]))[:top]
        for rank, j in enumerate(order, start=1):
            rows.append((label, rank, vocab[j], result.z[g, j], result.delta[g, j], counts[g, j], rest[g, j]))
    out = pd.DataFrame(rows, columns=["group", "rank", "term", "z", "delta", "count", "count_rest"])
    out[["count", "count_rest"]] = out[["count", "count_rest"]].astype("int64")
    return out


# ---------------------------------------------------------------- reliability


def _raters(b_or_more: Any) -> List[np.ndarray]:
    if isinstance(b_or_more, pd.DataFrame):
        return [b_or_more[c].to_numpy(dtype=object) for c in b_or_more.columns]
    if isinstance(b_or_more, pd.Series):
        return [b_or_more.to_numpy(dtype=object)]
    arr = np.asarray(b_or_more, dtype=object)
    if arr.ndim == 1 and arr.size and all(np.ndim(v) == 1 for v in arr):
        return [np.asarray(v, dtype=object) for v in arr]  # ragged list of coders
    if arr.ndim == 1:
        return [arr]
    if arr.ndim == 2:
        return [row for row in arr]
    raise ValueError(f"coders must be 1-D (one coder) or 2-D (coders x units), got shape {arr.shape}")


def reliability(a: Any, b_or_more: Any, level: str = "nominal") -> pd.DataFrame:
    r"""Agreement between the tool's codes and one or more human coders.

    Parameters
    ----------
    a : array-like
        The tool's code for each unit (quote); None/NaN = not coded.
    b_or_more : array-like, Series or DataFrame
        One coder (1-D, same length as ``a``), several coders (2-D, coders x
        units, or a list of 1-D arrays), or a DataFrame with one column per
        coder and one row per unit.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement for Krippendorff's alpha.

    Returns
    -------
    DataFrame
        Columns ``measure``, ``raters``, ``value``, ``units``:

        - ``krippendorff_alpha`` for ``"tool+coders"`` (everyone) and, with
          two or more coders, for ``"coders"`` (the human baseline the tool
          should reach);
        - ``cohen_kappa`` (unweighted) between the tool and each coder
          (``"tool~coder<k>"``, or the DataFrame's column name), for nominal
          and ordinal codes only.

        ``units`` counts the units the measure used (coded by at least two
        of its raters).

    References
    ----------
    Krippendorff (2011), Computing Krippendorff's alpha-reliability;
    Cohen (1960), Educ. Psychol. Meas. 20(1).

    Examples
    --------
    >>> r = reliability(["war", "aid", "war", "law"], ["war", "aid", "law", "law"])
    >>> r[["measure", "raters"]].to_string(index=False)
    '           measure      raters\nkrippendorff_alpha tool+coders\n       cohen_kappa tool~coder0'
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    tool = np.asarray(a, dtype=object)
    if tool.ndim != 1:
        raise ValueError(f"a (the tool's codes) must be one-dimensional, got shape {tool.shape}")
    coders = _raters(b_or_more)
    names = (
        [str(c) for c in b_or_more.columns]
        if isinstance(b_or_more, pd.DataFrame)
        else [f"coder{k}" for k in range(len(coders))]
    )
    for name, c in zip(names, coders):
        if c.shape != tool.shape:
            raise ValueError(f"{name} has {c.size} codes but the tool has {tool.size}")

    def coded(v: np.ndarray) -> np.ndarray:
        return ~pd.isna(pd.Series(v, dtype=object)).to_numpy()

    def units(rows: List[np.ndarray]) -> int:
        return int((np.sum([coded(r) for r in rows], axis=0) >= 2).sum())

    everyone = np.vstack([tool] + coders)
    rows = [("krippendorff_alpha", "tool+coders", krippendorff_alpha(everyone, level), units([tool] + coders))]
    if len(coders) >= 2:
        rows.append(("krippendorff_alpha", "coders", krippendorff_alpha(np.vstack(coders), level), units(coders)))
    if level in ("nominal", "ordinal"):
        for name, c in zip(names, coders):
            rows.append(("cohen_kappa", f"tool~{name}", cohen_kappa(tool, c), units([tool, c])))
    return pd.DataFrame(rows, columns=["measure", "raters", "value", "units"])
