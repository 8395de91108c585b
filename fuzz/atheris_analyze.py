"""Coverage-guided fuzzing of the Python API with atheris (pip install atheris).

    PYTHONPATH=python python3 fuzz/atheris_analyze.py -max_total_time=300 -max_len=4096

The input is split into a language code, a document (as str when it decodes,
else as raw bytes) and a codebook snippet. Checked, as in
tests/python/test_fuzz_short.py: one document row per input, offsets that
index the text, and only the documented exceptions. The C++ core is not
instrumented here (atheris sees the Python side); the libFuzzer targets in
this folder cover the core.
"""

from __future__ import annotations

import sys

import atheris
import numpy  # noqa: F401 - imported first so that only quoteframe is instrumented
import pandas as pd

with atheris.instrument_imports():
    import quoteframe as qf
    from quoteframe import _core
    from quoteframe.analyze import Analyzer, analyze

LANGS = ["", "fr", "ar", "en", "ru", "zz"]
ANALYZER = Analyzer()
HEAD = '[codebook]\nname = "fuzz"\nlanguages = ["fr"]\n'


def check_text(data, lang: str) -> None:
    q = analyze(_frame(data, lang), codebook=ANALYZER, threads=1)
    docs = q.attrs["documents"]
    assert len(docs) == 1 and int(docs.n_quotes.sum()) == len(q)
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    bad = _core.find_invalid_utf8(raw)
    if bad is not None:
        assert docs.status[0] == "error" and f"byte offset {bad}" in docs.error[0]
        return
    text = raw.decode("utf-8")
    assert docs.status[0] == "ok" and docs.n_chars[0] == len(text)
    for s, e, t in zip(q.start, q.end, q.text):
        assert 0 <= s < e <= len(text) and text[s:e] == t
    try:
        doc = qf.Document.from_text(data)
    except ValueError:
        assert isinstance(data, str)  # a lone surrogate
        return
    tok = doc.tokens
    assert [text[s:e] for s, e in zip(tok.start, tok.end)] == tok.token.tolist()


def _frame(data, lang):
    return pd.DataFrame({"doc_id": ["fuzz"], "text": [data], "lang": [lang]})


def check_codebook(snippet: str) -> None:
    try:
        cb = _core.Codebook.from_string(HEAD + snippet, "fuzz.toml")
    except qf.CodebookError as e:
        assert str(e).startswith("fuzz.toml") and len(str(e)) < 5000
        return
    Analyzer(cb)


def one_input(buf: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(buf)
    lang = LANGS[fdp.ConsumeIntInRange(0, len(LANGS) - 1)]
    mode = fdp.ConsumeIntInRange(0, 3)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if mode == 3:
        check_codebook(body.decode("utf-8", "replace"))
        return
    try:
        data = body.decode("utf-8") if mode != 2 else body
    except UnicodeDecodeError:
        data = body
    check_text(data, lang)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
