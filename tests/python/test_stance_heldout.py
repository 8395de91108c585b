"""Stance on the held-out set (tests/data/stance): text the scorer was not tuned on.

Eight invented articles, two per language, each with a codebook of two targets and
hand-coded stance labels (see tests/data/stance/README.md). The data checks come first;
then the accuracy floor, so a change that helps the case corpus but hurts unseen text
fails here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from quoteframe import load_codebook
from quoteframe.analyze import analyze, explain
from quoteframe.evaluate import evaluate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    tomllib = pytest.importorskip("tomli")

HERE = Path(__file__).resolve().parents[1] / "data" / "stance"
GOLD = [json.loads(line) for line in (HERE / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
DOCS = sorted({g["doc_id"] for g in GOLD})

# Measured with the directives, gapped completion entries, continued attributions and
# the lexicon fixes of issue #4: 56 of 88 paired labels (0.636; 0.557 before them, and
# 0.477 for a tool that says 0 everywhere). The floor leaves about three labels of margin.
HELD_OUT_FLOOR = 0.60


def _text(doc: str) -> str:
    return (HERE / "texts" / f"{doc}.txt").read_text(encoding="utf-8")


def _codebook_path(doc: str) -> Path:
    return HERE / "codebooks" / f"{doc}.toml"


@pytest.fixture(scope="module")
def scored() -> dict:
    return {doc: analyze([str(HERE / "texts" / f"{doc}.txt")], codebook=str(_codebook_path(doc)), explain=True)
            for doc in DOCS}


def test_layout() -> None:
    assert len(DOCS) == 8
    langs = sorted(d.split("_")[0] for d in DOCS)
    assert langs == ["ar", "ar", "en", "en", "fr", "fr", "ru", "ru"]
    for doc in DOCS:
        text = _text(doc)
        assert "\n\n" not in text and not text.endswith("\n")
        assert 150 <= len(text.split()) <= 300, doc


def test_gold_is_what_build_gold_writes() -> None:
    # The labels live in build_gold.py; gold.jsonl must be its output, unedited.
    spec = importlib.util.spec_from_file_location("build_gold", HERE / "build_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (HERE / "gold.jsonl").read_text(encoding="utf-8").splitlines()


def test_gold_spans_and_labels() -> None:
    for g in GOLD:
        text = _text(g["doc_id"])
        assert text[g["start"]:g["end"]] == g["quote"], g["id"]
        assert g["start"] > text.index("\n"), f"{g['id']}: in the headline"
        book = tomllib.loads(_codebook_path(g["doc_id"]).read_text(encoding="utf-8"))
        targets = [t["id"] for t in book["targets"]]
        assert len(targets) == 2 and book["codebook"]["default_target"] == targets[0]
        assert book["codebook"]["languages"] == [g["lang"]] == [g["doc_id"].split("_")[0]]
        stances = {k[len("stance_"):]: v for k, v in g.items() if k.startswith("stance_")}
        assert set(stances) == set(targets), g["id"]
        if g["optional"]:
            assert g["nested"] and all(v is None for v in stances.values()), g["id"]
        else:
            assert all(v in (-1, 0, 1) for v in stances.values()), g["id"]


@pytest.mark.parametrize("doc", DOCS)
def test_codebooks_load(doc: str) -> None:
    book = load_codebook(str(_codebook_path(doc)))
    assert len(book.targets) == 2


def test_held_out_stance_accuracy(scored) -> None:
    correct = total = 0
    for doc in DOCS:
        gold = pd.DataFrame([g for g in GOLD if g["doc_id"] == doc])
        ev = evaluate(scored[doc], gold, texts={doc: _text(doc)})
        pairs = ev.pairs[ev.pairs["counted"].astype(bool)]
        for col in [c for c in pairs.columns if c.startswith("stance_") and c.endswith("_correct")]:
            values = pairs[col].dropna()
            correct += int(values.sum())
            total += len(values)
    # 44 of the 51 required quotes pair at overlap 0.8 now; the floor must not be
    # met by losing the hard quotes.
    assert total >= 84, total
    assert correct / total >= HELD_OUT_FLOOR, f"{correct}/{total}"


def test_held_out_explanations_add_up(scored) -> None:
    # explain() accounts for every contribution on unseen text too (directives included).
    kinds = set()
    for doc, q in scored.items():
        ex = explain(q)
        kinds |= set(ex.kind)
        targets = [c[len("stance_"):] for c in q.columns if c.startswith("stance_") and not c.endswith("_label")]
        for qid, group in ex.groupby("quote_id"):
            row = q.set_index("quote_id").loc[qid]
            for t in targets:
                raw = group.loc[group.feature == f"stance_{t} (raw)", "contribution"]
                assert row[f"stance_{t}"] == pytest.approx(raw.sum() / (raw.abs().sum() + 1.0), abs=1e-5), (qid, t)
    assert "directive" in kinds
