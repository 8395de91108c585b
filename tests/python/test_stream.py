"""Streaming: iter_analyze / analyze_to give the one-shot result chunk by chunk, lazily,
in bounded memory, with every input in a documents table."""

from __future__ import annotations

import doctest
import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import quoteframe
from quoteframe import cli, stream
from quoteframe import io as qio
from quoteframe.analyze import Analyzer, _analyzer, analyze
from quoteframe.stream import StreamSummary, analyze_to, collect, iter_analyze
from quoteframe.text import QuoteframeWarning

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
PACKAGE_ROOT = Path(quoteframe.__file__).resolve().parent.parent
SENTENCE = "Titre\nLe ministre a déclaré que la grève était illégale."


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture(scope="module")
def article_dir(tmp_path_factory):
    """The twelve test articles and the case corpus (when present) in one folder."""
    folder = tmp_path_factory.mktemp("articles")
    sources = sorted(ARTICLES.glob("*/*.txt"))
    case = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "docs"
    sources += sorted(case.glob("*.txt")) if case.is_dir() else []
    for p in sources:
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


def _pairs(folder: Path):
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def _assert_same(chunks, one):
    """collect(chunks) is the one-shot result: quotes, index, dtypes and documents."""
    got = collect(chunks)
    # analyze() types parent_id as object when no quote of the call is nested (str
    # otherwise); chunks always use the one schema, so compare with the one-shot result in it.
    one = stream.conform(one, stream.empty_quotes(_analyzer("csto-kazakhstan-2022")))
    pd.testing.assert_frame_equal(got, one)
    pd.testing.assert_frame_equal(got.attrs["documents"], one.attrs["documents"])
    assert got.attrs["codebook"] == one.attrs["codebook"]


# --------------------------------------------------------------------------------------
# Chunked == one-shot


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 500])
def test_chunks_of_a_folder_equal_one_analyze_call(article_dir, analyzer, chunk_size):
    one = analyze(str(article_dir), codebook=analyzer)
    assert len(one) > 100
    _assert_same(iter_analyze(str(article_dir), codebook=analyzer, chunk_size=chunk_size), one)


def test_case_corpus_folder_glob_and_path_list_stream_alike(corpus_dir, analyzer):
    one = analyze(str(corpus_dir), codebook=analyzer)
    _assert_same(iter_analyze(corpus_dir, codebook=analyzer, chunk_size=2), one)
    _assert_same(iter_analyze(str(corpus_dir / "*.txt"), codebook=analyzer, chunk_size=3), one)
    paths = [str(p) for p in sorted(corpus_dir.glob("*.txt"))]
    _assert_same(iter_analyze(paths, codebook=analyzer, chunk_size=1), one)
    # Path objects, as a list and from a generator, read the same files.
    _assert_same(iter_analyze([Path(p) for p in paths], codebook=analyzer, chunk_size=2), one)
    _assert_same(iter_analyze((Path(p) for p in paths), codebook=analyzer, chunk_size=2), one)


def test_texts_pairs_and_dataframes_stream_like_analyze(article_dir, analyzer):
    pairs = _pairs(article_dir)
    texts = [t for _, t in pairs]
    one_texts = analyze(texts, codebook=analyzer)
    assert list(one_texts.attrs["documents"]["doc_id"][:3]) == ["doc0", "doc1", "doc2"]
    _assert_same(iter_analyze(texts, codebook=analyzer, chunk_size=4), one_texts)
    _assert_same(iter_analyze(iter(texts), codebook=analyzer, chunk_size=5), one_texts)

    frame = pd.DataFrame({"doc_id": [i for i, _ in pairs], "text": texts})
    one_frame = analyze(frame, codebook=analyzer)
    _assert_same(iter_analyze(frame, codebook=analyzer, chunk_size=4), one_frame)
    _assert_same(iter_analyze(iter(pairs), codebook=analyzer, chunk_size=4), one_frame)
    _assert_same(iter_analyze(frame[["text"]], codebook=analyzer, chunk_size=6), one_texts)


def test_a_lang_column_and_triples_set_each_documents_language(analyzer):
    frame = pd.DataFrame({"doc_id": ["a", "b"], "text": [SENTENCE, SENTENCE], "lang": ["fr", "en"]})
    one = analyze(frame, codebook=analyzer)
    _assert_same(iter_analyze(frame, codebook=analyzer, chunk_size=1), one)
    triples = iter_analyze([("a", SENTENCE, "fr"), ("b", SENTENCE, "en")], codebook=analyzer)
    docs = collect(triples).attrs["documents"]
    assert docs["lang"].tolist() == ["fr", "en"]


def test_results_do_not_depend_on_threads_or_chunk_bytes(article_dir, analyzer):
    one = analyze(str(article_dir), codebook=analyzer, threads=1)
    _assert_same(iter_analyze(str(article_dir), codebook=analyzer, threads=None, chunk_size=5), one)
    chunks = list(iter_analyze(str(article_dir), codebook=analyzer, chunk_bytes=6000))
    assert all(len(d) <= 3 for _, d in chunks) and len(chunks) >= 6  # articles are 2-5 KB
    _assert_same(chunks, one)


def test_explanations_of_the_chunks_add_up_to_the_one_shot_ones(corpus_dir, analyzer):
    one = analyze(str(corpus_dir), codebook=analyzer, explain=True)
    got = collect(iter_analyze(str(corpus_dir), codebook=analyzer, chunk_size=1, explain=True))
    pd.testing.assert_frame_equal(got.attrs["explanations"], one.attrs["explanations"])


def test_regression_pd_concat_of_chunks_does_not_compare_documents_attrs(corpus_dir, analyzer):
    # pandas compares attrs when concatenating and cannot compare DataFrames: a chunk
    # carrying attrs["documents"] made pd.concat raise ValueError.
    chunks = [q for q, _ in iter_analyze(str(corpus_dir), codebook=analyzer, chunk_size=1)]
    joined = pd.concat(chunks)
    assert joined.index.equals(pd.RangeIndex(len(joined)))
    assert joined.attrs == {"codebook": analyzer.codebook.name}


def test_regression_a_chunk_without_nested_quotes_keeps_the_str_dtype_of_parent_id(analyzer):
    # analyze() gives parent_id dtype object (all None) when no quote is nested, and float
    # text columns when there is no quote at all; every chunk must have one schema.
    chunks = list(iter_analyze([SENTENCE, "", "   \n ", "Pas de citation ici."], codebook=analyzer,
                               chunk_size=1, lang="fr"))
    assert [len(q) for q, _ in chunks] == [1, 0, 0, 0]
    want = stream.empty_quotes(analyzer).dtypes
    for q, d in chunks:
        pd.testing.assert_series_equal(q.dtypes, want)
        pd.testing.assert_series_equal(d.dtypes, stream.empty_documents().dtypes)


# --------------------------------------------------------------------------------------
# Laziness


def test_an_endless_generator_is_read_only_as_far_as_the_chunks_taken(analyzer):
    pulled = []

    def endless():
        for i in itertools.count():
            pulled.append(i)
            yield (f"g{i}", SENTENCE if i % 2 else "Titre\nRien à signaler.")

    chunks = iter_analyze(endless(), codebook=analyzer, chunk_size=5, lang="fr")
    assert pulled == []  # nothing read before the first chunk is asked for
    first = list(itertools.islice(chunks, 3))
    assert len(pulled) == 15
    docs = pd.concat([d for _, d in first])
    assert docs["doc_id"].tolist() == [f"g{i}" for i in range(15)]
    assert sum(len(q) for q, _ in first) == 7
    assert first[2][1].index.tolist() == list(range(10, 15))
    chunks.close()


def test_files_are_read_when_their_chunk_comes(article_dir, analyzer, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    files = sorted(article_dir.glob("*.txt"))[:6]
    for p in files:
        (folder / p.name).write_bytes(p.read_bytes())
    chunks = iter_analyze(str(folder), codebook=analyzer, chunk_size=2)
    q0, d0 = next(chunks)
    assert d0["doc_id"].tolist() == [p.stem for p in files[:2]]
    # After the listing: one later file deleted, one rewritten. Both are seen as they are now.
    (folder / files[3].name).unlink()
    (folder / files[4].name).write_text(SENTENCE, encoding="utf-8")
    rest = list(chunks)
    docs = pd.concat([d0] + [d for _, d in rest])
    assert docs["doc_id"].tolist() == [p.stem for p in files]
    row = docs.set_index("doc_id").loc[files[3].stem]
    assert row["status"] == "error" and "cannot read" in row["error"] and files[3].name in row["error"]
    assert row["path"] == str(folder / files[3].name)
    assert docs.set_index("doc_id").loc[files[4].stem, "n_quotes"] == 1


# --------------------------------------------------------------------------------------
# Every input accounted for


def test_every_input_has_one_row_in_order_whatever_went_wrong(analyzer, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Titre\nabc \xff def\n")
    good = tmp_path / "good.txt"
    good.write_text(SENTENCE, encoding="utf-8")
    items = [
        ("first", SENTENCE),
        Path(tmp_path / "missing.txt"),
        bad,
        "",
        ("bytes", SENTENCE.encode("utf-8")),
        ("bad-bytes", b"\xc3\x28"),
        good,
        "   ",
    ]
    chunks = list(iter_analyze(iter(items), codebook=analyzer, chunk_size=3, lang="fr"))
    docs = pd.concat([d for _, d in chunks])
    by_bytes = pd.concat([d for _, d in iter_analyze(iter(items), codebook=analyzer, chunk_bytes=20, lang="fr")])
    pd.testing.assert_frame_equal(by_bytes, docs)
    assert docs["doc_id"].tolist() == ["first", "missing", "bad", "doc3", "bytes", "bad-bytes", "good", "doc7"]
    assert docs.index.tolist() == list(range(len(items)))
    assert docs["status"].tolist() == ["ok", "error", "error", "ok", "ok", "error", "ok", "ok"]
    errors = dict(zip(docs["doc_id"], docs["error"]))
    assert "cannot read" in errors["missing"]
    assert "invalid UTF-8" in errors["bad"] and "invalid UTF-8" in errors["bad-bytes"]
    assert docs["n_quotes"].tolist() == [1, 0, 0, 0, 1, 0, 1, 0]
    quotes = pd.concat([q for q, _ in chunks])
    assert quotes["doc_id"].tolist() == ["first", "bytes", "good"]
    assert set(quotes["doc_id"]) <= set(docs["doc_id"])


def test_errors_replace_warns_and_analyses_the_repaired_text(analyzer, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(SENTENCE.encode("utf-8") + b" \xff")
    with pytest.warns(QuoteframeWarning, match="replaced by U\\+FFFD"):
        q, d = next(iter_analyze([bad], codebook=analyzer, errors="replace", lang="fr"))
    assert d["status"].tolist() == ["ok"] and len(q) == 1


def test_an_empty_input_yields_no_chunk_and_writes_empty_tables(analyzer, tmp_path):
    assert list(iter_analyze([], codebook=analyzer)) == []
    summary = analyze_to(iter(()), tmp_path / "out", codebook=analyzer)
    assert (summary.n_documents, summary.n_quotes, summary.n_chunks) == (0, 0, 0)
    assert len(qio.load(summary.paths["quotes.csv"])) == 0


# --------------------------------------------------------------------------------------
# Arguments


def test_bad_arguments_raise_at_the_call_not_at_the_first_chunk(analyzer, tmp_path):
    with pytest.raises(ValueError, match="chunk_size"):
        iter_analyze([SENTENCE], codebook=analyzer, chunk_size=0)
    with pytest.raises(ValueError, match="chunk_bytes"):
        iter_analyze([SENTENCE], codebook=analyzer, chunk_bytes=0)
    with pytest.raises(ValueError, match="errors"):
        iter_analyze([SENTENCE], codebook=analyzer, errors="ignore")
    with pytest.raises(ValueError, match="neither an existing path nor a glob"):
        iter_analyze("Le ministre a déclaré que la grève était illégale.", codebook=analyzer)
    with pytest.raises(FileNotFoundError):
        iter_analyze(tmp_path / "no-such-folder", codebook=analyzer)
    with pytest.raises(TypeError, match="not int"):
        iter_analyze(42, codebook=analyzer)
    with pytest.raises(ValueError, match="'text' column"):
        iter_analyze(pd.DataFrame({"body": ["x"]}), codebook=analyzer)


def test_an_item_of_the_wrong_type_names_its_position(analyzer):
    chunks = iter_analyze(iter([SENTENCE, SENTENCE, 3.5]), codebook=analyzer, chunk_size=2)
    next(chunks)
    with pytest.raises(TypeError, match="item 2: .*not float"):
        next(chunks)
    with pytest.raises(TypeError, match="item 0: the text of a .* must be str or bytes, not NoneType"):
        list(iter_analyze(iter([("a", None)]), codebook=analyzer))


# --------------------------------------------------------------------------------------
# analyze_to


def test_analyze_to_writes_what_the_cli_writes(article_dir, analyzer, tmp_path):
    summary = analyze_to(str(article_dir), tmp_path / "stream", codebook=analyzer, chunk_size=4)
    assert isinstance(summary, StreamSummary)
    assert cli.main(["analyze", str(article_dir), "-o", str(tmp_path / "cli"), "--quiet"]) == cli.EXIT_OK
    for name in ("quotes.csv", "quotes.jsonl", "documents.csv", "quotes.meta.json"):
        assert (tmp_path / "stream" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    one = analyze(str(article_dir), codebook=analyzer)
    assert (summary.n_documents, summary.n_quotes, summary.n_failed) == (len(one.attrs["documents"]), len(one), 0)
    assert summary.n_chunks == -(-summary.n_documents // 4)
    loaded = qio.load(summary.paths["quotes.jsonl"])
    assert loaded["quote_id"].tolist() == one["quote_id"].tolist()


def test_analyze_to_counts_failures_and_leaves_no_partial_file_on_error(analyzer, tmp_path):
    out = tmp_path / "out"
    summary = analyze_to([("a", SENTENCE), ("b", b"\xff")], out, codebook=analyzer, lang="fr")
    assert (summary.n_documents, summary.n_failed) == (2, 1)
    before = (out / "quotes.csv").read_bytes()
    with pytest.raises(TypeError, match="item 1"):
        analyze_to(iter([("a", SENTENCE), object()]), out, codebook=analyzer, chunk_size=1)
    assert (out / "quotes.csv").read_bytes() == before  # the previous run's files are untouched
    assert sorted(p.name for p in out.iterdir()) == ["documents.csv", "quotes.csv", "quotes.jsonl",
                                                     "quotes.meta.json"]


def test_the_module_docstring_example_runs():
    result = doctest.testmod(stream, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_iter_analyze_and_analyze_to_are_public():
    assert quoteframe.iter_analyze is iter_analyze
    assert quoteframe.analyze_to is analyze_to
    assert {"iter_analyze", "analyze_to"} <= set(quoteframe.__all__)


# --------------------------------------------------------------------------------------
# Memory

# Runs in a fresh interpreter, so that nothing else in the test session moves the peaks.
# It streams a generated corpus of SMALL and then of LARGE megabytes (texts made on the
# fly from the test articles' paragraphs, never held together) and prints, for each, the
# Python heap peak (tracemalloc: texts, numpy columns, DataFrames) and the growth of the
# process's peak RSS (which also sees the C++ core's memory).
MEMORY_PROBE = textwrap.dedent(
    """
    import json, random, resource, sys, tracemalloc
    from pathlib import Path
    from quoteframe.stream import iter_analyze

    paragraphs = []
    for p in sorted(Path(sys.argv[1]).glob("*/*.txt")):
        paragraphs += [l for l in p.read_text(encoding="utf-8").split("\\n")[1:] if l.strip()]

    def corpus(megabytes, seed):
        rng, size, i = random.Random(seed), 0, 0
        while size < megabytes * 1e6:
            text = "Titre\\n" + "\\n".join(rng.choice(paragraphs) for _ in range(rng.randint(4, 12)))
            size += len(text.encode("utf-8"))
            i += 1
            yield (f"d{i}", text)

    def maxrss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    out = {}
    for name, mb in (("small", float(sys.argv[2])), ("large", float(sys.argv[3]))):
        rss0 = maxrss_mb()
        tracemalloc.start()
        n_docs = n_quotes = 0
        for q, d in iter_analyze(corpus(mb, 1), chunk_size=200):
            n_docs += len(d)
            n_quotes += len(q)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[name] = {"docs": n_docs, "quotes": n_quotes, "heap_peak_mb": peak / 1e6,
                     "rss_growth_mb": maxrss_mb() - rss0}
    print(json.dumps(out))
    """
)


def test_memory_does_not_grow_with_the_corpus():
    # 2 MB then 20 MB (scaled down from 5 and 50 so that the test stays under 20 s on two
    # busy cores; benchmarks/ streams 100 MB - 1 GB). A stream that kept the texts or the
    # results would need 10x more heap for the large corpus; a chunk of 200 documents is
    # about 0.7 MB of text, so both runs should peak at the same few MB.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-W", "error", "-c", MEMORY_PROBE, str(ARTICLES), "2", "20"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    small, large = m["small"], m["large"]
    assert large["docs"] > 8 * small["docs"] and large["quotes"] > 8 * small["quotes"], m
    # The heap peak is one chunk's worth, far below the 20 MB of text streamed...
    assert large["heap_peak_mb"] < 15, m
    # ...and does not scale with the corpus (10x the text, at most 1.5x the peak).
    assert large["heap_peak_mb"] < 1.5 * small["heap_peak_mb"] + 1, m
    # Nor does the resident set: the large run may add little to the small run's peak.
    assert large["rss_growth_mb"] < 20, m
