"""Tests for quoteframe.evaluate: hand-worked cases, then the case-study corpus."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from quoteframe.evaluate import Evaluation, evaluate, load_gold, load_predictions, load_texts, span_overlap

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MODULE = Path(__file__).resolve().parents[2] / "python" / "quoteframe" / "evaluate.py"

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "gold" / "quotes.jsonl").is_file(),
    reason=f"case-study corpus not found at {CORPUS}",
)


def gold_item(id, start, end, doc="d1", lang="fr", text=None, **extra):
    """A gold row; the quote is taken from ``text`` when given, else filler of the right length."""
    quote = text[start:end] if text is not None else "x" * (end - start)
    row = {"id": id, "doc_id": doc, "lang": lang, "start": start, "end": end, "quote": quote,
           "type": "direct", "speaker": "someone", "side": "a", "optional": False}
    row.update(extra)
    return row


def preds(*spans, doc="d1", **columns):
    table = pd.DataFrame([{"doc_id": doc, "start": s, "end": e} for s, e in spans])
    for name, values in columns.items():
        table[name] = values
    return table


# ---------------------------------------------------------------- overlap and thresholds


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((0, 10), (0, 10), 1.0),
        ((0, 10), (10, 20), 0.0),  # half-open: touching spans share nothing
        ((0, 10), (5, 15), 5 / 15),
        ((0, 100), (0, 80), 0.8),
        ((3, 4), (0, 10), 0.1),
    ],
)
def test_span_overlap(a, b, expected):
    assert span_overlap(*a, *b) == pytest.approx(expected)
    assert span_overlap(*b, *a) == pytest.approx(expected)


def test_identical_spans_score_one():
    gold = pd.DataFrame([gold_item("g1", 0, 10), gold_item("g2", 20, 50)])
    ev = evaluate(preds((0, 10), (20, 50)), gold)
    for t in (0.5, 0.8, 0.95):
        assert ev.get("precision", threshold=t) == 1.0
        assert ev.get("recall", threshold=t) == 1.0
        assert ev.get("f1", threshold=t) == 1.0
    assert ev.errors.empty


def test_overlap_exactly_at_threshold_counts_and_just_below_does_not():
    gold = pd.DataFrame([gold_item("g1", 0, 100)])
    at = evaluate(preds((0, 80)), gold)  # 80 / 100 = 0.8 exactly
    assert at.get("f1") == 1.0
    below = evaluate(preds((0, 79)), gold)  # 0.79
    assert below.get("f1", threshold=0.5) == 1.0
    assert below.get("tp") == 0 and below.get("fp") == 1 and below.get("fn") == 1
    assert below.get("f1") == 0.0
    # A longer prediction: 100 / 125 = 0.8 counts, 100 / 126 does not.
    assert evaluate(preds((0, 125)), gold).get("f1") == 1.0
    assert evaluate(preds((0, 126)), gold).get("f1") == 0.0


def test_error_table_tells_near_miss_from_invention():
    gold = pd.DataFrame([gold_item("g1", 0, 100)])
    ev = evaluate(preds((0, 79), (200, 210)), gold)
    errors = ev.errors.set_index(["kind", "id"])
    assert errors.loc[("FN", "g1"), "paired_overlap"] == pytest.approx(0.79)
    assert errors.loc[("FP", "0"), "best_match"] == "g1"
    assert errors.loc[("FP", "1"), "best_overlap"] == 0.0
    assert len(ev.errors) == 3


# ---------------------------------------------------------------- one-to-one pairing


def test_two_predictions_for_one_gold_item_leave_one_false_positive():
    gold = pd.DataFrame([gold_item("g1", 0, 10)])
    ev = evaluate(preds((0, 10), (0, 10)), gold)
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 1, 0)
    # Equal overlaps: the prediction listed first wins.
    assert ev.pairs["pred_row"].tolist() == [0]


def test_greedy_takes_the_best_overlap_first():
    # X=[0,12) overlaps g1=[0,10) at 10/12 and g2=[8,20) at 4/20; Y=[8,20) equals g2.
    # Greedy takes Y-g2 (1.0) then X-g1 (0.83): both count at 0.8.
    gold = pd.DataFrame([gold_item("g1", 0, 10), gold_item("g2", 8, 20)])
    ev = evaluate(preds((0, 12), (8, 20)), gold)
    pairs = dict(zip(ev.pairs["gold_id"], ev.pairs["pred_row"]))
    assert pairs == {"g1": 0, "g2": 1}
    assert ev.get("f1") == 1.0


def test_greedy_tie_goes_to_the_gold_item_that_starts_first():
    # P=[0,30) overlaps g_late=[20,30) and g_early=[0,10) at 10/30 each. The gold is listed
    # late-first so that the tie is decided by position, not by file order.
    gold = pd.DataFrame([gold_item("g_late", 20, 30), gold_item("g_early", 0, 10)])
    ev = evaluate(preds((0, 30)), gold, thresholds=(0.3,), main=0.3)
    assert ev.pairs["gold_id"].tolist() == ["g_early"]
    assert ev.pairs["overlap"].iloc[0] == pytest.approx(1 / 3)
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 0, 1)
    # Same result whatever the order of the input rows.
    again = evaluate(preds((0, 30)), gold.iloc[::-1], thresholds=(0.3,), main=0.3)
    assert again.pairs["gold_id"].tolist() == ["g_early"]


def test_pairing_is_per_document():
    gold = pd.DataFrame([gold_item("g1", 0, 10, doc="d1"), gold_item("g2", 0, 10, doc="d2")])
    ev = evaluate(pd.concat([preds((0, 10), doc="d2"), preds((50, 60), doc="d1")]), gold)
    assert ev.pairs["gold_id"].tolist() == ["g2"]
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 1, 1)


# ---------------------------------------------------------------- optional gold


def test_prediction_paired_with_optional_gold_is_dropped_from_both_sides():
    gold = pd.DataFrame([gold_item("opt", 0, 10, optional=True), gold_item("req", 20, 40)])
    ev = evaluate(preds((0, 10), (20, 40)), gold)
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 0, 0)
    assert ev.get("precision") == 1.0
    # Not predicting the optional item costs nothing either.
    ev = evaluate(preds((20, 40)), gold)
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 0, 0)
    # A prediction near an optional item but below the threshold is a false positive.
    ev = evaluate(preds((0, 20), (20, 40)), gold)  # 10/20 = 0.5 with the optional item
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 1, 0)
    assert (ev.get("tp", threshold=0.5), ev.get("fp", threshold=0.5)) == (1, 0)


def test_optional_pairs_are_not_scored_for_attribution():
    gold = pd.DataFrame([gold_item("opt", 0, 10, optional=True, speaker="a")])
    ev = evaluate(preds((0, 10), actor=["b"]), gold)
    assert ev.get("speaker_accuracy") != ev.get("speaker_accuracy")  # NaN: nothing counted
    assert not ev.pairs["counted"].any()


# ---------------------------------------------------------------- headlines

HEADLINE_TEXT = "Le port bloqué, « rien ne bouge », dit le syndicat\nLe syndicat a dit : « Nous tenons bon. »\n"


def test_headline_predictions_are_ignored_when_texts_are_given():
    text = HEADLINE_TEXT
    q_start = text.index("Nous")
    q_end = text.index(" »\n")
    gold = pd.DataFrame([gold_item("g1", q_start, q_end, text=text)])
    h_start = text.index("rien")
    pred = preds((h_start, h_start + len("rien ne bouge")), (q_start, q_end))
    ev = evaluate(pred, gold, texts={"d1": text})
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (1, 0, 0)
    assert ev.ignored["reason"].tolist() == ["headline"]
    # The whole first line, line break included, is still the headline.
    ev = evaluate(preds((0, text.index("\n") + 1), (q_start, q_end)), gold, texts={"d1": text})
    assert ev.get("fp") == 0
    # Without texts nothing is filtered and the docstring's caveat is noted.
    ev = evaluate(pred, gold)
    assert ev.get("fp") == 1
    assert any("headline" in note for note in ev.notes)


def test_prediction_running_from_headline_into_body_is_scored():
    text = HEADLINE_TEXT
    gold = pd.DataFrame([gold_item("g1", text.index("Nous"), text.index(" »\n"), text=text)])
    ev = evaluate(preds((10, text.index("\n") + 5)), gold, texts={"d1": text})
    assert ev.ignored.empty
    assert ev.get("fp") == 1


def test_gold_span_must_match_text():
    gold = pd.DataFrame([gold_item("g1", 0, 5, text="Hello\nworld")])
    gold.loc[0, "quote"] = "Hallo"
    with pytest.raises(ValueError, match="g1"):
        evaluate(preds((0, 5)), gold, texts={"d1": "Hello\nworld"})


def test_texts_from_corpus_folder(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Titre\nCorps", encoding="utf-8")
    assert load_texts(tmp_path) == {"a": "Titre\nCorps"}
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .txt"):
        load_texts(tmp_path / "empty")
    with pytest.raises(ValueError, match="folder"):
        load_texts(tmp_path / "missing")


# ---------------------------------------------------------------- languages


def test_figures_per_language_and_overall():
    gold = pd.DataFrame([
        gold_item("f1", 0, 10, doc="fr1", lang="fr"),
        gold_item("f2", 20, 30, doc="fr1", lang="fr"),
        gold_item("a1", 0, 10, doc="ar1", lang="ar"),
    ])
    pred = pd.concat([
        preds((0, 10), doc="fr1"),     # tp fr
        preds((0, 10), doc="ar1"),     # tp ar
        preds((40, 50), doc="ar1"),    # fp ar
    ])                                 # fn fr (f2)
    ev = evaluate(pred, gold)
    assert ev.get("precision", "fr") == 1.0 and ev.get("recall", "fr") == 0.5
    assert ev.get("f1", "fr") == pytest.approx(2 / 3)
    assert ev.get("precision", "ar") == 0.5 and ev.get("recall", "ar") == 1.0
    assert ev.get("precision") == pytest.approx(2 / 3) and ev.get("recall") == pytest.approx(2 / 3)
    assert list(dict.fromkeys(ev.summary["scope"])) == ["all", "ar", "fr"]
    n = ev.summary.set_index(["scope", "measure", "threshold"])["n"]
    assert n[("fr", "recall", 0.8)] == 2 and n[("ar", "precision", 0.8)] == 2


def test_prediction_in_document_without_gold_takes_its_own_language():
    texts = {"fr1": "Titre\n" + "x" * 40, "ru1": "Заголовок\n" + "y" * 40}
    gold = pd.DataFrame([gold_item("g1", 6, 16, doc="fr1", lang="fr", text=texts["fr1"])])
    pred = pd.concat([preds((6, 16), doc="fr1"), preds((12, 20), doc="ru1")])
    pred["lang"] = ["xx", "ru"]  # the gold's language wins where there is gold
    ev = evaluate(pred, gold, texts=texts)
    assert (ev.get("tp", "fr"), ev.get("fp", "ru")) == (1, 1)
    assert "xx" not in set(ev.summary["scope"])
    # Without texts, a document with no gold item is not scored at all.
    ev = evaluate(pred, gold)
    assert ev.get("fp") == 0
    assert ev.ignored["reason"].tolist() == ["document not in gold"]


# ---------------------------------------------------------------- attribution, stance, frames


def test_speaker_side_stance_and_frames_on_three_quotes():
    # Three required gold quotes, each predicted with the exact span.
    #   q1: speaker ana, side a, stance_port +1, frames {cost, safety}
    #   q2: speaker ben, side b, stance_port -1, frames {cost}
    #   q3: speaker cat, side b, stance_port  0, frames {legal}
    # Predictions:
    #   p1: actor ana (ok), side a (ok), stance 1 (ok),  cost .7 safety 0   -> tp cost, fn safety
    #   p2: actor cat (x),  side b (ok), stance - (x),   cost .2 safety .4  -> tp cost, fp safety
    #   p3: actor - (x),    side b (ok), stance 0 (ok),  cost 0  safety -.3 -> nothing
    # There is no frame_legal column, so 'legal' is left out on both sides (q3's gold frame
    # is not a miss). By hand:
    #   speaker 1/3, side 3/3, stance_port 2/3;
    #   frames tp=2 fp=1 fn=1 -> precision 2/3, recall 2/3, F1 2/3.
    gold = pd.DataFrame([
        gold_item("q1", 0, 10, speaker="ana", side="a", stance_port=1, frames=["cost", "safety"]),
        gold_item("q2", 20, 30, speaker="ben", side="b", stance_port=-1, frames=["cost"]),
        gold_item("q3", 40, 50, speaker="cat", side="b", stance_port=0, frames=["legal"]),
    ])
    pred = preds(
        (0, 10), (20, 30), (40, 50),
        actor=["ana", "cat", None],
        side=["a", "b", "b"],
        stance_port_label=[1, None, 0],
        frame_cost=[0.7, 0.2, 0.0],
        frame_safety=[0.0, 0.4, -0.3],
    )
    ev = evaluate(pred, gold)
    assert ev.get("speaker_accuracy") == pytest.approx(1 / 3)
    assert ev.get("side_accuracy") == 1.0
    assert ev.get("stance_port_accuracy") == pytest.approx(2 / 3)
    assert ev.get("frame_precision") == pytest.approx(2 / 3)
    assert ev.get("frame_recall") == pytest.approx(2 / 3)
    assert ev.get("frame_f1") == pytest.approx(2 / 3)
    assert any("legal" in note for note in ev.notes)
    assert ev.pairs["speaker_correct"].tolist() == [True, False, False]
    assert ev.pairs["frame_fn"].tolist() == [1.0, 0.0, 0.0]


def test_attribution_only_over_pairs_counted_at_main_threshold():
    gold = pd.DataFrame([gold_item("q1", 0, 100, speaker="ana"), gold_item("q2", 200, 300, speaker="ben")])
    pred = preds((0, 100), (200, 270), actor=["ana", "zed"])  # q2 overlaps at 0.7 only
    ev = evaluate(pred, gold)
    assert ev.get("speaker_accuracy") == 1.0
    n = ev.summary.set_index(["scope", "measure"])["n"]
    assert n[("all", "speaker_accuracy")] == 1
    assert ev.get("speaker_accuracy", threshold=0.5) != ev.get("speaker_accuracy", threshold=0.5)


def test_missing_prediction_columns_are_not_measured():
    gold = pd.DataFrame([gold_item("q1", 0, 10, stance_port=1, frames=["cost"])])
    ev = evaluate(preds((0, 10)), gold)
    measures = set(ev.summary["measure"])
    assert not measures & {"speaker_accuracy", "side_accuracy", "stance_port_accuracy", "frame_f1"}
    assert len(ev.notes) >= 4


def test_stance_labels_compare_across_int_float_and_text():
    gold = pd.DataFrame([gold_item("q1", 0, 10, stance_port=-1), gold_item("q2", 20, 30, stance_port=1)])
    ev = evaluate(preds((0, 10), (20, 30), stance_port_label=["-1", 1.0]), gold)
    assert ev.get("stance_port_accuracy") == 1.0


# ---------------------------------------------------------------- loading and validation


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_load_gold_reads_and_fills_defaults(tmp_path):
    row = gold_item("g1", 0, 4)
    del row["optional"]
    write_jsonl(tmp_path / "g.jsonl", [row])
    gold = load_gold(tmp_path / "g.jsonl")
    assert gold.loc[0, "optional"] == False  # noqa: E712 - numpy bool
    assert gold["start"].dtype == "int64"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.pop("speaker"), "missing field"),
        (lambda r: r.update(start=4, end=4, quote=""), "not before end"),
        (lambda r: r.update(start=6, end=2), "not before end"),
        (lambda r: r.update(start="a"), "integer"),
        (lambda r: r.update(quote="abc"), "characters"),
        (lambda r: r.update(type="paraphrase"), "type"),
        (lambda r: r.update(optional="perhaps"), "optional"),
    ],
)
def test_load_gold_names_file_and_line_of_a_bad_item(tmp_path, change, message):
    good, bad = gold_item("g1", 0, 4), gold_item("g2", 10, 14)
    change(bad)
    write_jsonl(tmp_path / "g.jsonl", [good, bad])
    with pytest.raises(ValueError, match=message) as info:
        load_gold(tmp_path / "g.jsonl")
    assert "g.jsonl, line 2" in str(info.value)


def test_load_gold_rejects_bad_json_and_repeated_ids(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(gold_item("g1", 0, 4)) + "\n\n{not json}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.jsonl, line 3: not valid JSON"):
        load_gold(path)
    write_jsonl(path, [gold_item("g1", 0, 4), gold_item("g1", 5, 9)])
    with pytest.raises(ValueError, match=r"line 2: id 'g1' already used at .*line 1"):
        load_gold(path)


def test_predictions_from_csv_and_jsonl(tmp_path):
    gold = pd.DataFrame([gold_item("g1", 0, 10, doc="007", speaker="ana")])
    pred = pd.DataFrame([{"id": "p1", "doc_id": "007", "start": 0, "end": 10, "actor": "ana"}])
    pred.to_csv(tmp_path / "p.csv", index=False)
    write_jsonl(tmp_path / "p.jsonl", pred.to_dict(orient="records"))
    for path in (tmp_path / "p.csv", tmp_path / "p.jsonl"):
        ev = evaluate(path, gold)  # "007" must stay text, not become 7
        assert ev.get("f1") == 1.0 and ev.get("speaker_accuracy") == 1.0
        assert ev.pairs["pred_id"].tolist() == ["p1"]
    with pytest.raises(ValueError, match="csv or .jsonl"):
        load_predictions(tmp_path / "p.txt")


def test_prediction_with_empty_span_is_rejected(tmp_path):
    path = tmp_path / "p.csv"
    rows = [{"doc_id": "d", "start": 0, "end": 3}, {"doc_id": "d", "start": 5, "end": 5}]
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"p\.csv, line 3"):
        load_predictions(path)
    with pytest.raises(ValueError, match="missing column"):
        load_predictions(pd.DataFrame({"doc_id": ["d"], "start": [0]}))


def test_thresholds_must_be_in_unit_interval():
    gold = pd.DataFrame([gold_item("g1", 0, 10)])
    with pytest.raises(ValueError, match="thresholds"):
        evaluate(preds((0, 10)), gold, thresholds=(0.0, 0.5))


def test_text_table_needs_no_tabulate():
    gold = pd.DataFrame([gold_item("g1", 0, 10, lang="ru")])
    ev = evaluate(preds((0, 10), actor=["someone"]), gold)
    text = str(ev)
    assert isinstance(ev, Evaluation)
    assert "f1" in text and "speaker_accuracy" in text and "ru" in text and "1.000 (1)" in text


def test_module_does_not_import_the_compiled_core():
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    assert not any("_core" in name for name in imported), imported
    assert imported <= {"__future__", "json", "math", "numbers", "dataclasses", "pathlib", "typing",
                        "numpy", "pandas", "re", "unicodedata"}


def test_empty_predictions_and_empty_gold_do_not_crash():
    gold = pd.DataFrame([gold_item("g1", 0, 10)])
    ev = evaluate(pd.DataFrame(columns=["doc_id", "start", "end"]), gold)
    assert (ev.get("tp"), ev.get("fn"), ev.get("recall")) == (0, 1, 0.0)
    assert math.isnan(ev.get("precision"))  # nothing predicted: precision undefined
    ev = evaluate(preds((0, 10)), gold.iloc[:0])
    assert ev.get("fp") == 0 and len(ev.ignored) == 1


def test_gold_in_a_headline_is_not_scored_when_texts_are_given():
    text = "Title words here\nBody text follows."
    gold = pd.DataFrame([gold_item("h", 0, 5, text=text), gold_item("b", 17, 26, text=text)])
    ev = evaluate(preds((17, 26)), gold, texts={"d1": text})
    assert (ev.get("tp"), ev.get("fn")) == (1, 0)
    assert ev.ignored[["side", "id"]].values.tolist() == [["gold", "h"]]


# ---------------------------------------------------------------- the case-study corpus


def corpus_gold_as_predictions(gold: pd.DataFrame) -> pd.DataFrame:
    pred = gold[["id", "doc_id", "start", "end", "speaker", "side"]].rename(columns={"speaker": "actor"})
    for target in ("csto", "west"):
        pred[f"stance_{target}_label"] = gold[f"stance_{target}"]
    for frame in sorted({f for fs in gold["frames"] for f in fs}):
        pred[f"frame_{frame}"] = [1.0 if frame in fs else 0.0 for fs in gold["frames"]]
    return pred


def paragraph_baseline(texts: dict) -> pd.DataFrame:
    """Every non-empty line after the headline, as one predicted quote (line break excluded)."""
    rows = []
    for doc, text in texts.items():
        pos = 0
        for number, line in enumerate(text.split("\n")):
            start, end = pos, pos + len(line)
            pos = end + 1
            if number > 0 and line.strip():
                rows.append({"doc_id": doc, "start": start, "end": end})
    return pd.DataFrame(rows)


@needs_corpus
def test_corpus_gold_scored_against_itself_is_perfect():
    gold = load_gold(CORPUS / "gold" / "quotes.jsonl")
    ev = evaluate(corpus_gold_as_predictions(gold), gold, texts=CORPUS)
    perfect = ev.summary[~ev.summary["measure"].isin(["tp", "fp", "fn"])]
    assert set(perfect["scope"]) == {"all", "fr", "ar"}
    assert (perfect["value"] == 1.0).all(), perfect[perfect["value"] != 1.0]
    assert {"stance_csto_accuracy", "stance_west_accuracy", "frame_f1"} <= set(perfect["measure"])
    assert ev.get("tp") == int((~gold["optional"]).sum())
    assert ev.errors.empty and ev.ignored.empty


@needs_corpus
def test_corpus_paragraph_baseline_at_half_overlap_matches_readme():
    texts = load_texts(CORPUS)
    ev = evaluate(paragraph_baseline(texts), CORPUS / "gold" / "quotes.jsonl", texts=texts)
    assert ev.get("f1", threshold=0.5) == pytest.approx(0.78, abs=0.02)


@needs_corpus
def test_corpus_paragraph_baseline_at_main_threshold_measured():
    # The README's 0.37 "at 0.8" is not what its own rules give: the 49 paragraphs pair with
    # the 43 required quotes at 10 overlaps >= 0.8 (F1 20/92 = 0.217); 0.37 (17 pairs,
    # 34/92) is reached at 0.75, because 7 direct-quote paragraphs sit between 0.766 and
    # 0.797 (the marks plus a short cue). Pin what the rules give.
    texts = load_texts(CORPUS)
    ev = evaluate(paragraph_baseline(texts), CORPUS / "gold" / "quotes.jsonl",
                  thresholds=(0.5, 0.75, 0.8, 0.95), texts=texts)
    assert (ev.get("tp"), ev.get("fp"), ev.get("fn")) == (10, 39, 33)
    assert ev.get("f1") == pytest.approx(20 / 92)
    assert ev.get("f1", threshold=0.75) == pytest.approx(0.37, abs=0.02)
    assert ev.get("f1", threshold=0.95) == pytest.approx(0.022, abs=0.005)


@needs_corpus
@pytest.mark.xfail(strict=True, reason="README says 0.37 at overlap 0.8; its rules give 0.217 (0.37 at 0.75)")
def test_corpus_paragraph_baseline_readme_claim_at_main_threshold():
    texts = load_texts(CORPUS)
    ev = evaluate(paragraph_baseline(texts), CORPUS / "gold" / "quotes.jsonl", texts=texts)
    assert ev.get("f1", threshold=0.8) == pytest.approx(0.37, abs=0.02)


def test_unknown_speakers_are_compared_by_name_slug():
    # A speaker outside the codebook has no actor id; gold codes them by name.
    gold = pd.DataFrame([gold_item("g1", 0, 10, speaker="karim_benali")])
    pred = preds((0, 10))
    pred["actor"] = [None]
    pred["speaker"] = ["Karim Benali"]
    assert evaluate(pred, gold).get("speaker_accuracy") == 1.0
    pred["speaker"] = ["Karim Benoit"]
    assert evaluate(pred, gold).get("speaker_accuracy") == 0.0
