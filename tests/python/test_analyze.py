"""analyze(): quotes and speakers on the case corpus, our own articles, and bad input."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

import quoteframe as qf
from quoteframe.analyze import QUOTE_COLUMNS, Analyzer, analyze
from quoteframe.evaluate import evaluate

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


def _measure(ev, measure, lang):
    s = ev.summary
    row = s[(s.measure == measure) & (s.scope == lang) & (s.threshold == 0.8)]
    assert len(row) == 1, (measure, lang)
    return float(row.value.iloc[0])


@pytest.fixture(scope="module")
def case_quotes(corpus_dir):
    return analyze(corpus_dir)


def test_columns_and_offsets(case_quotes, corpus_dir):
    n = len(QUOTE_COLUMNS)
    assert list(case_quotes.columns[:n]) == QUOTE_COLUMNS
    features = list(case_quotes.columns[n:])
    assert "frame_legality" in features and "stance_csto" in features and "stance_west_label" in features
    assert features[-4:] == ["uncertainty", "distancing", "valence", "n_tokens"]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.txt")}
    for r in case_quotes.itertuples():
        assert texts[r.doc_id][r.start:r.end] == r.text
        if r.cue_start >= 0:
            assert texts[r.doc_id][r.cue_start:r.cue_end] == r.cue
    docs = case_quotes.attrs["documents"]
    assert list(docs.status) == ["ok"] * 4
    assert docs.n_quotes.sum() == len(case_quotes)


def test_case_corpus_targets(case_quotes, corpus_dir, gold_path):
    ev = evaluate(case_quotes, gold_path, texts=corpus_dir)
    for lang in ("fr", "ar"):
        assert _measure(ev, "f1", lang) >= 0.90, lang
    assert _measure(ev, "speaker_accuracy", "fr") >= 0.95
    assert _measure(ev, "speaker_accuracy", "ar") >= 0.85


def test_relaying_media_go_to_source_not_speaker(case_quotes):
    tass = case_quotes[case_quotes.source.fillna("").str.contains("tass")]
    assert len(tass) >= 2
    assert set(tass.actor) == {"maria_zakharova"}
    assert "reuters" in set(case_quotes.source.dropna())


def test_nested_fragment_points_to_its_parent(case_quotes):
    frag = case_quotes[case_quotes.text == "État agresseur"]
    assert len(frag) == 1 and bool(frag.nested.iloc[0])
    parent = case_quotes.set_index("quote_id").loc[frag.parent_id.iloc[0]]
    assert parent.type == "mixed" and "« État agresseur »" in parent.text


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_own_articles_are_found_and_attributed(lang):
    """Held-out articles written for the project (not the case corpus)."""
    paths = sorted((ARTICLES / lang).glob("*.txt"))
    q = analyze(paths, codebook=ARTICLES / "codebook.toml")
    ev = evaluate(q, ARTICLES / "gold.jsonl", texts={p.stem: p.read_text(encoding="utf-8") for p in paths})
    assert _measure(ev, "f1", lang) >= 0.9
    assert _measure(ev, "speaker_accuracy", lang) >= (0.9 if lang == "fr" else 0.65)


def test_threads_give_identical_results(corpus_dir):
    one = analyze(corpus_dir, threads=1)
    two = analyze(corpus_dir, threads=2)
    pd.testing.assert_frame_equal(one, two)


def test_inputs_list_of_texts_dataframe_and_documents():
    text = "Titre\nLa ministre a affirmé que la réforme serait votée. « Nous tiendrons », a-t-elle ajouté."
    a = analyze([text], lang="fr")
    b = analyze(pd.DataFrame({"doc_id": ["x"], "text": [text], "lang": ["fr"]}))
    c = analyze([qf.Document.from_text(text, id="x", lang="fr")])
    assert list(a.text) == list(b.text) == list(c.text)
    assert list(a.type) == ["indirect", "direct"]
    assert list(b.doc_id) == ["x", "x"]
    with pytest.raises(ValueError, match="neither an existing path"):
        analyze("just some text, not a path")


def test_bad_documents_become_error_rows(tmp_path):
    (tmp_path / "a.txt").write_text("Titre\nLe maire a déclaré que tout allait bien.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"Titre\nabc \xff def")
    (tmp_path / "c.txt").write_bytes(b"")
    q = analyze(tmp_path, lang="fr")
    docs = q.attrs["documents"].set_index("doc_id")
    assert list(docs.index) == ["a", "b", "c"]
    assert docs.loc["a", "status"] == "ok" and docs.loc["a", "n_quotes"] == 1
    assert docs.loc["b", "status"] == "error" and "byte offset 10" in docs.loc["b", "error"]
    assert docs.loc["c", "status"] == "ok" and docs.loc["c", "n_quotes"] == 0
    with pytest.warns(qf.QuoteframeWarning):
        q2 = analyze(tmp_path, lang="fr", errors="replace")
    assert list(q2.attrs["documents"].status) == ["ok", "ok", "ok"]


@pytest.mark.parametrize(
    "text",
    [
        "Titre\n« jamais fermé " + "mot " * 50 + "\nParagraphe suivant, a dit Paul.",
        "Titre\n" + "«" * 5000,
        "Titre\n" + "» " * 1000 + "fin",
        "Titre\n" + "« " * 300 + "x" + " »" * 300 + ", a déclaré Marie.",
        "Titre\n" + '"' * 10001,
        "Titre\n— — — —",
    ],
    ids=["unclosed", "many-open", "stray-close", "deep-nesting", "odd-ascii", "dashes"],
)
def test_unbalanced_marks_stay_in_their_paragraph(text):
    q = analyze([text], lang="fr")
    first_para_end = text.index("\n", 6) if "\n" in text[6:] else len(text)
    for r in q.itertuples():
        assert r.end <= len(text)
        if r.type == "direct" and r.start < first_para_end:
            assert r.end <= first_para_end


def test_analyzer_pickles_and_matches():
    an = Analyzer("csto-kazakhstan-2022")
    an2 = pickle.loads(pickle.dumps(an))
    text = ["Titre\nZakharova a déclaré que la mission était un succès."]
    a, _ = an.run(["d"], text, ["fr"], [""])
    b, _ = an2.run(["d"], text, ["fr"], [""])
    pd.testing.assert_frame_equal(a, b)
    assert a.actor.tolist() == ["maria_zakharova"] and a.side.tolist() == ["russia"]


def test_unknown_speaker_is_reported_by_name():
    q = analyze(["Titre\n« Le port ne fermera pas », a déclaré Jean Dupuis, maire de Brest."], lang="fr")
    assert q.speaker.tolist() == ["Jean Dupuis"]
    assert q.actor.isna().all()


def test_missing_texts_in_a_dataframe_are_error_rows_not_crashes():
    frame = pd.DataFrame({"doc_id": ["a", "b", "c"],
                          "text": ["Titre\nLe maire a déclaré que tout allait bien.", None, float("nan")]})
    q = analyze(frame, lang="fr")
    docs = q.attrs["documents"].set_index("doc_id")
    assert docs.status.tolist() == ["ok", "error", "error"]
    assert "not str or bytes" in docs.loc["b", "error"] and "not str or bytes" in docs.loc["c", "error"]
    assert set(q.doc_id) == {"a"}
    # mentions() skips the unreadable rows instead of crashing on them
    assert set(qf.mentions(frame, lang="fr").doc_id) <= {"a"}


def test_dtypes_do_not_depend_on_the_input():
    # Regression: parent_id was object without nested quotes, text float64 with no quote.
    none = analyze(["Titre\nRien à signaler."], lang="fr")
    nested = analyze(["Titre\nLe maire a déclaré que tout va « bien » ici."], lang="fr")
    assert len(none) == 0 and nested.nested.any()
    pd.testing.assert_series_equal(none.dtypes, nested.dtypes)
