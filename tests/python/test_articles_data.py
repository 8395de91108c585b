"""Checks on the test articles and their gold (tests/data/articles), not on any code."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = pytest.importorskip("tomli")

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
LANGS = ("fr", "ar", "en", "ru")
GOLD_FIELDS = {
    "id": str, "doc_id": str, "lang": str, "start": int, "end": int, "quote": str, "type": str,
    "speaker": str, "side": (str, type(None)), "cue": str, "optional": bool, "nested": bool,
    "hard": bool, "unknown": bool, "group": (str, type(None)), "patterns": list,
}
MEDIA_ROLES = {"news_agency", "broadcaster"}

# What every language's articles must exercise (see NOTES.md for the tags).
REQUIRED_PATTERNS = {
    "direct_cue_after", "direct_cue_before_colon", "direct_speaker_colon", "direct_multi_paragraph",
    "direct_nested", "direct_unclosed", "direct_alt_marks", "indirect_que", "indirect_selon", "mixed",
    "speaker_name", "speaker_pronoun", "speaker_role_backref", "speaker_role_only", "speaker_unknown",
    "relay_media",
}
EXTRA_PATTERNS = {
    "fr": {"indirect_content_first", "indirect_participle"},
    "en": {"indirect_content_first", "indirect_said_no_that"},
    "ar": {"indirect_added", "indirect_participle"},
    "ru": {"direct_dialogue_dash", "indirect_content_first", "indirect_dash"},
}


@pytest.fixture(scope="module")
def texts() -> dict:
    out = {}
    for lang in LANGS:
        for path in sorted((ARTICLES / lang).glob("*.txt")):
            out[path.stem] = (lang, path.read_bytes().decode("utf-8"))
    return out


@pytest.fixture(scope="module")
def gold() -> list:
    rows = []
    with open(ARTICLES / "gold.jsonl", encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            assert line.strip(), f"gold.jsonl, line {lineno}: blank line"
            rows.append((lineno, json.loads(line)))
    return rows


@pytest.fixture(scope="module")
def codebook() -> dict:
    with open(ARTICLES / "codebook.toml", "rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def actors(codebook) -> dict:
    return {actor["id"]: actor for actor in codebook["actors"]}


def test_every_language_has_three_articles_of_eight_to_fifteen_paragraphs(texts):
    per_lang = Counter(lang for lang, _ in texts.values())
    assert all(per_lang[lang] >= 3 for lang in LANGS), per_lang
    for doc, (lang, text) in texts.items():
        assert doc.startswith(f"{lang}_"), doc
        lines = text.split("\n")
        assert 8 <= len(lines) - 1 <= 15, (doc, len(lines) - 1)
        assert "\r" not in text and not text.endswith("\n"), doc
        for number, line in enumerate(lines, start=1):
            assert line.strip() == line and line, f"{doc}, line {number}: blank or padded"
            assert not any(unicodedata.category(c) == "Cc" for c in line), f"{doc}, line {number}"


def test_gold_lines_have_the_corpus_fields(gold):
    for lineno, row in gold:
        where = f"gold.jsonl, line {lineno}"
        assert set(row) == set(GOLD_FIELDS), (where, set(row) ^ set(GOLD_FIELDS))
        for name, kind in GOLD_FIELDS.items():
            assert isinstance(row[name], kind), (where, name, row[name])
        assert row["type"] in ("direct", "indirect", "mixed"), where
        assert row["patterns"] and all(isinstance(p, str) for p in row["patterns"]), where


def test_gold_ids_are_unique(gold):
    ids = Counter(row["id"] for _, row in gold)
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_gold_span_equals_its_quote(gold, texts):
    for lineno, row in gold:
        where = f"gold.jsonl, line {lineno} ({row['id']})"
        assert row["doc_id"] in texts, where
        lang, text = texts[row["doc_id"]]
        assert row["lang"] == lang, where
        assert 0 <= row["start"] < row["end"] <= len(text), where
        assert text[row["start"]:row["end"]] == row["quote"], where
        assert row["quote"] == row["quote"].strip(), where
        if "direct_multi_paragraph" not in (row.get("patterns") or []):
            assert "\n" not in row["quote"], f"{where}: one paragraph per item"
        assert row["start"] > text.index("\n"), f"{where}: headlines carry no gold"


def test_every_document_and_language_has_gold(gold, texts):
    docs = {row["doc_id"] for _, row in gold}
    assert docs == set(texts)
    required = Counter(row["lang"] for _, row in gold if not row["optional"])
    assert all(required[lang] >= 20 for lang in LANGS), required


def test_speakers_and_sides_are_declared(gold, codebook, actors):
    sides = {side["id"] for side in codebook["sides"]}
    for lineno, row in gold:
        where = f"gold.jsonl, line {lineno} ({row['id']})"
        if row["unknown"]:
            assert row["speaker"] not in actors, f"{where}: declared speaker marked unknown"
            assert row["speaker"] == row["speaker"].lower() and " " not in row["speaker"], where
        else:
            assert row["speaker"] in actors, f"{where}: speaker {row['speaker']!r} not in the codebook"
            assert row["side"] == actors[row["speaker"]]["side"], where
            assert not set(actors[row["speaker"]]["roles"]) & MEDIA_ROLES, f"{where}: a relay is not a speaker"
        assert row["side"] is None or row["side"] in sides, where
        assert row["side"] != "media", where


def test_codebook_is_consistent(codebook):
    assert set(codebook["codebook"]["languages"]) == set(LANGS)
    side_ids = [side["id"] for side in codebook["sides"]]
    assert len(side_ids) == len(set(side_ids))
    actor_ids = [actor["id"] for actor in codebook["actors"]]
    assert len(actor_ids) == len(set(actor_ids))
    for actor in codebook["actors"]:
        assert actor["side"] in side_ids, actor["id"]
        assert actor["kind"] in ("person", "organisation", "country", "group"), actor["id"]
        assert actor["gender"] in ("female", "male", "plural", "unknown"), actor["id"]
        assert isinstance(actor["roles"], list) and actor["roles"], actor["id"]
        for table in ("names", "descriptions"):
            for lang, phrases in actor.get(table, {}).items():
                assert lang in LANGS and phrases and all(isinstance(p, str) and p for p in phrases), actor["id"]
        assert actor.get("names"), actor["id"]


def test_named_actors_appear_in_their_articles(gold, texts, actors):
    """A speaker found by name has one of its codebook names in the document."""
    for _, row in gold:
        if row["unknown"] or "speaker_name" not in row["patterns"]:
            continue
        lang, text = texts[row["doc_id"]]
        names = actors[row["speaker"]]["names"].get(lang, [])
        assert any(name.lower() in text.lower() for name in names), row["id"]


def test_role_only_speakers_are_found_by_a_description(gold, texts, actors):
    for _, row in gold:
        if row["unknown"] or "speaker_role_only" not in row["patterns"]:
            continue
        lang, text = texts[row["doc_id"]]
        actor = actors[row["speaker"]]
        assert not any(name in text for name in actor["names"].get(lang, [])), row["id"]
        assert any(d.lower() in text.lower() for d in actor.get("descriptions", {}).get(lang, [])), row["id"]


def test_groups_and_nested_items_are_well_formed(gold):
    groups = defaultdict(list)
    by_doc = defaultdict(list)
    for _, row in gold:
        by_doc[row["doc_id"]].append(row)
        if row["group"]:
            groups[(row["doc_id"], row["group"])].append(row)
    for key, parts in groups.items():
        assert len(parts) >= 2, key
        assert len({p["speaker"] for p in parts}) == 1, key
    for doc, rows in by_doc.items():
        for row in rows:
            if row["nested"]:
                assert row["optional"], row["id"]
                assert any(
                    other is not row and other["start"] <= row["start"] and row["end"] <= other["end"]
                    for other in rows
                ), f"{row['id']}: nested item outside every other item"


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_covers_the_news_patterns(gold, lang):
    seen = {p for _, row in gold if row["lang"] == lang for p in row["patterns"]}
    missing = (REQUIRED_PATTERNS | EXTRA_PATTERNS[lang]) - seen
    assert not missing, f"{lang}: no gold item exercises {sorted(missing)}"


def test_language_typography_is_present(texts):
    joined = defaultdict(str)
    for lang, text in texts.values():
        joined[lang] += text + "\n"
    assert "«\u00a0" in joined["fr"] and "«\u202f" in joined["fr"] and "« " in joined["fr"] and "“" in joined["fr"]
    assert "“" in joined["en"] and "\n'" in joined["en"]
    assert '"' in joined["ar"] and "«" in joined["ar"] and "،" in joined["ar"]
    assert "„" in joined["ru"] and "\n— " in joined["ru"] and "», —" in joined["ru"]


def test_gold_is_accepted_by_the_evaluator_and_scores_itself_perfectly(texts):
    evaluate_module = pytest.importorskip("quoteframe.evaluate")
    gold = evaluate_module.load_gold(ARTICLES / "gold.jsonl")
    pred = gold[["id", "doc_id", "start", "end", "speaker", "side"]].rename(columns={"speaker": "actor"})
    result = evaluate_module.evaluate(pred, gold, texts={doc: text for doc, (_, text) in texts.items()})
    assert set(result.summary["scope"]) == {"all", *LANGS}
    scored = result.summary[result.summary["measure"].isin(["f1", "speaker_accuracy", "side_accuracy"])]
    assert (scored["value"] == 1.0).all()
