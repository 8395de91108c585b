"""The text layer seen from Python: offsets, language, corpus reading, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import quoteframe as qf
from quoteframe import _core


def test_every_token_of_the_case_corpus_maps_back_to_its_surface(corpus_dir):
    corpus = qf.read_corpus(corpus_dir)
    assert len(corpus) == 4
    for doc in corpus:
        toks = doc.tokens
        assert len(toks) > 100
        text = doc.text
        for s, e, tok in zip(toks.start, toks.end, toks.token):
            assert text[s:e] == tok
            assert e > s
        # sentences and paragraphs too
        for s, e, t in zip(doc.sentences.start, doc.sentences.end, doc.sentences.text):
            assert text[s:e] == t and t.strip() == t
        assert doc.paragraphs[0] == doc.headline


def test_language_detection_on_the_case_corpus(corpus_dir):
    corpus = qf.read_corpus(corpus_dir)
    langs = {d.id[:3]: d.lang for d in corpus}
    assert langs == {"000": "fr", "001": "fr", "002": "ar", "003": "fr"}
    assert all(d.lang_detected for d in corpus)
    assert list(corpus.documents.doc_id) == [d.id for d in corpus]


def test_arabic_paragraphs_skip_blank_lines(corpus_dir):
    doc = qf.read_corpus(corpus_dir)["002_86eea7aa340d39ba"]
    # 002 separates paragraphs with blank lines: none of them is a paragraph.
    assert all(p.strip() for p in doc.paragraphs)
    assert doc.text.count("\n\n") == len(doc.paragraphs) - 1


def test_offsets_count_code_points_not_utf16_units():
    text = "😀 « Bonjour », a dit l’ambassadrice 🇫🇷."
    toks = qf.tokenize(text, lang="fr")
    for s, e, t in zip(toks.start, toks.end, toks.token):
        assert text[s:e] == t
    assert "l’" in set(toks.token) and "l'" in set(toks.norm)


def test_folding_and_normalize_map():
    assert qf.fold("L’ÉTÉ") == "l'été"
    assert qf.fold("قَالَتْ") == "قالت"
    n, m = qf.normalize("ﬁn «OK»")
    assert n == 'fin "ok"'
    assert m.tolist()[:3] == [0, 0, 1]
    assert len(m) == len(n) + 1


def test_invalid_utf8_strict_names_file_and_offset(tmp_path):
    (tmp_path / "good.txt").write_text("Titre\nUn texte correct.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes("Titre\nCafé ".encode() + b"\xff\xfe" + b" fin")
    with pytest.raises(ValueError, match=r"bad\.txt: invalid UTF-8 at byte offset 12"):
        qf.read_corpus(tmp_path)


def test_invalid_utf8_replace_warns_and_substitutes(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"Titre\nabc \xff def")
    with pytest.warns(qf.QuoteframeWarning, match="replaced by U\\+FFFD"):
        corpus = qf.read_corpus(tmp_path, errors="replace")
    assert "\ufffd" in corpus[0].text
    assert corpus.documents.status.tolist() == ["ok"]


def test_invalid_utf8_bytes_to_the_core_raise_input_error():
    with pytest.raises(qf.InputError, match="byte offset 2"):
        qf.Document.from_text(b"ab\xc3", id="x")


@pytest.mark.parametrize(
    "text, n_tokens",
    [
        ("", 0),
        ("   \n\n ", 0),
        ("\u200f\u200e\u200b", 0),
        ("«««", 3),
        ("a\x00b", 2),
        ("e\u0301cole", 1),
    ],
)
def test_edge_cases(text, n_tokens):
    doc = qf.Document.from_text(text, lang="fr")
    assert len(doc) == n_tokens


def test_empty_document_is_valid(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    corpus = qf.read_corpus(tmp_path)
    assert len(corpus) == 1 and len(corpus[0]) == 0 and corpus[0].headline is None
    assert corpus[0].lang == "und"


def test_glob_and_missing_paths(tmp_path, corpus_dir):
    assert len(qf.read_corpus(str(corpus_dir / "00[01]_*.txt"))) == 2
    with pytest.raises(FileNotFoundError):
        qf.read_corpus(tmp_path / "nope")


def test_lone_surrogate_is_a_value_error():
    with pytest.raises(ValueError, match="surrogate"):
        qf.Document.from_text("abc\ud800", lang="fr")


def test_each_core_exception_maps_to_one_python_type():
    cases = {
        "input": qf.InputError,
        "config": qf.CodebookError,
        "icu": qf.IcuError,
        "invalid_argument": ValueError,
        "out_of_range": IndexError,
        "runtime": RuntimeError,
    }
    for kind, exc in cases.items():
        with pytest.raises(exc):
            _core._raise_for_test(kind)
    assert issubclass(qf.InputError, ValueError) and issubclass(qf.CodebookError, ValueError)
    assert issubclass(qf.IcuError, RuntimeError)


def test_sentence_array_shapes(corpus_dir):
    doc = qf.read_corpus(corpus_dir)[0]
    assert doc.paragraph_spans.dtype == np.int32 and doc.paragraph_spans.shape[1] == 2
