"""quoteframe.plot: each chart draws what the tables say, Arabic is shaped, bad input is named."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

import quoteframe as qf  # noqa: E402
from quoteframe import plot  # noqa: E402
from quoteframe.text import QuoteframeWarning  # noqa: E402

ARABIC = "منظمة معاهدة الأمن الجماعي"


@pytest.fixture(scope="module")
def quotes(corpus_dir):
    return qf.analyze(corpus_dir)


@pytest.fixture()
def small():
    """Three groups over four articles, hand-checkable means."""
    return pd.DataFrame({
        "doc_id": ["d1", "d1", "d2", "d2", "d3", "d4"],
        "side": ["a", "b", "a", "b", "c", "a"],
        "actor": ["x", "y", "x", "y", "z", "w"],
        "text": ["war and terror", "peace talks", "terror threat", "peace now", "order", "terror again"],
        "frame_war": [1.0, 0.0, 0.5, 0.0, 0.2, np.nan],
        "frame_peace": [0.0, 1.0, 0.0, 0.8, 0.0, 0.0],
        "stance_csto": [0.5, -0.5, 0.3, -0.1, 0.0, 0.4],
    })


def render(fig: Figure) -> None:
    """Draw to PNG: missing glyphs and layout problems surface as warnings (errors here)."""
    fig.savefig(io.BytesIO(), format="png", dpi=50)


def ytick_texts(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


# ---------------------------------------------------------------- frame_profile


def test_frame_profile_cells_are_group_means(small):
    fig = plot.frame_profile(small)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    values = ax.images[0].get_array()
    expected = small.groupby("side")[["frame_war", "frame_peace"]].mean().to_numpy()
    np.testing.assert_allclose(np.ma.filled(values, np.nan), expected)
    # The row labels count the quotes behind each mean.
    assert ytick_texts(ax) == ["a (3)", "b (2)", "c (1)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["war", "peace"]
    annotations = sorted(t.get_text() for t in ax.texts)
    assert annotations == sorted(f"{v:.2f}" for v in expected.ravel())
    render(fig)


def test_frame_profile_on_the_case_corpus(quotes):
    fig = plot.frame_profile(quotes)
    ax = fig.axes[0]
    frames = [c[len("frame_"):] for c in quotes.columns if c.startswith("frame_")]
    assert [t.get_text() for t in ax.get_xticklabels()] == frames
    assert len(ytick_texts(ax)) == quotes["side"].nunique()
    render(fig)


def test_frame_profile_by_actor_uses_the_codebook_labels(quotes):
    fig = plot.frame_profile(quotes, by="actor", frames=["legality", "frame_blame"])
    labels = ytick_texts(fig.axes[0])
    assert any(lab.startswith("Maria Zakharova (") for lab in labels)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["legality", "blame"]


def test_frame_profile_draws_into_a_given_axes(small):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot.frame_profile(small, ax=ax, annotate=False) is fig
    assert not ax.texts


@pytest.mark.parametrize(
    "kwargs, message",
    [({"by": "nope"}, "no column"), ({"frames": ["nope"]}, "frame_nope"), ({"frames": []}, "no frame_")],
)
def test_frame_profile_names_what_is_missing(small, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot.frame_profile(small, **kwargs)


def test_frame_profile_without_any_group_says_so(small):
    fig = plot.frame_profile(small.assign(side=None))
    assert "no quote has a side" in fig.axes[0].texts[0].get_text()


# ---------------------------------------------------------------- stance


def _points(ax):
    """(x, y, marker face colour) of the single-point lines (the means)."""
    out = []
    for line in ax.lines:
        x, y = line.get_xdata(), line.get_ydata()
        if len(x) == 1 and line.get_marker() == "o" and len(y) == 1:
            out.append((float(x[0]), float(y[0]), line.get_markerfacecolor()))
    return out


def test_stance_points_are_the_compare_means(small):
    fig = plot.stance(small, "csto", n_boot=200)
    ax = fig.axes[0]
    table = qf.compare(small, features=["stance_csto"], n_boot=200, n_perm=0)
    means = table[table.kind == "mean"].sort_values("estimate")
    points = _points(ax)
    np.testing.assert_allclose([p[0] for p in points], means["estimate"].to_numpy())
    assert [p[1] for p in points] == list(range(len(means)))  # sorted by mean, bottom up
    assert ytick_texts(ax) == ["b  (n=2, 2 articles)", "c  (n=1, 1 article)", "a  (n=3, 3 articles)"]
    # Neutral reference line at 0.
    assert any(np.allclose(line.get_xdata(), 0.0) and len(line.get_xdata()) == 2 for line in ax.lines)


def test_stance_one_article_groups_have_no_interval_and_an_open_marker(small):
    ax = plot.stance(small, "stance_csto", n_boot=200).axes[0]
    faces = {round(p[1]): p[2] for p in _points(ax)}
    assert faces[1] == "white"
    assert [f for y, f in faces.items() if y != 1 and f == "white"] == []
    c_row = 1  # group c: one quote in one article
    assert not [line for line in ax.lines
                if len(line.get_xdata()) == 2 and np.allclose(line.get_ydata(), c_row)]


def test_stance_intervals_match_compare(quotes):
    table = qf.compare(quotes, by="side", features=["stance_west"], n_boot=300, seed=3, n_perm=0)
    ax = plot.stance(quotes, "west", table=table).axes[0]
    means = table[(table.kind == "mean") & (table.clusters >= 2)]
    segments = sorted(tuple(np.round(line.get_xdata(), 9)) for line in ax.lines
                      if len(line.get_xdata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1])
    expected = sorted(tuple(np.round((r.ci_low, r.ci_high), 9)) for r in means.itertuples())
    assert segments == expected


def test_stance_by_actor_colours_by_side_and_shows_a_legend(quotes):
    fig = plot.stance(quotes, "csto", by="actor", n_boot=200)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    assert {t.get_text() for t in legend.get_texts()} == set(quotes["side"].dropna())
    colours = plot.group_colors(quotes["side"].dropna())
    by_label = dict(zip(ytick_texts(ax), _points(ax)))
    zakharova = next(v for k, v in by_label.items() if k.startswith("Maria Zakharova"))
    line = next(line for line in ax.lines if len(line.get_xdata()) == 1 and line.get_ydata()[0] == zakharova[1])
    assert matplotlib.colors.same_color(line.get_color(), colours["russia"])
    render(fig)


def test_stance_rejects_an_unknown_target(small):
    with pytest.raises(ValueError, match="stance_nope"):
        plot.stance(small, "nope")


# ---------------------------------------------------------------- keyness


def test_keyness_bars_are_the_z_scores(small):
    table = qf.keyness(small, top=3)
    fig = plot.keyness(table, top=3)
    assert len([a for a in fig.axes if a.get_visible()]) == table["group"].nunique()
    for ax, (group, sub) in zip(fig.axes, table.groupby("group", sort=True)):
        assert ax.get_title() == group
        widths = [p.get_width() for p in ax.patches]
        np.testing.assert_allclose(widths, sub.sort_values("z", ascending=False)["z"].to_numpy())
        assert ytick_texts(ax) == list(sub.sort_values("z", ascending=False)["term"])


def test_keyness_from_quotes_passes_options(small):
    fig = plot.keyness(small, top=2, prior="corpus")
    table = qf.keyness(small, top=2, prior="corpus")
    first = fig.axes[0]
    np.testing.assert_allclose([p.get_width() for p in first.patches],
                               table[table.group == "a"].sort_values("z", ascending=False)["z"])


def test_keyness_negative_z_points_left_in_grey():
    table = pd.DataFrame({"group": ["a", "a"], "term": ["up", "down"], "z": [2.5, -1.0]})
    ax = plot.keyness(table).axes[0]
    up, down = ax.patches
    assert up.get_width() > 0 > down.get_width()
    assert matplotlib.colors.same_color(down.get_facecolor(), plot._NEUTRAL)


def test_keyness_stacked_into_one_axes(small):
    fig = Figure()
    ax = fig.add_subplot()
    plot.keyness(small, top=2, ax=ax)
    assert len(ax.patches) == 6  # three groups, two words each


def test_keyness_on_the_case_corpus_draws_arabic_words(quotes):
    fig = plot.keyness(quotes, top=15)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    arabic = [lab for lab in labels if plot._RTL.search(lab)]
    assert arabic, "the Arabic translation's words should be among the keywords"
    # Shaped: presentation forms (U+FB50-U+FEFF), not the bare letters of the text.
    assert all(any("\ufb50" <= ch <= "\ufeff" for ch in lab) for lab in arabic)
    render(fig)


# ---------------------------------------------------------------- translation


def drift_rows():
    """A drift table as quoteframe.drift() lays it out (the columns the chart reads)."""
    rows = [
        ("fr1", "ar1", "translation", "rendering_replaced", "csto"),
        ("fr1", "ar1", "translation", "rendering_replaced", "csto"),
        ("fr1", "ar1", "translation", "gender_conflict", "maria_zakharova"),
        ("fr1", "ar1", "translation", "stance_changed", "csto"),
        ("fr1", "ar1", "translation", "paragraph_missing", None),
        ("fr1", "fr2", "shared_quotes", "frame_changed", "blame"),
    ]
    return pd.DataFrame(rows, columns=["doc_a", "doc_b", "relation", "kind", "entity"])


def pair_tables():
    quotes = pd.DataFrame({
        "quote_id": ["fr1#0", "fr1#1", "ar1#0", "ar1#1"],
        "doc_id": ["fr1", "fr1", "ar1", "ar1"],
        "lang": ["fr", "fr", "ar", "ar"],
        "frame_blame": [0.2, 0.0, 0.6, 0.0],
        "stance_csto": [0.5, -0.1, 0.5, 0.3],
        "stance_csto_label": [1, 0, 1, 1],
    })
    pairs = pd.DataFrame({"doc_a": ["fr1", "fr1"], "doc_b": ["ar1", "ar1"], "relation": ["translation"] * 2,
                          "quote_a": ["fr1#0", "fr1#1"], "quote_b": ["ar1#0", "ar1#1"]})
    return quotes, pairs


def test_translation_counts_the_differences_by_kind():
    fig = plot.translation(drift_rows())
    [ax] = fig.axes
    # The shared_quotes pair is left out; kinds in the order of what they threaten.
    assert ytick_texts(ax) == ["paragraph missing", "gender conflict", "stance changed", "rendering replaced"]
    assert [p.get_width() for p in ax.patches] == [1, 1, 1, 2]
    notes = [t.get_text().strip() for t in ax.texts]
    assert "2  csto ×2" in notes and "1  maria_zakharova" in notes
    assert ax.get_title() == "Differences, fr1 vs ar1"
    render(fig)


def test_translation_relation_none_keeps_every_pair():
    ax = plot.translation(drift_rows(), relation=None).axes[0]
    assert "frame changed" in ytick_texts(ax)
    assert ax.get_title() == "Differences over 2 document pairs"


def test_translation_score_panel_shows_the_means_of_the_aligned_quotes():
    quotes, pairs = pair_tables()
    fig = plot.translation(drift_rows(), quotes, pairs)
    kinds, scores = fig.axes[:2]
    assert ytick_texts(scores) == ["frame_blame  (1/2 changed)", "stance_csto  (1/2 changed)"]
    np.testing.assert_allclose(scores.collections[0].get_offsets()[:, 0], [0.1, 0.2])
    np.testing.assert_allclose(scores.collections[1].get_offsets()[:, 0], [0.3, 0.4])
    assert [t.get_text() for t in scores.get_legend().get_texts()] == ["fr1 (fr)", "ar1 (ar)"]
    render(fig)


def test_translation_into_given_axes():
    quotes, pairs = pair_tables()
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert plot.translation(drift_rows(), quotes, pairs, ax=axes, title=None) is fig
    with pytest.raises(ValueError, match="ax must hold 2 axes"):
        plot.translation(drift_rows(), quotes, pairs, ax=axes[0])
    with pytest.raises(ValueError, match="both quotes= and pairs="):
        plot.translation(drift_rows(), quotes)


def test_translation_names_the_expected_columns():
    with pytest.raises(ValueError, match="'doc_a', 'doc_b', 'kind', 'entity'"):
        plot.translation(pd.DataFrame({"a": [1]}))


def test_translation_of_nothing_says_so():
    fig = plot.translation(drift_rows().iloc[:0])
    assert "no differences" in fig.axes[0].texts[0].get_text()


def test_translation_of_the_case_corpus(corpus_dir):
    align = pytest.importorskip("quoteframe.align")
    result = align.align_corpus(corpus_dir)
    fig = plot.translation(result.drift, result.quotes, result.quote_pairs)
    kinds = ytick_texts(fig.axes[0])
    # The corpus README lists what the machine translation did: a dropped attribution,
    # "he said" for a woman, and the CSTO under other names.
    assert {"attribution dropped", "gender conflict", "rendering replaced"} <= set(kinds)
    render(fig)


# ---------------------------------------------------------------- Arabic and colours


@pytest.mark.parametrize("text", ["", "Zakharova", "12,5 %", "l’OTSC"])
def test_display_text_leaves_left_to_right_text_alone(text):
    assert plot.display_text(text) == text


def test_display_text_shapes_arabic_into_visual_order():
    pytest.importorskip("arabic_reshaper")
    pytest.importorskip("bidi")
    shown = plot.display_text(ARABIC)
    assert shown != ARABIC
    assert all("\ufb50" <= ch <= "\ufeff" or ch == " " for ch in shown)  # joined forms only
    # Visual order: the first word of the text is drawn rightmost.
    first_word = plot.display_text(ARABIC.split()[0])
    assert shown.endswith(first_word)


def test_display_text_without_the_shaping_packages_warns_once(monkeypatch):
    monkeypatch.setattr(plot, "_shaper", False)
    monkeypatch.setattr(plot, "_warned_shaping", False)
    with pytest.warns(QuoteframeWarning, match=r"quoteframe\[plot\]"):
        assert plot.display_text(ARABIC) == ARABIC
    assert plot.display_text(ARABIC) == ARABIC  # no second warning (it would be an error here)


def test_arabic_labels_draw_without_missing_glyphs():
    table = pd.DataFrame({"group": ["ar", "ar"], "term": ["الغرب", "القوات"], "z": [2.0, 1.0]})
    render(plot.keyness(table))


def test_group_colors_are_stable_and_distinct():
    a = plot.group_colors(["russia", "csto", "kazakhstan", None, "russia"])
    b = plot.group_colors(["kazakhstan", "russia", "csto"])
    assert a == b
    assert len(set(a.values())) == 3
