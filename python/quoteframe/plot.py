"""One-line figures for a notebook or a report.

Each function takes the quotes table of :func:`quoteframe.analyze` (or a table
derived from it), draws one chart and returns the matplotlib ``Figure``:

- :func:`frame_profile`: heat map of mean frame intensity, group x frame;
- :func:`stance`: mean stance toward a target per group, with the
  article-bootstrap intervals of :func:`quoteframe.compare`;
- :func:`keyness`: the words each group over-uses (log-odds z-scores);
- :func:`translation`: what a translation changed (the differences found by
  :func:`quoteframe.drift`, and the scores of the aligned quotes).

Figures are built with ``matplotlib.figure.Figure``, not ``pyplot``, so they
need no GUI backend and are not kept alive by pyplot's registry. In Jupyter,
run ``%matplotlib inline`` once and a returned figure is shown like any other;
elsewhere use ``fig.savefig(...)``. Pass ``ax=`` to draw into an axes of your
own figure (then that figure is returned).

Matplotlib is an optional dependency (``pip install 'quoteframe[plot]'``):
this module imports without it, and each function raises an ``ImportError``
naming the extra when it is missing. Arabic labels are shaped and laid out
right to left with ``arabic-reshaper`` and ``python-bidi`` (same extra), since
matplotlib draws characters one by one, unjoined and left to right; without
them a :class:`~quoteframe.QuoteframeWarning` says the labels will look wrong.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ._optional import optional_module

__all__ = ["frame_profile", "stance", "keyness", "translation", "display_text", "group_colors"]

# Okabe & Ito's colour-blind-safe palette; groups take it in sorted order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_NEUTRAL = "#9a9a9a"

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_shaper: Optional[Any] = None
_warned_shaping = False


# --------------------------------------------------------------------------------------
# Helpers shared by the charts


def _mpl():
    """matplotlib's Figure class and colormaps, or an ImportError naming the extra."""
    optional_module("matplotlib", "quoteframe.plot")
    figure = optional_module("matplotlib.figure", "quoteframe.plot")
    return figure.Figure


def _load_shaper():
    """(reshape, get_display), or None when the shaping packages are missing."""
    global _shaper
    if _shaper is None:
        try:
            reshaper = optional_module("arabic_reshaper")
            bidi = optional_module("bidi")
            get_display = getattr(bidi, "get_display", None)
            if get_display is None:  # python-bidi before 0.5 keeps it in bidi.algorithm
                get_display = optional_module("bidi.algorithm").get_display
            _shaper = (reshaper.reshape, get_display)
        except ImportError:
            _shaper = False
    return _shaper or None


def display_text(text: Any) -> str:
    """``text`` as matplotlib should draw it: Arabic/Hebrew joined and in visual order.

    Text without right-to-left letters is returned unchanged. When
    ``arabic-reshaper`` / ``python-bidi`` are missing the text is returned as
    is, with one :class:`~quoteframe.QuoteframeWarning` per process.
    """
    global _warned_shaping
    s = "" if text is None else str(text)
    if not _RTL.search(s):
        return s
    shaper = _load_shaper()
    if shaper is None:
        if not _warned_shaping:
            from .text import QuoteframeWarning

            _warned_shaping = True
            warnings.warn(
                "Arabic labels will be drawn unjoined and left to right: shaping them needs "
                "arabic-reshaper and python-bidi (pip install 'quoteframe[plot]')",
                QuoteframeWarning,
                stacklevel=3,
            )
        return s
    reshape, get_display = shaper
    return get_display(reshape(s))


def group_colors(groups: Sequence[Any]) -> Dict[Any, str]:
    """A colour per group, stable for a given set of groups (sorted, then the palette in order)."""
    ordered = sorted({g for g in groups if not _missing(g)}, key=str)
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(ordered)}


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _require(quotes: Any, columns: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(quotes, pd.DataFrame):
        raise ValueError(f"{what} needs a pandas DataFrame, got {type(quotes).__name__}")
    missing = [c for c in columns if c not in quotes.columns]
    if missing:
        raise ValueError(f"{what}: the table has no column(s) {', '.join(map(repr, missing))}")
    return quotes


def _actor_labels(quotes: pd.DataFrame) -> Dict[str, str]:
    """Actor id -> label from the codebook named in ``quotes.attrs`` (empty if unavailable)."""
    name = quotes.attrs.get("codebook")
    if not name:
        return {}
    try:
        from .codebook import load_codebook

        cb = load_codebook(name)
    except (FileNotFoundError, ValueError, ImportError):
        return {}
    return {a["id"]: a.get("label") or a["id"] for a in cb.actors}


def _actor_sides(quotes: pd.DataFrame) -> Dict[str, str]:
    if not {"actor", "side"} <= set(quotes.columns):
        return {}
    pairs = quotes[["actor", "side"]].dropna().drop_duplicates("actor")
    return dict(zip(pairs["actor"], pairs["side"]))


def _new_axes(ax, figsize: Tuple[float, float]):
    if ax is not None:
        return ax.figure, ax
    Figure = _mpl()
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _text_color(rgba) -> str:
    r, g, b = rgba[:3]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "black"


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


# --------------------------------------------------------------------------------------
# Frame profile


def frame_profile(
    quotes: pd.DataFrame,
    by: str = "side",
    frames: Optional[Sequence[str]] = None,
    *,
    ax=None,
    cmap: str = "Blues",
    annotate: bool = True,
    title: Optional[str] = "Mean frame intensity",
):
    """Heat map of mean frame intensity, one row per group and one column per frame.

    Parameters
    ----------
    quotes : DataFrame
        The quotes (``frame_*`` columns and the ``by`` column).
    by : str
        The group column (``"side"``, ``"actor"``, ``"lang"``...). Quotes without
        a group are left out.
    frames : list of str, optional
        Frame columns, with or without the ``frame_`` prefix; default all.
    ax : matplotlib Axes, optional
        Draw here instead of in a new figure.
    cmap : str
        A sequential matplotlib colormap.
    annotate : bool
        Write each mean in its cell.

    Returns
    -------
    matplotlib.figure.Figure
        The cells hold the mean over a group's quotes of the frame score
        (weighted codebook hits per 10 words); the row labels give the number
        of quotes behind each row.
    """
    _mpl()
    quotes = _require(quotes, [by], "frame_profile")
    if frames is None:
        cols = [c for c in quotes.columns if isinstance(c, str) and c.startswith("frame_")]
    else:
        cols = [f if f.startswith("frame_") else f"frame_{f}" for f in frames]
    _require(quotes, cols, "frame_profile")
    if not cols:
        raise ValueError("frame_profile: the table has no frame_* columns")
    data = quotes.loc[quotes[by].notna(), [by] + cols]
    means = data.groupby(by, sort=True, observed=True)[cols].mean()
    counts = data.groupby(by, sort=True, observed=True).size()
    names = [c[len("frame_"):] for c in cols]
    labels = _actor_labels(quotes) if by == "actor" else {}

    fig, ax = _new_axes(ax, (max(5.0, 0.9 * len(cols) + 2.5), max(2.4, 0.55 * len(means) + 1.4)))
    if means.empty:
        _empty(ax, f"no quote has a {by}")
        return fig
    values = means.to_numpy(dtype=float)
    vmax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0.0, vmax=vmax if vmax > 0 else 1.0,
                      aspect="auto")
    ax.set_xticks(range(len(names)), [display_text(n) for n in names], rotation=30, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(len(means)),
                  [display_text(f"{labels.get(g, g)} ({counts[g]})") for g in means.index])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate:
        colormap = image.cmap
        norm = image.norm
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if not np.isfinite(v):
                    continue
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8.5,
                        color=_text_color(colormap(norm(v))))
    bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.set_label("hits per 10 words", fontsize=8.5)
    bar.ax.tick_params(labelsize=8)
    ax.set_xlabel("frame")
    ax.set_ylabel(f"{by} (quotes)")
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------
# Stance with intervals


def stance(
    quotes: pd.DataFrame,
    target: str = "csto",
    by: str = "side",
    *,
    ax=None,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
    table: Optional[pd.DataFrame] = None,
    title: Optional[str] = None,
):
    """Mean stance toward ``target`` per group, with article-bootstrap intervals.

    The means and intervals are those of :func:`quoteframe.compare` (quotes of
    one article resampled together), so the figure and the table agree. Groups
    are sorted by their mean; a vertical line marks 0 (neutral). A group quoted
    in a single article has no interval to speak of (every resample holds the
    same article): it is drawn as an open marker and its label says so.

    Parameters
    ----------
    quotes : DataFrame
        The quotes (``stance_<target>`` and the ``by`` column).
    target : str
        A codebook target (``"csto"``, ``"west"``), with or without ``stance_``.
    by : str
        ``"side"`` or ``"actor"`` (any group column works). With ``"actor"`` the
        markers take the colour of the actor's side.
    ax : matplotlib Axes, optional
    n_boot, seed, level
        Passed to :func:`quoteframe.compare`.
    table : DataFrame, optional
        A :func:`quoteframe.compare` result to draw instead of computing one.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _mpl()
    feature = target if target.startswith("stance_") else f"stance_{target}"
    quotes = _require(quotes, [by, feature], "stance")
    if table is None:
        from .compare import compare

        table = compare(quotes, by=by, features=[feature], n_boot=n_boot, seed=seed, level=level, n_perm=0)
    rows = table[(table["feature"] == feature) & (table["kind"] == "mean")]
    rows = rows.sort_values(["estimate", "group"], kind="stable")
    labels = _actor_labels(quotes) if by == "actor" else {}
    if by == "actor":
        sides = _actor_sides(quotes)
        side_colors = group_colors(sides.values())
        color_of = {g: side_colors.get(sides.get(g), _NEUTRAL) for g in rows["group"]}
    else:
        colors = group_colors(rows["group"])
        color_of = {g: colors[g] for g in rows["group"]}

    width = 7.6 if by == "actor" else 6.4
    fig, ax = _new_axes(ax, (width, max(2.2, 0.42 * len(rows) + 1.3)))
    if rows.empty:
        _empty(ax, f"no {by} to compare")
        return fig
    ax.axvline(0.0, color="#444444", lw=0.9, zorder=1)
    for i, r in enumerate(rows.itertuples(index=False)):
        c = color_of[r.group]
        one_article = int(r.clusters) < 2
        if np.isfinite(r.ci_low) and np.isfinite(r.ci_high) and not one_article:
            ax.plot([r.ci_low, r.ci_high], [i, i], color=c, lw=2.2, solid_capstyle="round", zorder=2)
        ax.plot([r.estimate], [i], marker="o", ms=7, color=c, mfc="white" if one_article else c, mew=1.8,
                zorder=3)
    ticks = []
    for r in rows.itertuples(index=False):
        name = labels.get(r.group, r.group)
        art = f"{int(r.clusters)} article" + ("s" if int(r.clusters) != 1 else "")
        ticks.append(display_text(f"{name}  (n={int(r.n)}, {art})"))
    ax.set_yticks(range(len(rows)), ticks)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    lo = np.nanmin(np.r_[rows["ci_low"].to_numpy(float), rows["estimate"].to_numpy(float), -0.25])
    hi = np.nanmax(np.r_[rows["ci_high"].to_numpy(float), rows["estimate"].to_numpy(float), 0.25])
    pad = 0.08 * (hi - lo)
    ax.set_xlim(max(-1.0, lo - pad), min(1.0, hi + pad))
    pct = int(round(100 * float(table.attrs.get("level", level))))
    ax.set_xlabel(f"mean stance toward {feature[len('stance_'):]}\n"
                  f"(-1 critical … +1 supportive; {pct}% CI, articles resampled)")
    if by == "actor" and side_colors:
        shown = [s for s in side_colors if s in {sides.get(g) for g in rows["group"]}]
        handles = [ax.plot([], [], marker="o", ls="", color=side_colors[s], label=display_text(s))[0]
                   for s in shown]
        ax.legend(handles=handles, title="side", fontsize=8, title_fontsize=8.5, frameon=False,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is None:
        title = f"Stance toward {feature[len('stance_'):]} by {by}"
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------
# Keyness


def keyness(
    quotes: pd.DataFrame,
    by: str = "side",
    top: int = 15,
    *,
    ax=None,
    significance: Optional[float] = 1.96,
    title: Optional[str] = "Words each group uses more than the others",
    **options: Any,
):
    """Diverging bars of keyness z-scores, one panel per group.

    ``quotes`` is either the quotes table (then :func:`quoteframe.keyness` is
    run with ``by``, ``top`` and any ``options`` such as ``prior=`` or
    ``tokenize=``) or a table it returned (columns ``group``, ``term``, ``z``).
    Bars to the right are words the group uses more than the rest; a word
    with a negative z (it can happen for a small group) points left, in grey.
    Dashed lines mark ``|z| = significance`` (None: no lines); with this many
    words, treat the line as a guide, not a test.

    Returns
    -------
    matplotlib.figure.Figure
        With ``ax=`` every group is drawn into that one axes (groups stacked,
        separated by their names); otherwise one panel per group.
    """
    _mpl()
    if isinstance(quotes, pd.DataFrame) and {"group", "term", "z"} <= set(quotes.columns):
        table = quotes
    else:
        from .compare import keyness as keyness_table

        _require(quotes, [by], "keyness")
        table = keyness_table(quotes, by=by, top=top, **options)
    table = table.sort_values(["group", "z"], ascending=[True, False], kind="stable")
    table = table.groupby("group", sort=True).head(top)
    groups = list(dict.fromkeys(table["group"]))
    colors = group_colors(groups)

    if ax is not None:
        fig = ax.figure
        _keyness_axes(ax, table, groups, colors, significance, stacked=True)
        if title:
            ax.set_title(title)
        return fig
    Figure = _mpl()
    if not groups:
        fig = Figure(figsize=(5, 2), layout="constrained")
        _empty(fig.add_subplot(), "no words to compare")
        return fig
    ncols = min(len(groups), 4)
    nrows = math.ceil(len(groups) / ncols)
    height = max(2.0, 0.24 * top + 0.9)
    fig = Figure(figsize=(3.3 * ncols, height * nrows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    zmax = float(np.nanmax(np.abs(table["z"]))) if len(table) else 1.0
    for a, g in zip(axes, groups):
        _keyness_axes(a, table[table["group"] == g], [g], colors, significance, stacked=False)
        a.set_xlim(min(-0.5, float(table["z"].min()) * 1.1), max(zmax * 1.12, (significance or 0) * 1.1))
        a.set_title(display_text(str(g)), color=colors[g], fontsize=11, fontweight="bold")
    for a in axes[len(groups):]:
        a.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def _keyness_axes(ax, table: pd.DataFrame, groups: List[Any], colors: Mapping[Any, str],
                  significance: Optional[float], stacked: bool) -> None:
    y, labels, values, bar_colors = [], [], [], []
    pos = 0
    group_ticks = []
    for g in groups:
        sub = table[table["group"] == g]
        group_ticks.append((pos, g))
        for r in sub.itertuples(index=False):
            y.append(pos)
            labels.append(display_text(r.term))
            values.append(float(r.z))
            bar_colors.append(colors.get(g, _NEUTRAL) if r.z >= 0 else _NEUTRAL)
            pos += 1
        if stacked:
            pos += 1  # a gap between groups
    ax.barh(y, values, color=bar_colors, height=0.72)
    ax.set_yticks(y, labels, fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0.0, color="#444444", lw=0.8)
    if significance:
        for s in (-significance, significance):
            ax.axvline(s, color="#888888", lw=0.8, ls="--")
    if stacked:
        for p, g in group_ticks:
            ax.annotate(display_text(str(g)), xy=(1.0, p), xycoords=("axes fraction", "data"), ha="right",
                        va="center", fontsize=9, fontweight="bold", color=colors.get(g, _NEUTRAL))
    ax.set_xlabel("keyness z (log-odds, Dirichlet prior)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# --------------------------------------------------------------------------------------
# Translation drift

# The kinds of quoteframe.drift(), grouped by what they threaten in an analysis.
_DRIFT_GROUPS = {
    "coverage": ("quote_missing", "paragraph_missing"),
    "attribution": ("attribution_dropped", "attribution_added", "actor_changed", "gender_changed",
                    "gender_conflict"),
    "scores": ("type_changed", "frame_changed", "stance_changed"),
    "naming": ("rendering_replaced",),
}
_DRIFT_COLORS = {"coverage": "#9a9a9a", "attribution": PALETTE[1], "scores": PALETTE[0], "naming": PALETTE[3]}
_DRIFT_ORDER = [k for kinds in _DRIFT_GROUPS.values() for k in kinds]


def _drift_group(kind: str) -> str:
    return next((g for g, kinds in _DRIFT_GROUPS.items() if kind in kinds), "other")


def _entity_summary(entities: pd.Series, limit: int = 3) -> str:
    counts = entities.dropna().astype(str).value_counts()
    if counts.empty:
        return ""
    parts = [f"{e} ×{n}" if n > 1 else e for e, n in counts.iloc[:limit].items()]
    if len(counts) > limit:
        parts.append(f"+{len(counts) - limit} more")
    return ", ".join(parts)


def _score_shifts(pairs: pd.DataFrame, quotes: pd.DataFrame, features: Optional[Sequence[str]]) -> pd.DataFrame:
    """(feature, source, target) per aligned quote pair: the scores of quote_a and quote_b."""
    _require(pairs, ["quote_a", "quote_b"], "translation (pairs)")
    _require(quotes, ["quote_id"], "translation (quotes)")
    if features is None:
        features = [c for c in quotes.columns if isinstance(c, str) and (c.startswith("frame_") or (
            c.startswith("stance_") and not c.endswith("_label")))]
    _require(quotes, list(features), "translation (quotes)")
    scores = quotes.set_index("quote_id")[list(features)]
    known = pairs["quote_a"].isin(scores.index) & pairs["quote_b"].isin(scores.index)
    a = scores.loc[pairs.loc[known, "quote_a"]].to_numpy(dtype=float)
    b = scores.loc[pairs.loc[known, "quote_b"]].to_numpy(dtype=float)
    n = int(known.sum())
    return pd.DataFrame({"feature": np.repeat(np.asarray(features, dtype=object)[None, :], n, axis=0).ravel(),
                         "source": a.ravel(), "target": b.ravel()})


def _shift_panel(ax, long: pd.DataFrame, source_label: str, target_label: str, tolerance: float) -> None:
    long = long.dropna(subset=["source", "target"])
    long = long.assign(changed=(long["target"] - long["source"]).abs() > tolerance)
    summary = long.groupby("feature", sort=True).agg(
        source=("source", "mean"), target=("target", "mean"), n=("source", "size"), changed=("changed", "sum"))
    summary["shift"] = summary["target"] - summary["source"]
    summary = summary.reindex(summary["shift"].abs().sort_values(kind="stable").index)
    if summary.empty:
        _empty(ax, "no aligned quote pairs")
        return
    for i, (_, r) in enumerate(summary.iterrows()):
        ax.annotate("", xy=(r["target"], i), xytext=(r["source"], i),
                    arrowprops={"arrowstyle": "-|>", "color": "#777777", "lw": 1.2, "shrinkA": 4, "shrinkB": 4})
    ax.scatter(summary["source"], range(len(summary)), color=PALETTE[0], s=42, zorder=3, label=source_label)
    ax.scatter(summary["target"], range(len(summary)), color=PALETTE[1], s=42, zorder=3, marker="D",
               label=target_label)
    ax.set_yticks(range(len(summary)),
                  [f"{f}  ({int(r['changed'])}/{int(r['n'])} changed)" for f, r in summary.iterrows()])
    ax.axvline(0.0, color="#444444", lw=0.8)
    ax.set_xlabel("mean score over the aligned quote pairs")
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower right", fontsize=8.5, frameon=False)


def _kinds_panel(ax, drift: pd.DataFrame) -> None:
    kinds = [k for k in _DRIFT_ORDER if k in set(drift["kind"])]
    kinds += sorted(set(drift["kind"]) - set(kinds))
    if not kinds:
        _empty(ax, "no differences")
        return
    counts = [int((drift["kind"] == k).sum()) for k in kinds]
    colors = [_DRIFT_COLORS.get(_drift_group(k), _NEUTRAL) for k in kinds]
    ax.barh(range(len(kinds)), counts, color=colors, height=0.7)
    ax.set_yticks(range(len(kinds)), [k.replace("_", " ") for k in kinds])
    ax.invert_yaxis()
    for i, k in enumerate(kinds):
        note = _entity_summary(drift.loc[drift["kind"] == k, "entity"])
        ax.annotate(f" {counts[i]}" + (f"  {display_text(note)}" if note else ""), xy=(counts[i], i),
                    va="center", fontsize=8.5, annotation_clip=False)
    ax.set_xlim(0, max(counts) * 1.9 + 1)
    ax.set_xlabel("differences")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    shown = [g for g in _DRIFT_GROUPS if any(_drift_group(k) == g for k in kinds)]
    Patch = optional_module("matplotlib.patches", "quoteframe.plot").Patch
    handles = [Patch(color=_DRIFT_COLORS[g], label=g) for g in shown]
    ax.legend(handles=handles, loc="lower right", fontsize=8.5, frameon=False, title="threatens",
              title_fontsize=8.5)


def translation(
    drift_table: pd.DataFrame,
    quotes: Optional[pd.DataFrame] = None,
    pairs: Optional[pd.DataFrame] = None,
    *,
    relation: Optional[str] = "translation",
    features: Optional[Sequence[str]] = None,
    ax=None,
    tolerance: float = 1e-9,
    title: Optional[str] = "What the translation changed",
):
    """What changed between the versions of an article, from :func:`quoteframe.drift`.

    The first panel counts the differences by kind (quotes or paragraphs only in
    one version, dropped or changed attributions, cue gender, frames, stances,
    renamed entities), coloured by what they threaten (coverage, attribution,
    scores, naming) and annotated with the entities concerned.

    With ``quotes`` (from :func:`quoteframe.analyze`) and ``pairs`` (the quote
    pairs of :func:`quoteframe.align`), a second panel shows, per frame and
    stance, the mean score of the aligned quotes in each version (dots) and how
    many pairs changed at all, because opposite changes cancel in a mean.

    Parameters
    ----------
    drift_table : DataFrame
        The output of ``quoteframe.drift`` (``doc_a``, ``doc_b``, ``relation``,
        ``kind``, ``entity``...).
    quotes, pairs : DataFrame, optional
        For the score panel.
    relation : str or None
        Keep the document pairs with this relation (default: translations);
        None keeps every pair.
    features : list of str, optional
        Score columns for the second panel (default: frames and stances).
    ax : Axes or a pair of Axes, optional
        One axes for the first panel, two when the score panel is drawn too.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _mpl()
    drift = _require(drift_table, ["doc_a", "doc_b", "kind", "entity"], "translation")
    if relation is not None and "relation" in drift.columns:
        drift = drift[drift["relation"] == relation]
    with_scores = quotes is not None and pairs is not None
    if (quotes is None) != (pairs is None):
        raise ValueError("translation(): pass both quotes= and pairs= for the score panel, or neither")
    if with_scores and relation is not None and "relation" in pairs.columns:
        pairs = pairs[pairs["relation"] == relation]

    if ax is None:
        Figure = _mpl()
        n_kinds = max(1, drift["kind"].nunique())
        if with_scores:
            fig = Figure(figsize=(13.0, max(3.0, 0.36 * max(n_kinds, 10) + 1.4)), layout="constrained")
            axes = fig.subplots(1, 2, width_ratios=[1.0, 1.0])
        else:
            fig = Figure(figsize=(7.0, max(2.4, 0.38 * n_kinds + 1.3)), layout="constrained")
            axes = [fig.add_subplot()]
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        if len(axes) != (2 if with_scores else 1):
            raise ValueError(f"translation(): ax must hold {2 if with_scores else 1} axes for what is drawn")
        fig = axes[0].figure

    _kinds_panel(axes[0], drift)
    docs = drift[["doc_a", "doc_b"]].drop_duplicates()
    if with_scores:
        langs = dict(zip(quotes["doc_id"], quotes["lang"])) if "lang" in quotes.columns else {}
        first = pairs.iloc[0] if len(pairs) else None
        if first is not None:
            src = f"{first['doc_a']} ({langs.get(first['doc_a'], '?')})"
            tgt = f"{first['doc_b']} ({langs.get(first['doc_b'], '?')})"
        else:
            src, tgt = "version a", "version b"
        _shift_panel(axes[1], _score_shifts(pairs, quotes, features), src, tgt, tolerance)
        axes[1].set_title("Scores of the aligned quotes", fontsize=10.5)
    if len(docs) == 1:
        pair = f"{docs.iloc[0]['doc_a']} vs {docs.iloc[0]['doc_b']}"
        axes[0].set_title(f"Differences, {pair}", fontsize=10.5)
    elif len(docs) > 1:
        axes[0].set_title(f"Differences over {len(docs)} document pairs", fontsize=10.5)
    if title:
        fig.suptitle(title)
    return fig
