"""A short, seeded fuzz of the public API that needs no fuzzing engine.

Texts of the case corpus (../shared/corpus/docs, when present) and of the
project's own articles, and the shipped codebooks, are mutated at random
(seeded, so a failure reproduces; QUOTEFRAME_FUZZ_SEED picks another seed) and
fed to analyze(), Document.from_text() and Codebook.from_string(). Checked: no
crash, one document row per input, offsets that index the input, and only the
documented exceptions (InputError/ValueError for bad text, CodebookError for a
bad codebook). The libFuzzer targets in fuzz/ go deeper; this runs everywhere.
"""

from __future__ import annotations

import faulthandler
import os
import random
from pathlib import Path

import pandas as pd
import pytest

import quoteframe as qf
from quoteframe import _core
from quoteframe.analyze import Analyzer, analyze

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
CASE_CORPUS = ROOT.parent / "shared" / "corpus" / "docs"
CODEBOOK_FILES = sorted((ROOT / "python" / "quoteframe" / "codebooks").glob("*.toml")) + [ARTICLES / "codebook.toml"]
SEED = int(os.environ.get("QUOTEFRAME_FUZZ_SEED", "20240601"))
LANGS = ["", "fr", "ar", "en", "ru", "zz"]

# Fragments that steer mutants toward the extractor's decisions.
TEXT_PIECES = [
    "«", "»", "“", "”", "„", "‘", "’", "‹", "›", "「", "」", '"', "'", "— ", "– ", " - ", ", ", ". ", " : ",
    "\n", "\r\n", "\r", "\u2028", "\x00", "\ufeff", "\u202e", "\u200f", "\u200b", "\u200d", "\u0301",
    "😀", "👨‍👩‍👧", "🇫🇷", "𝔸", "中文", "ﷺ", "ﬃ", "ـ",
    " a déclaré que ", " a-t-il dit", " selon ", " cité par l'AFP", " said ", " told Reuters that ",
    " according to ", "قال ", " إن ", "وفقا ل", " по словам ", " сказал ", " Zakharova ", " Tokayev ",
]
TOML_PIECES = [
    "[", "]", "[[", "]]", "{", "}", "=", ",", ".", '"', "'", '"""', "'''", "\\u00e9", "\\", "#", "\n",
    "\r\n", "\t", " ", "true", "inf", "nan", "0x1F", "1_000", "1e400", "1979-05-27", "*", "é", "\x00",
    "[codebook]", "[[actors]]", "[[frames]]", "[actors.names]", 'id = "x"', 'fr = ["a*"]', "names",
]


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def mutate(rng: random.Random, s: str, pieces: list, others: list, max_edits: int = 4) -> str:
    """One to `max_edits` random edits of `s`."""
    for _ in range(rng.randint(1, max_edits)):
        n = len(s)
        i, j = sorted(rng.randrange(n + 1) for _ in range(2))
        op = rng.randrange(8)
        if op == 0:  # delete a slice
            s = s[:i] + s[j:]
        elif op == 1:  # duplicate a slice, sometimes many times
            s = s[:j] + s[i:j] * rng.choice([1, 2, 50]) + s[j:]
        elif op == 2:  # insert fragments
            s = s[:i] + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20))) + s[i:]
        elif op == 3 and n:  # replace one character by a random code point (no surrogates)
            c = rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0xD800), rng.randrange(0xE000, 0x110000)])
            s = s[:i] + chr(c) + s[i + 1:]
        elif op == 4:  # swap two slices
            k = rng.randrange(j, n + 1)
            s = s[:i] + s[j:k] + s[i:j] + s[k:]
        elif op == 5:  # truncate
            s = s[:i]
        elif op == 6:  # splice in part of another seed
            o = rng.choice(others)
            a = rng.randrange(len(o) + 1)
            s = s[:i] + o[a:a + rng.randint(1, 400)] + s[j:]
        else:  # repeat one fragment a great many times
            s = s[:i] + rng.choice(pieces) * rng.choice([100, 1000, 5000]) + s[i:]
    return s


def byte_mutant(rng: random.Random, s: str):
    """UTF-8 bytes with a few random bytes changed (often no longer UTF-8)."""
    b = bytearray(s.encode("utf-8"))
    for _ in range(rng.randint(1, 3)):
        if b and rng.random() < 0.7:
            b[rng.randrange(len(b))] = rng.randrange(256)
        else:
            b[rng.randrange(len(b) + 1):0] = bytes([rng.choice([0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF])])
    return bytes(b)


def text_seeds(source: str) -> list:
    if source == "case corpus":
        if not CASE_CORPUS.is_dir():
            pytest.skip(f"the case corpus is not beside the project ({CASE_CORPUS})")
        paths = sorted(CASE_CORPUS.glob("*.txt"))
    else:
        paths = sorted(ARTICLES.glob("*/*.txt"))
    assert paths
    # Seeds stay short so 1,000 mutants run in seconds; mutation can grow them.
    return [p.read_text(encoding="utf-8")[:3000] for p in paths]


def check_batch(batch: list, q: pd.DataFrame) -> None:
    docs = q.attrs["documents"]
    assert len(docs) == len(batch)
    assert int(docs.n_quotes.sum()) == len(q)
    texts = {}
    for (doc_id, data, _), row in zip(batch, docs.itertuples()):
        assert row.doc_id == doc_id
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        bad = _core.find_invalid_utf8(raw)
        if bad is None:
            assert row.status == "ok", row.error
            texts[doc_id] = raw.decode("utf-8")
            assert row.n_chars == len(texts[doc_id])
        else:
            assert row.status == "error" and f"byte offset {bad}" in row.error
    for r in q[["doc_id", "start", "end", "text", "cue", "cue_start", "cue_end"]].itertuples(index=False):
        t = texts[r.doc_id]
        assert 0 <= r.start < r.end <= len(t) and t[r.start:r.end] == r.text
        if r.cue_start >= 0:
            assert t[r.cue_start:r.cue_end] == r.cue


@pytest.mark.parametrize("source, iterations", [("articles", 800), ("case corpus", 600)])
def test_mutated_texts(source, iterations):
    seeds = text_seeds(source)
    rng = random.Random(SEED)
    an = Analyzer()
    batch = []
    for it in range(iterations):
        text = mutate(rng, rng.choice(seeds), TEXT_PIECES, seeds)
        kind = rng.random()
        data = byte_mutant(rng, text) if kind < 0.15 else (text + "\ud800" if kind < 0.18 else text)
        batch.append((f"m{it}", data, rng.choice(LANGS)))
        if it % 7 == 0:
            try:
                doc = qf.Document.from_text(data, id=f"m{it}")
            except qf.InputError as e:
                assert isinstance(data, bytes) and f"byte offset {_core.find_invalid_utf8(data)}" in str(e)
            except ValueError as e:
                assert isinstance(data, str) and "surrogate" in str(e)
            else:
                tok = doc.tokens
                t = doc.text
                assert [t[s:e] for s, e in zip(tok.start.tolist(), tok.end.tolist())] == tok.token.tolist()
        if len(batch) == 50 or it == iterations - 1:
            frame = pd.DataFrame(batch, columns=["doc_id", "text", "lang"])
            try:
                q = analyze(frame, codebook=an, threads=2)
            except Exception as e:  # pragma: no cover - a failure must name its inputs
                raise AssertionError(f"analyze() raised {e!r} on mutants {batch[0][0]}..{batch[-1][0]} "
                                     f"(seed {SEED})") from e
            check_batch(batch, q)
            batch = []


def test_mutated_codebooks():
    seeds = [p.read_text(encoding="utf-8") for p in CODEBOOK_FILES]
    lang_files = sorted((ROOT / "python" / "quoteframe" / "data").glob("*/*.toml"))
    toml_seeds = [p.read_text(encoding="utf-8") for p in lang_files]
    rng = random.Random(SEED + 1)
    text = "Titre\nLe ministre a déclaré que la grève continue. « Non », a dit Maria Zakharova."
    accepted = compiled = 0
    for it in range(450):
        if it % 3 == 0:  # language files: the TOML reader alone
            src = mutate(rng, rng.choice(toml_seeds), TOML_PIECES, toml_seeds, max_edits=1)
            try:
                _core.parse_toml(src, "fuzz.toml")
            except qf.CodebookError as e:
                assert str(e).startswith("fuzz.toml") and len(str(e)) < 5000
            continue
        src = mutate(rng, rng.choice(seeds), TOML_PIECES, toml_seeds, max_edits=1)
        try:
            cb = _core.Codebook.from_string(src, "fuzz.toml")
        except qf.CodebookError as e:
            assert str(e).startswith("fuzz.toml") and len(str(e)) < 5000
            continue
        accepted += 1
        if accepted % 4 == 1:  # compiling is the slow part: a sample of the accepted ones
            try:
                an = Analyzer(cb)
            except qf.CodebookError:  # a pattern the text layer cannot use
                continue
            q = analyze([text], codebook=an, lang="fr")
            assert len(q.attrs["documents"]) == 1
            compiled += 1
    assert accepted >= 10 and compiled >= 3, (accepted, compiled)
