"""Robustness: hostile input through analyze(), read_corpus() and Document.from_text.

Every test ends in bounded time (a watchdog stops the run with a traceback
otherwise), every input yields its quotes or an error row (one row per input,
always), and every offset indexes the original text. Known bugs are strict
xfails named after the failure: the fix turns them into XPASS errors, so the
marker gets removed with it.

The scaling tests count instructions with callgrind on the C++ test binary's
hidden ``[.scaling]`` probe (tests/cpp/test_robustness.cpp): deterministic
counts, unlike wall time, so "linear" is a property a test can hold.
"""

from __future__ import annotations

import faulthandler
import json
import os
import random
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import quoteframe as qf
from quoteframe import _core
from quoteframe.analyze import Analyzer, analyze
from quoteframe.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_S = 120  # per test; a hang ends the run with every thread's traceback


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def an() -> Analyzer:
    return Analyzer()


def check_result(q: pd.DataFrame, texts) -> pd.DataFrame:
    """One document row per input, quote counts that add up, offsets into the text."""
    docs = q.attrs["documents"]
    assert len(docs) == len(texts)
    assert docs.status.isin(["ok", "error"]).all()
    assert int(docs.n_quotes.sum()) == len(q)
    for t, row in zip(texts, docs.itertuples()):
        if row.status == "error":
            assert row.error and row.n_quotes == 0
        elif isinstance(t, str):
            assert row.n_chars == len(t)
    by_id = dict(zip(docs.doc_id, texts))
    cols = ["doc_id", "start", "end", "text", "cue", "cue_start", "cue_end", "speaker_start", "speaker_end"]
    for r in q[cols].itertuples(index=False):
        t = by_id[r.doc_id]
        assert 0 <= r.start < r.end <= len(t)
        assert t[r.start:r.end] == r.text
        if r.cue_start >= 0:
            assert t[r.cue_start:r.cue_end] == r.cue
        if r.speaker_start >= 0:
            assert 0 <= r.speaker_start <= r.speaker_end <= len(t)
    return docs


def check_document(doc: qf.Document, tokens: bool = True) -> None:
    t = doc.text
    assert doc.n_chars == len(t)
    for s, e in doc.paragraph_spans.tolist():
        assert 0 <= s < e <= len(t)
    sents = doc.sentences
    assert ((sents.start >= 0) & (sents.start <= sents.end) & (sents.end <= len(t))).all()
    if tokens:
        tok = doc.tokens
        assert [t[s:e] for s, e in zip(tok.start.tolist(), tok.end.tolist())] == tok.token.tolist()
        assert (tok.start.diff().fillna(1) > 0).all()


# ---- hostile texts ---------------------------------------------------------------

N_MARKS = 100_000
HOSTILE = {
    "empty": "",
    "white space only": " \t\n\r\n\u00a0\u2003\n\n",
    "every line break": "a\rb\nc\r\nd\u2028e\u2029f\u0085g\vh\fi",
    "NUL bytes": "Titre\n\x00Le ministre a déclaré que\x00 la grève\x00 continue.\x00",
    "only NUL bytes": "\x00" * 1000,
    "only punctuation": "!?.,;:«»“”\"'-—()[]…" * 2000,
    "only quote marks": "\"«»„“”‘’'‹›「」" * 1000,
    "unclosed guillemets": "Titre\n" + "« " * N_MARKS,
    "unclosed curly quotes": "Titre\n" + "“a " * N_MARKS,
    "unclosed low quotes": "Titre\n" + "„" * N_MARKS,
    "unclosed single guillemets": "Titre\n" + "‹ " * N_MARKS,
    "unclosed corner brackets": "Titre\n" + "「" * N_MARKS,
    "unclosed marks on many lines": "Titre\n" + "« a\n" * 20_000,
    "nested 2000 deep": "Titre\n" + "« " * 2000 + "mot " + "» " * 2000,
    "a 2 MB word": "Titre\n" + "a" * 2_000_000,
    "a 2 MB number": "Titre\n" + "7" * 2_000_000,
    "a CJK run": "Titre\n" + "中文" * 100_000,
    "bidi controls": "Titre\n\u202eقال \u200f\"لا\"\u202c \u2066x\u2069 \u200e" + "\u202b\u202a" * 1000,
    "zero-width characters": "Titre\nLe\u200b ministre\u200d a\u200c dit «\u2060non». \ufeff" + "\u200b" * 10_000,
    "mixed scripts and emoji": "Titre\nПутин a dit « لا 😀👨‍👩‍👧 🇫🇷🇫 𝔸中文 », قال الرئيس. He said “yes”.",
    "astral characters everywhere": "Titre\n" + "😀«𝔸», a dit Jean. " * 500,
    "stacked combining marks": "Titre\na" + "\u0301" * 20_000 + " dit",
    "NFKC expansions": "Titre\n" + "\ufdfa \u3300 \ufb03 " * 2000,
    "Arabic marks and tatweel": "عنوان\n" + "قــالَ الوزيرُ إنّ " * 3000,
    "dialogue dashes": "Titre\n" + "— Oui, dit-il. — Non, répondit-elle.\n" * 2000,
    "hyphen and apostrophe chains": "Titre\n" + "a-t-il-" * 10_000 + " " + "l'" * 20_000 + "x",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_is_processed_in_every_language_mode(name, an):
    text = HOSTILE[name]
    frame = pd.DataFrame({"doc_id": ["detect", "fr", "ar", "en", "ru", "zz"], "text": [text] * 6,
                          "lang": ["", "fr", "ar", "en", "ru", "zz"]})
    q = analyze(frame, codebook=an, threads=2)
    docs = check_result(q, [text] * 6)
    assert list(docs.status) == ["ok"] * 6
    check_document(qf.Document.from_text(text), tokens=len(text) < 1_000_000)


@pytest.mark.slow
def test_20_mb_on_one_line(an):
    plain = "Les habitants ont vu la rivière monter pendant la nuit et les routes fermer une à une. "
    quote = "« Nous ne céderons pas », a dit Jean Dupont. Il a déclaré que la grève continuait. "
    unit = plain * 40 + quote
    text = "Titre\n" + unit * (20_000_000 // len(unit.encode()))
    assert len(text.encode()) > 19_900_000 and text.count("\n") == 1
    q = analyze([text], codebook=an, threads=1)
    docs = check_result(q, [text])
    assert docs.status[0] == "ok" and len(q) >= 4000
    check_document(qf.Document.from_text(text), tokens=False)


def test_crlf_offsets_are_code_points_of_the_original(an):
    lf = "Titre\nLe ministre a déclaré que la grève continue.\n« Non », a dit Jean Dupont.\n"
    crlf = lf.replace("\n", "\r\n")
    a = analyze([lf, crlf], codebook=an, lang="fr")
    check_result(a, [lf, crlf])
    one, two = a[a.doc_id == "doc0"], a[a.doc_id == "doc1"]
    assert one.text.tolist() == two.text.tolist() and len(one) >= 2
    # Each quote moves right by the number of CRs before it.
    shift = [crlf[:s].count("\r") for s in two.start]
    assert (two.start.to_numpy() - one.start.to_numpy()).tolist() == shift
    doc = qf.Document.from_text(crlf)
    assert doc.paragraphs == lf.strip().split("\n")
    check_document(doc)


def test_utf8_bom_stays_in_the_text_and_counts_in_offsets(an, tmp_path):
    body = "Titre\nLe ministre a déclaré que la grève continue."
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + body.encode())
    q = analyze(tmp_path, codebook=an, lang="fr")
    check_result(q, ["\ufeff" + body])
    assert len(q) == 1
    assert q.start.tolist() == [s + 1 for s in analyze([body], codebook=an, lang="fr").start]
    doc = qf.read_corpus(tmp_path)[0]
    assert doc.text[0] == "\ufeff" and doc.headline == "Titre"


# ---- invalid UTF-8, UTF-16 and lone surrogates --------------------------------------


def test_invalid_utf8_strict_names_the_file_and_byte(tmp_path):
    (tmp_path / "good.txt").write_text("Titre\nbonjour", encoding="utf-8")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Titre\nLe ministère".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.txt: invalid UTF-8 at byte offset 15 \(byte 0xE8\)") as e:
        qf.read_corpus(tmp_path)
    assert isinstance(e.value, qf.InputError)
    with pytest.raises(qf.InputError, match=r"d7: invalid UTF-8 at byte offset 15"):
        qf.Document.from_text(bad.read_bytes(), id="d7")


def test_invalid_utf8_in_analyze_is_an_error_row_never_a_dropped_document(tmp_path, an):
    (tmp_path / "a_good.txt").write_text("Titre\nLe ministre a déclaré que la grève continue.", encoding="utf-8")
    (tmp_path / "b_bad.txt").write_bytes(b"Titre\nLe minist\xe8re a d\xe9clar\xe9 que non.")
    (tmp_path / "c_good.txt").write_text("Titre\n« Non », a dit Jean Dupont.", encoding="utf-8")
    q = analyze(tmp_path, codebook=an, lang="fr")
    docs = q.attrs["documents"]
    assert docs.doc_id.tolist() == ["a_good", "b_bad", "c_good"]
    assert docs.status.tolist() == ["ok", "error", "ok"]
    assert "byte offset 15" in docs.error[1] and docs.path[1].endswith("b_bad.txt")
    assert set(q.doc_id) == {"a_good", "c_good"}


def test_invalid_utf8_replace_substitutes_and_warns(tmp_path, an):
    (tmp_path / "bad.txt").write_bytes(b"Titre\nLe minist\xe8re a d\xe9clar\xe9 que la gr\xe8ve continue.")
    with pytest.warns(qf.QuoteframeWarning, match=r"bad\.txt: 4 invalid UTF-8 sequence\(s\) replaced"):
        corpus = qf.read_corpus(tmp_path, errors="replace")
    assert corpus[0].text.count("\ufffd") == 4
    with pytest.warns(qf.QuoteframeWarning):
        q = analyze(tmp_path, codebook=an, errors="replace")
    docs = check_result(q, [corpus[0].text])
    assert docs.status.tolist() == ["ok"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_file_is_an_error_row_or_replaced(tmp_path, an, encoding):
    """Current policy: UTF-16 is not sniffed. It is invalid UTF-8: an error row
    (or a ValueError when strict); errors="replace" gives U+FFFD and a warning."""
    text = "Titre\nLe ministre a déclaré que la grève était illégale.\n"
    data = text.encode("utf-16-le" if encoding == "utf-16" else encoding)
    if encoding == "utf-16":
        data = b"\xff\xfe" + data  # with its byte order mark
    (tmp_path / "u16.txt").write_bytes(data)
    first_bad = _core.find_invalid_utf8(data)
    assert first_bad is not None
    docs = analyze(tmp_path, codebook=an).attrs["documents"]
    assert docs.status.tolist() == ["error"]
    assert f"byte offset {first_bad}" in docs.error[0]
    with pytest.raises(ValueError, match="u16.txt: invalid UTF-8"):
        qf.read_corpus(tmp_path)
    with pytest.warns(qf.QuoteframeWarning, match="replaced by U\\+FFFD"):
        q = analyze(tmp_path, codebook=an, errors="replace")
    assert q.attrs["documents"].status.tolist() == ["ok"]


def test_lone_surrogate_is_an_error_row_or_a_value_error(an):
    texts = ["Titre\nbonjour", "Titre\nLe ministre\ud800 a dit que non.", "Titre\nau revoir"]
    docs = analyze(texts, codebook=an).attrs["documents"]
    assert docs.status.tolist() == ["ok", "error", "ok"]
    assert "invalid UTF-8" in docs.error[1]
    with pytest.raises(ValueError, match="surrogate"):
        qf.Document.from_text(texts[1])


def test_random_binary_files_each_get_a_row(tmp_path, an):
    rng = random.Random(7)
    for i in range(40):
        size = rng.choice([0, 1, 2, 3, 17, 256, 4096, 65536])
        (tmp_path / f"bin{i:02d}.txt").write_bytes(bytes(rng.getrandbits(8) for _ in range(size)))
    q = analyze(tmp_path, codebook=an, threads=2)
    docs = q.attrs["documents"]
    assert len(docs) == 40 and docs.status.isin(["ok", "error"]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qf.QuoteframeWarning)
        q = analyze(tmp_path, codebook=an, errors="replace", threads=2)
        corpus = qf.read_corpus(tmp_path, errors="replace")
    check_result(q, [d.text for d in corpus])
    assert q.attrs["documents"].status.tolist() == ["ok"] * 40
    for d in corpus:
        check_document(d)


# ---- folders -----------------------------------------------------------------------


def test_folder_with_sub_folders_and_odd_entries(tmp_path, an):
    (tmp_path / "a.txt").write_text("Titre\nLe ministre a déclaré que la grève continue.", encoding="utf-8")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "b.txt").write_text("Titre\nbonjour", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.txt").write_text("Titre\nau revoir", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a document", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()  # a folder named like a document is not one
    # A folder reads its own .txt files; a recursive glob reads them all.
    assert analyze(tmp_path, codebook=an).attrs["documents"].doc_id.tolist() == ["a"]
    assert len(qf.read_corpus(tmp_path)) == 1
    docs = analyze(str(tmp_path / "**" / "*.txt"), codebook=an).attrs["documents"]
    assert sorted(docs.doc_id) == ["a", "b", "c"]
    assert len(qf.read_corpus(str(tmp_path / "**" / "*.txt"))) == 3


_UNREADABLE_SCRIPT = r"""
import json, sys
import quoteframe as qf
from quoteframe.analyze import analyze
out = {}
try:
    out["analyze"] = analyze(sys.argv[1]).attrs["documents"][["doc_id", "status", "error"]].values.tolist()
except Exception as e:
    out["analyze_error"] = type(e).__name__ + ": " + str(e)
try:
    qf.read_corpus(sys.argv[1])
except Exception as e:
    out["read_corpus_error"] = [type(e).__name__, isinstance(e, OSError), str(e)]
print(json.dumps(out))
"""


def _run_without_read_permission(folder: Path) -> dict:
    """Runs _UNREADABLE_SCRIPT where chmod 000 really blocks reading the file."""
    probe = folder / "b_unreadable.txt"
    try:
        probe.open("rb").close()
        blocked = False
    except PermissionError:
        blocked = True
    cmd = [sys.executable, "-c", _UNREADABLE_SCRIPT, str(folder)]
    if not blocked:
        # Root reads anything: drop the capabilities that let it (util-linux setpriv).
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, where chmod 000 does not block reads, and setpriv is missing")
        caps = "-dac_override,-dac_read_search"
        cmd = [setpriv, "--bounding-set", caps, "--inh-caps", caps] + cmd
        check = subprocess.run([setpriv, "--bounding-set", caps, "--inh-caps", caps, "cat", str(probe)],
                               capture_output=True)
        if check.returncode == 0 or b"Permission denied" not in check.stderr:
            pytest.skip("running as root, where chmod 000 does not block reads, and setpriv cannot drop that right")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(qf.__file__).parents[1])] + sys.path))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def folder_with_unreadable_file(tmp_path):
    (tmp_path / "a_good.txt").write_text("Titre\nLe ministre a déclaré que la grève continue.", encoding="utf-8")
    (tmp_path / "b_unreadable.txt").write_text("Titre\nsecret", encoding="utf-8")
    (tmp_path / "b_unreadable.txt").chmod(0)
    yield tmp_path
    (tmp_path / "b_unreadable.txt").chmod(0o644)


def test_unreadable_file_makes_read_corpus_raise_oserror_naming_it(folder_with_unreadable_file):
    out = _run_without_read_permission(folder_with_unreadable_file)
    _, is_oserror, message = out["read_corpus_error"]
    assert is_oserror and "b_unreadable.txt" in message, out


def test_unreadable_file_is_an_error_row_in_analyze(folder_with_unreadable_file):
    out = _run_without_read_permission(folder_with_unreadable_file)
    assert "analyze" in out, out
    rows = out["analyze"]
    assert [r[:2] for r in rows] == [["a_good", "ok"], ["b_unreadable", "error"]]


def test_list_of_paths_with_a_missing_file_is_not_taken_for_texts(tmp_path, an):
    (tmp_path / "a.txt").write_text("Titre\nLe ministre a déclaré que la grève continue.", encoding="utf-8")
    paths = [str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")]
    try:
        docs = analyze(paths, codebook=an).attrs["documents"]
    except (FileNotFoundError, ValueError):
        return
    assert docs.doc_id.tolist()[0] == "a"


# ---- codebooks -------------------------------------------------------------------

HEAD = '[codebook]\nname = "x"\nlanguages = ["fr"]\n'


def frames_codebook(patterns) -> str:
    items = ",".join('"%s"' % p for p in patterns)
    return HEAD + '[[frames]]\nid = "f"\n[frames.patterns]\nfr = [' + items + "]\n"


def test_codebook_of_200k_patterns_loads_and_one_more_is_refused(an):
    cb = _core.Codebook.from_string(frames_codebook(f"mot{i}" for i in range(200_000)))
    big = Analyzer(cb)
    q = analyze(["Titre\nLe ministre a déclaré que mot7 et mot199999 suffisent."], codebook=big, lang="fr")
    assert len(q) == 1
    with pytest.raises(qf.CodebookError, match=r"more than 200000 patterns"):
        _core.Codebook.from_string(frames_codebook(f"mot{i}" for i in range(200_001)))


@pytest.mark.parametrize("pattern, problem", [
    ("*", "may only end a word"),
    ("* " * 12, "may only end a word"),
    ("a**", "may only end a word"),
    ("*abc", "may only end a word"),
    (" ".join(c + "*" for c in "abcdefghijklm"), "more than 12 words"),
    pytest.param("a" * 201, "longer than 200 characters", id="201 characters"),
    ("a\\tb\\nc", "one line"),
])
def test_malformed_patterns_are_codebook_errors(pattern, problem):
    with pytest.raises(qf.CodebookError, match=re.escape(problem)) as e:
        _core.Codebook.from_string(frames_codebook([pattern]), "cb.toml")
    assert str(e.value).startswith("cb.toml:7: frames[0].patterns.fr[0]: ")


def test_twelve_wildcard_words_and_an_explosive_wildcard_codebook_load_fast():
    twelve = " ".join(c + "*" for c in "abcdefghijkl")
    Analyzer(_core.Codebook.from_string(frames_codebook([twelve])))
    # 3^8 patterns of 8 wildcard words, every one matching the same text.
    import itertools

    pats = [" ".join(p) for p in itertools.product(["a*", "ab*", "abc*"], repeat=8)]
    big = Analyzer(_core.Codebook.from_string(frames_codebook(pats)))
    text = "Titre\nIl a dit que " + "abcd " * 40 + "."
    q = analyze([text], codebook=big, lang="fr")
    check_result(q, [text])


def test_many_wildcard_branches_do_not_hide_a_match():
    a = lambda n: "a" * n  # noqa: E731
    crowd = ",".join(f'"{a(i)}* {a(j)}* yy"' for i in range(1, 41) for j in range(1, 41))
    toml = (HEAD + '[[frames]]\nid = "crowd"\n[frames.patterns]\nfr = [' + crowd + "]\n"
            '[[frames]]\nid = "target"\n[frames.patterns]\nfr = ["' + f"{a(40)}* {a(40)}* zz" + '"]\n')
    an = Analyzer(_core.Codebook.from_string(toml))
    q = analyze([f"Titre\nLe ministre a déclaré que {a(40)} {a(40)} zz est vrai."], codebook=an, lang="fr")
    assert len(q) == 1
    assert q.frame_target.iloc[0] > 0


@pytest.mark.parametrize("toml", [
    "x = " + "[" * 100_000 + "]" * 100_000,
    "x = " + "[" * 100_000,
    "x = " + "{a = " * 10_000 + "1" + "}" * 10_000,
    "[" + ".".join(["a"] * 10_000) + "]",
    "[[" + ".".join(["a"] * 10_000) + "]]",
], ids=["arrays", "unclosed arrays", "inline tables", "header", "array-of-tables header"])
def test_deeply_nested_toml_is_refused(toml):
    with pytest.raises(qf.CodebookError, match="nested deeper than 64 levels"):
        _core.Codebook.from_string(HEAD + toml + "\n")


def test_too_deep_dotted_key_gives_a_short_message():
    with pytest.raises(qf.CodebookError, match="nested deeper than 64 levels") as e:
        _core.Codebook.from_string(HEAD + ".".join(["a"] * 100_000) + " = 1\n")
    assert len(str(e.value)) < 2000


@pytest.mark.parametrize("toml, problem", [
    ('x = "unterminated\n', "unterminated string"),
    ("x = '''never closed\n", "unterminated multi-line string"),
    ("x = 1\nx = 2\n", "duplicate key"),
    ("x = 1979-05-27\n", "dates are not supported"),
    ("x = 99999999999999999999\n", "out of range"),
    ("x = \x00\n", "control character U+0000"),
    ("x = 1\ry = 2\n", "carriage return"),
    ("x = [1, 2\n", "unterminated array"),
    ("x = { a = 1,\n", "inline table"),
    ("x = " + "1," * 10 + "\n", "end of the line"),
    ("[codebook]\n", "table defined more than once"),
    pytest.param("".join(f"k{i} = 1\n" for i in range(100_000)), "and 99994 more", id="100k unknown keys"),
    pytest.param("x = [" + "1," * 2_000_001 + "]\n", "more than 2000000 values", id="2M values"),
])
def test_malformed_toml_is_a_short_codebook_error(toml, problem):
    with pytest.raises(qf.CodebookError, match=re.escape(problem)) as e:
        _core.Codebook.from_string(HEAD + toml, "cb.toml")
    assert str(e.value).startswith("cb.toml:") and len(str(e.value)) < 2000


def test_codebook_files_with_bad_bytes_or_size(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(HEAD.encode() + b'title = "caf\xe9"\n')
    with pytest.raises(qf.CodebookError, match=r"latin1\.toml:4: invalid UTF-8 \(byte 0xE9"):
        load_codebook(bad)
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as f:
        f.write(HEAD.encode() + b"#")
        f.truncate(65 << 20)  # a sparse 65 MiB file
    with pytest.raises(qf.CodebookError, match="larger than 64 MiB"):
        load_codebook(huge)
    with pytest.raises(qf.CodebookError, match="is a directory"):
        _core.Codebook.from_file(str(tmp_path))


# ---- no quadratic behaviour: instruction counts ----------------------------------

# Shapes of tests/cpp/test_robustness.cpp's probe, with the unit count n that
# keeps the run short under callgrind; each is measured at n and 4n. The
# quote-heavy shapes were quadratic before 59d8456 (ratios 5.2 to 13.8 at
# these sizes: every quote scanned every other quote, mention or open mark).
SHAPES = {
    # plain text
    "narration": 500, "commas": 2000, "no_punctuation": 2000, "long_word": 50_000, "unclosed_marks": 5000,
    "analyze:narration": 500,
    # news in four languages, on many lines and on one
    "news": 200, "news_one_line": 200, "analyze:news": 200, "english": 300, "russian": 300, "arabic": 300,
    # many quotes
    "dialogue": 500, "reported_speech": 500, "closed_quotes": 500, "uncued_quotes": 250, "ascii_quotes": 250,
    # adversarial quotation marks
    "nested": 250, "unclosed_then_wrong_closers": 500, "ascii_inside_unclosed": 250,
    "apostrophes_inside_unclosed": 1000,
}
MAX_RATIO = 4.6  # 4x the input may cost at most 4.6x the instructions


def _scaling_binary() -> Path:
    """A non-sanitized quoteframe_tests that has the [.scaling] probe."""
    given = os.environ.get("QUOTEFRAME_TESTS_BIN")
    candidates = [Path(given)] if given else sorted((ROOT / "build").glob("*/quoteframe_tests"))
    for exe in candidates:
        cache = exe.parent / "CMakeCache.txt"
        if cache.is_file() and re.search(r"QUOTEFRAME_SANITIZE:BOOL=(ON|TRUE|1)", cache.read_text()):
            continue  # ASan and valgrind do not mix
        listed = subprocess.run([str(exe), "--list-test-names-only", "[.scaling]"], capture_output=True, text=True)
        if "Instruction-count probe" in listed.stdout:
            return exe
    pytest.skip("no quoteframe_tests with the [.scaling] probe under build/ (set QUOTEFRAME_TESTS_BIN)")


@pytest.fixture(scope="module")
def instruction_counts(tmp_path_factory) -> dict:
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (apt-get install valgrind)")
    exe = _scaling_binary()
    items = ["analyze:empty:0"]
    for shape, n in SHAPES.items():
        mode, _, name = shape.rpartition(":")
        for size in (n, 4 * n):
            items.append(f"{mode or 'extract'}:{name}:{size}")
    out = tmp_path_factory.mktemp("callgrind") / "cg.out"
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}  # no ASan runtime under valgrind
    env["QF_SCALING"] = ",".join(items)
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
         f"--callgrind-out-file={out}", str(exe), "[.scaling]"],
        capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    counts = {}
    for f in out.parent.glob("cg.out.*"):
        text = f.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: Client Request: qf (\S+)$", text, re.M)
        total = re.search(r"^summary: (\d+)$", text, re.M)
        if label and total:
            counts[label.group(1)] = int(total.group(1))
    assert len(counts) == len(items), sorted(counts)
    return counts


def _ratio(counts: dict, shape: str, n: int) -> float:
    mode, _, name = shape.rpartition(":")
    mode = mode or "extract"
    base = counts["analyze:empty:0"] if mode == "analyze" else 0
    small, large = counts[f"{mode}:{name}:{n}"] - base, counts[f"{mode}:{name}:{4 * n}"] - base
    assert small > 0
    return large / small


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
def test_work_grows_linearly(instruction_counts, shape):
    ratio = _ratio(instruction_counts, shape, SHAPES[shape])
    assert ratio < MAX_RATIO, f"{shape}: 4x the input costs {ratio:.2f}x the instructions"
