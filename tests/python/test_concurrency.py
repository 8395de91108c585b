"""Concurrency: analyze() and the text layer called from many Python threads at once.

The core releases the GIL while it works, so these threads really overlap in
C++: a shared Analyzer and a shared Codebook are read from all of them, each
thread gets its own text pipeline, and every result must equal the one a
sequential run gives, byte for byte.
"""

from __future__ import annotations

import faulthandler
import pickle
import threading
from pathlib import Path

import pandas as pd
import pytest

import quoteframe as qf
from quoteframe.analyze import Analyzer, analyze
from quoteframe.codebook import load_codebook

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
N_THREADS = 4
CALLS = 3


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(120, exit=True)  # a deadlock ends the run with tracebacks
    yield
    faulthandler.cancel_dump_traceback_later()


def run_concurrently(fn, n_threads: int = N_THREADS, calls: int = CALLS) -> list:
    """fn(thread, call) from n_threads threads released together; results in a
    list, or the first exception re-raised here."""
    start = threading.Barrier(n_threads)
    results, errors = [], []
    lock = threading.Lock()

    def worker(k: int) -> None:
        try:
            start.wait()
            for c in range(calls):
                r = fn(k, c)
                with lock:
                    results.append(r)
        except BaseException as e:  # noqa: BLE001 - re-raised on the caller
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    assert len(results) == n_threads * calls
    return results


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    """The project's test articles plus inputs that must become error rows."""
    paths = sorted(ARTICLES.glob("*/*.txt"))
    assert len(paths) >= 8
    rows = [{"doc_id": p.stem, "text": p.read_text(encoding="utf-8"), "lang": p.parent.name} for p in paths]
    rows += [
        {"doc_id": "latin1", "text": "Titre\nLe ministère a dit non.".encode("latin-1"), "lang": "fr"},
        {"doc_id": "empty", "text": "", "lang": ""},
        {"doc_id": "marks", "text": "Titre\n" + "« " * 5000, "lang": "fr"},
        {"doc_id": "detected", "text": paths[0].read_text(encoding="utf-8"), "lang": ""},
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shared_analyzer() -> Analyzer:
    return Analyzer(ARTICLES / "codebook.toml")


@pytest.fixture(scope="module")
def sequential(inputs, shared_analyzer) -> pd.DataFrame:
    q = analyze(inputs, codebook=shared_analyzer, threads=1)
    docs = q.attrs["documents"]
    assert len(docs) == len(inputs)
    assert docs.set_index("doc_id").status["latin1"] == "error"
    assert len(q) > 20
    return q


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a.attrs["documents"], b.attrs["documents"])


@pytest.mark.parametrize("inner_threads", [1, 2])
def test_threads_sharing_an_analyzer_agree_with_a_sequential_run(inputs, shared_analyzer, sequential, inner_threads):
    results = run_concurrently(lambda k, c: analyze(inputs, codebook=shared_analyzer, threads=inner_threads))
    for q in results:
        assert_same(q, sequential)


def test_threads_with_different_batches_get_their_own_results(inputs, shared_analyzer):
    """Each thread analyses a different slice; no result leaks into another's."""
    slices = [inputs.iloc[k::N_THREADS].reset_index(drop=True) for k in range(N_THREADS)]
    expected = [analyze(s, codebook=shared_analyzer, threads=1) for s in slices]
    got = run_concurrently(lambda k, c: (k, analyze(slices[k], codebook=shared_analyzer, threads=2)))
    for k, q in got:
        assert_same(q, expected[k])


def test_builtin_codebook_by_name_from_many_threads(inputs):
    """The per-process caches (built-in codebooks, analyzers) are filled from
    several threads at once."""
    frame = inputs[inputs.lang != "ar"].reset_index(drop=True)
    expected = analyze(frame, codebook="mfc", threads=1)
    for q in run_concurrently(lambda k, c: analyze(frame, codebook="mfc", threads=2)):
        assert_same(q, expected)


def test_a_shared_codebook_is_read_only(inputs):
    cb = load_codebook(ARTICLES / "codebook.toml")
    snapshot = cb.to_dict()
    text = cb.toml_text

    def use(k, c):
        d = cb.to_dict()
        again = pickle.loads(pickle.dumps(cb))
        an = Analyzer(cb)  # compiles the same codebook in parallel
        return d, again.to_dict(), analyze(inputs, codebook=an, threads=1)

    results = run_concurrently(use)
    expected = analyze(inputs, codebook=Analyzer(cb), threads=1)
    for d, unpickled, q in results:
        assert d == snapshot and unpickled == snapshot
        assert_same(q, expected)
    assert cb.to_dict() == snapshot and cb.toml_text == text


def test_pickled_analyzers_in_threads_agree(inputs, shared_analyzer, sequential):
    clones = [pickle.loads(pickle.dumps(shared_analyzer)) for _ in range(N_THREADS)]
    for q in run_concurrently(lambda k, c: analyze(inputs, codebook=clones[k], threads=1)):
        assert_same(q, sequential)


def test_documents_and_corpora_from_many_threads(tmp_path):
    """Each thread has its own ICU break iterators (quoteframe's per-thread pipeline)."""
    paths = sorted(ARTICLES.glob("*/*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    expected = [qf.Document.from_text(t).tokens for t in texts]
    corpus_expected = qf.read_corpus(ARTICLES / "fr").documents

    def work(k, c):
        order = list(range(len(texts)))[k:] + list(range(len(texts)))[:k]  # threads in different orders
        frames = {i: qf.Document.from_text(texts[i]).tokens for i in order}
        return frames, qf.read_corpus(ARTICLES / "fr").documents

    for frames, corpus_docs in run_concurrently(work):
        for i, tok in frames.items():
            pd.testing.assert_frame_equal(tok, expected[i])
        pd.testing.assert_frame_equal(corpus_docs, corpus_expected)
