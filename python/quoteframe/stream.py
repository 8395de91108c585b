"""Streaming analysis: a corpus of any size, one chunk of documents at a time.

:func:`iter_analyze` is :func:`quoteframe.analyze` cut into chunks. It reads its
input lazily (a file is opened only when its chunk is assembled, an iterator is
advanced only as far as the chunk needs), analyses ``chunk_size`` documents at a
time on the core's threads and yields each chunk's ``(quotes, documents)``, so the
memory it holds is one chunk's texts and results, whatever the size of the corpus:

>>> from quoteframe.stream import iter_analyze
>>> texts = ["Titre\\nLe ministre a déclaré que la grève était illégale."] * 3
>>> [(len(q), len(d)) for q, d in iter_analyze(texts, lang="fr", chunk_size=2)]
[(2, 2), (1, 1)]

Concatenating the chunks gives exactly what one :func:`quoteframe.analyze` call on
the same input returns (same rows, order, index and ids):
``pd.concat(q for q, _ in iter_analyze(src))`` equals ``analyze(src)`` but for
``attrs["documents"]``, which :func:`collect` puts back.

:func:`analyze_to` writes the chunks to ``quotes.csv``, ``quotes.jsonl`` and
``documents.csv`` as they come (the files of ``quoteframe analyze``, through
:class:`quoteframe.io.OutputWriter`), for corpora that do not fit in memory.

Inputs (``source``):

- a folder (its ``.txt`` files, sorted by name), a glob (``"news/**/*.txt"``) or one
  file: only the file *names* are listed up front (for the order); each file is read
  when its chunk comes;
- a list or tuple of strings: of paths when every item reads as a file name (an
  existing file, or a name ending in ``.txt``), else of texts (the rule of
  :func:`quoteframe.analyze`); of :class:`quoteframe.Document`; or of the items below;
- a DataFrame with a ``text`` column (optional ``doc_id``, ``lang``), a
  :class:`quoteframe.Corpus`;
- any other iterable or iterator, consumed lazily, one item at a time. An item is a
  text (``str``, or UTF-8 ``bytes``), a ``(doc_id, text)`` or ``(doc_id, text, lang)``
  tuple, a :class:`quoteframe.Document`, or a :class:`pathlib.Path` (any
  ``os.PathLike``) to read. Inside an iterator a ``str`` is always a text, never a
  path: wrap paths in ``Path``.

A document without an id (a bare text) gets ``doc<i>``, ``i`` counting from 0 over
the whole stream, as :func:`quoteframe.analyze` numbers them.

Every input has its row in a ``documents`` table: a document that fails (invalid
UTF-8 with ``errors="row"``, a file that cannot be read, say deleted after the
folder was listed) is a row with ``status == "error"`` and the reason in ``error``,
as in :func:`quoteframe.analyze`; the stream goes on.

Every chunk has the same columns and dtypes, including a chunk without quotes.
"""

from __future__ import annotations

import glob as _glob
import itertools
import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from .analyze import DOCUMENT_COLUMNS, QUOTE_COLUMNS, Analyzer, _analyzer, _looks_like_path
from .io import DOCUMENT_SCHEMA, QUOTE_SCHEMA, OutputWriter
from .text import Corpus, Document, read_bytes_as_text

__all__ = ["iter_analyze", "analyze_to", "collect", "StreamSummary", "DEFAULT_CHUNK_SIZE"]

#: Documents per chunk unless told otherwise (the CLI's chunk too).
DEFAULT_CHUNK_SIZE = 500

PathLike = Union[str, "os.PathLike[str]"]

# One input document before reading: (doc_id, text or a path to read, lang, path shown).
# A path to read is a ``Path``; a text is ``str`` or ``bytes``.
_Record = Tuple[str, Union[str, bytes, Path], str, str]

# pandas' default dtype for text: object before pandas 3, ``str`` from pandas 3 on.
_TEXT_DTYPE = pd.Series(["x"]).dtype


# --------------------------------------------------------------------------------------
# The schema every chunk is cast to


def _dtype_of(col) -> Any:
    """The pandas dtype of one io column description (``io.QUOTE_SCHEMA`` entries)."""
    if col.kind in ("text", "opt_text"):
        return _TEXT_DTYPE
    if col.kind == "category":
        return pd.CategoricalDtype(list(col.categories))
    return np.dtype(col.dtype)


def empty_quotes(analyzer: Analyzer) -> pd.DataFrame:
    """A quotes table with no rows and the columns and dtypes ``analyzer`` produces.

    The columns are :data:`quoteframe.analyze.QUOTE_COLUMNS` followed by the
    codebook's feature columns. Dask uses it as ``meta``.
    """
    base = {name: pd.Series([], dtype=_dtype_of(QUOTE_SCHEMA[name])) for name in QUOTE_COLUMNS}
    frame = pd.DataFrame(base, columns=QUOTE_COLUMNS)
    features = analyzer._features(np.zeros((0, len(analyzer.feature_names)), dtype=np.float64))
    return pd.concat([frame, features], axis=1)


def empty_documents() -> pd.DataFrame:
    """A documents table with no rows and the usual columns and dtypes."""
    cols = {name: pd.Series([], dtype=_dtype_of(DOCUMENT_SCHEMA[name])) for name in DOCUMENT_COLUMNS}
    return pd.DataFrame(cols, columns=DOCUMENT_COLUMNS)


def conform(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the dtypes of ``like`` where they differ (same columns expected).

    A chunk with no nested quote has ``parent_id`` of dtype object (all ``None``) and a
    chunk with no quote at all has float columns for text; casting each chunk to one
    schema lets chunks be concatenated, compared and written alike.
    """
    if list(frame.columns) != list(like.columns):
        raise ValueError(f"unexpected columns {list(frame.columns)}, expected {list(like.columns)}")
    stale = [name for name, dtype in like.dtypes.items() if frame.dtypes[name] != dtype]
    if not stale:
        return frame
    # Without attrs: pandas deep-copies them into every column it hands out.
    bare = frame.copy(deep=False)
    bare.attrs = {}
    out = bare.assign(**{name: bare[name].astype(like.dtypes[name]) for name in stale})
    out.attrs = frame.attrs
    return out


# --------------------------------------------------------------------------------------
# From any input to a lazy stream of records


def _sorted_txt_names(folder: str) -> List[str]:
    # Names only (not Path objects): the listing of a million files stays small.
    with os.scandir(folder) as it:
        names = [e.name for e in it if PurePath(e.name).suffix == ".txt" and e.is_file()]
    names.sort()
    return [os.path.join(folder, n) for n in names]


def _paths_of(spec: str) -> List[str]:
    """The files a folder, glob or file name stands for, in analyze()'s order."""
    if os.path.isdir(spec):
        return _sorted_txt_names(spec)
    if any(ch in spec for ch in "*?["):
        # Path objects sort part by part; the key keeps that order without keeping Paths.
        return sorted((q for q in _glob.iglob(spec, recursive=True) if os.path.isfile(q)),
                      key=lambda q: PurePath(q).parts)
    if os.path.isfile(spec):
        return [spec]
    raise FileNotFoundError(f"no such file, folder or glob match: {spec}")


def _file_record(path: PathLike, lang: Optional[str]) -> _Record:
    p = Path(path)
    return (p.stem, p, lang or "", str(path))


def _item_record(item: Any, i: int, lang: Optional[str]) -> _Record:
    """One item of an iterator (see the module docstring for what it may be)."""
    if isinstance(item, (str, bytes)):
        return (f"doc{i}", item, lang or "", "")
    if isinstance(item, Document):
        return (item.id, item.text, lang or item.lang, item.path)
    if isinstance(item, os.PathLike):
        return _file_record(item, lang)
    if isinstance(item, tuple) and len(item) in (2, 3):
        doc_id, text = item[0], item[1]
        if not isinstance(text, (str, bytes)):
            raise TypeError(f"item {i}: the text of a (doc_id, text) pair must be str or bytes, "
                            f"not {type(text).__name__}")
        item_lang = item[2] if len(item) == 3 and item[2] else lang
        return (str(doc_id), text, item_lang or "", "")
    raise TypeError(
        f"item {i}: expected a text (str or bytes), a (doc_id, text[, lang]) tuple, a Document "
        f"or a pathlib.Path, not {type(item).__name__}"
    )


def _frame_records(frame: pd.DataFrame, lang: Optional[str]) -> Iterator[_Record]:
    n = len(frame)
    ids = frame["doc_id"] if "doc_id" in frame.columns else (f"doc{i}" for i in range(n))
    langs = frame["lang"] if "lang" in frame.columns else itertools.repeat(lang or "", n)
    for doc_id, text, doc_lang in zip(ids, frame["text"], langs):
        yield (str(doc_id), text, str(doc_lang), "")


def _records(source: Any, lang: Optional[str]) -> Iterator[_Record]:
    """A lazy stream of records; errors about the source itself are raised here, eagerly."""
    if isinstance(source, pd.DataFrame):
        if "text" not in source.columns:
            raise ValueError("a DataFrame input needs a 'text' column (and optionally 'doc_id', 'lang')")
        return _frame_records(source, lang)
    if isinstance(source, Corpus):
        source = list(source)
    if isinstance(source, Document):
        source = [source]
    if isinstance(source, (str, os.PathLike)):
        spec = os.fspath(source)
        if isinstance(spec, bytes):
            spec = os.fsdecode(spec)
        if isinstance(source, str) and (
            "\n" in spec or not (os.path.exists(spec) or any(c in spec for c in "*?["))
        ):
            raise ValueError(
                "iter_analyze() got a string that is neither an existing path nor a glob; "
                "to analyse raw text pass a list of strings: iter_analyze([text])"
            )
        return (_file_record(p, lang) for p in _paths_of(spec))
    if isinstance(source, (list, tuple)):
        if source and all(isinstance(s, str) for s in source):
            if all(_looks_like_path(s) for s in source):
                return (_file_record(p, lang) for p in source)
            return ((f"doc{i}", s, lang or "", "") for i, s in enumerate(source))
        if source and all(isinstance(s, os.PathLike) for s in source):
            return (_file_record(p, lang) for p in source)
    if isinstance(source, (bytes, dict)) or not isinstance(source, Iterable):
        raise TypeError(
            "iter_analyze() needs a folder, a glob, a file, a list of paths or texts, a DataFrame "
            f"or an iterable of texts / (doc_id, text) pairs, not {type(source).__name__}"
        )
    return (_item_record(item, i, lang) for i, item in enumerate(source))


# --------------------------------------------------------------------------------------
# Chunks


def _chunks(records: Iterator[_Record], chunk_size: int, chunk_bytes: Optional[int]) -> Iterator[List[_Record]]:
    if chunk_bytes is None:
        while True:
            chunk = list(itertools.islice(records, chunk_size))
            if not chunk:
                return
            yield chunk
    chunk, size = [], 0
    for rec in records:
        chunk.append(rec)
        body = rec[1]
        if isinstance(body, Path):
            size += body.stat().st_size if body.is_file() else 0  # a missing file: an error row, no bytes
        else:
            size += len(body)
        if len(chunk) >= chunk_size or size >= chunk_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _read(chunk: List[_Record], errors: str) -> Tuple[List[Union[str, bytes]], List[str]]:
    """The texts of a chunk, files read, and for each document why it could not be read ("" if it could)."""
    texts: List[Union[str, bytes]] = []
    read_errors: List[str] = []
    for _, body, _, path in chunk:
        message = ""
        if isinstance(body, Path):
            try:
                data = body.read_bytes()
            except OSError as exc:  # vanished or unreadable: an error row, as analyze() makes it
                data, message = b"", f"{path}: cannot read the file: {exc.strerror or exc}"
            # errors="row": the core checks UTF-8 and reports a bad file as an error row.
            body = read_bytes_as_text(data, path, "replace") if errors == "replace" and not message else data
        texts.append(body)
        read_errors.append(message)
    return texts, read_errors


def analyze_records(an: Analyzer, chunk: List[_Record], threads: Optional[int], errors: str, explain: bool,
                    quote_schema: pd.DataFrame, doc_schema: pd.DataFrame) -> Tuple[pd.DataFrame, pd.DataFrame]:
    """Read and analyse one chunk of records; both tables cast to the schemas given.

    Shared by the stream and by :mod:`quoteframe.dask` (one partition = one chunk).
    """
    texts, read_errors = _read(chunk, errors)
    ids = [rec[0] for rec in chunk]
    langs = [rec[2] for rec in chunk]
    paths = [rec[3] for rec in chunk]
    quotes, documents = an.run(ids, texts, langs, paths, threads, explain, read_errors)
    return conform(quotes, quote_schema), conform(documents, doc_schema)


def iter_analyze(
    source: Any,
    codebook: Union[str, PathLike, Analyzer, Any] = "csto-kazakhstan-2022",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    lang: Optional[str] = None,
    threads: Optional[int] = None,
    errors: str = "row",
    explain: bool = False,
    chunk_bytes: Optional[int] = None,
) -> Iterator[Tuple[pd.DataFrame, pd.DataFrame]]:
    """Analyse ``source`` chunk by chunk; yield each chunk's ``(quotes, documents)``.

    ``source``: a folder, glob, file, list, DataFrame, Corpus or any iterable or
    iterator of texts, ``(doc_id, text[, lang])`` tuples, Documents or Paths (see the
    module docstring), read lazily. ``codebook``, ``lang``, ``threads``, ``errors``
    and ``explain`` mean what they mean for :func:`quoteframe.analyze`; pass an
    :class:`~quoteframe.Analyzer` to reuse a compiled codebook.

    A chunk is ``chunk_size`` documents, or fewer when their texts reach
    ``chunk_bytes`` bytes (no byte limit by default): memory grows with the chunk,
    not with the corpus. ``quotes`` carries ``attrs["codebook"]`` (and
    ``attrs["explanations"]`` with ``explain=True``), but not
    ``attrs["documents"]``: that table is ``documents``, and leaving it out of
    ``attrs`` lets ``pd.concat`` join the chunks. Each chunk's index continues the
    previous one's, so :func:`collect` (or ``pd.concat``) of the chunks gives the
    one-shot result, index included.

    Raises at once (not at the first ``next()``) ``ValueError`` for a bad
    argument or a string that is neither a path nor a glob, ``FileNotFoundError`` for a
    missing folder, and ``TypeError`` for an input it cannot read; an iterator item of
    the wrong type raises ``TypeError`` when its chunk comes.
    """
    if errors not in ("row", "replace"):
        raise ValueError(f"errors must be 'row' or 'replace', not {errors!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, not {chunk_size!r}")
    if chunk_bytes is not None and (isinstance(chunk_bytes, bool) or chunk_bytes < 1):
        raise ValueError(f"chunk_bytes must be a positive number of bytes or None, not {chunk_bytes!r}")
    if threads is not None and threads < 0:
        raise ValueError(f"threads must be None, 0 (every core) or more, not {threads}")
    an = codebook if isinstance(codebook, Analyzer) else _analyzer(codebook)
    records = _records(source, lang)
    return _generate(an, records, int(chunk_size), chunk_bytes, threads, errors, explain)


def _generate(an: Analyzer, records: Iterator[_Record], chunk_size: int, chunk_bytes: Optional[int],
              threads: Optional[int], errors: str, explain: bool) -> Iterator[Tuple[pd.DataFrame, pd.DataFrame]]:
    quote_schema, doc_schema = empty_quotes(an), empty_documents()
    n_quotes = n_docs = 0
    for chunk in _chunks(records, chunk_size, chunk_bytes):
        quotes, documents = analyze_records(an, chunk, threads, errors, explain, quote_schema, doc_schema)
        quotes.index = pd.RangeIndex(n_quotes, n_quotes + len(quotes))
        documents.index = pd.RangeIndex(n_docs, n_docs + len(documents))
        n_quotes += len(quotes)
        n_docs += len(documents)
        # Not attrs["documents"]: pandas compares attrs when it concatenates, and cannot
        # compare DataFrames, so pd.concat of the chunks would raise.
        quotes.attrs.pop("documents", None)
        quotes.attrs["codebook"] = an.codebook.name
        del chunk  # the texts need not outlive the analysis
        yield quotes, documents


def collect(chunks: Iterable[Tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """Join the chunks of :func:`iter_analyze` into what :func:`quoteframe.analyze` returns.

    The quotes of every chunk, in order, with ``attrs["documents"]`` (every chunk's
    documents), ``attrs["codebook"]`` and, when the chunks have them,
    ``attrs["explanations"]``. This holds the whole result in memory: it is for
    results that fit, e.g. a few chunks of a stream, or tests.
    """
    quotes, documents, explanations = [], [], []
    attrs: Dict[str, Any] = {}
    for q, d in chunks:
        attrs = {k: v for k, v in q.attrs.items() if not isinstance(v, pd.DataFrame)}
        if isinstance(q.attrs.get("explanations"), pd.DataFrame):
            explanations.append(q.attrs["explanations"])
        bare = q.copy(deep=False)
        bare.attrs = {}
        quotes.append(bare)
        documents.append(d)
    if not quotes:
        raise ValueError("collect() got no chunks (an empty input yields none)")
    out = pd.concat(quotes)
    out.attrs = attrs
    out.attrs["documents"] = pd.concat(documents)
    if explanations:
        out.attrs["explanations"] = pd.concat(explanations, ignore_index=True)
    return out


# --------------------------------------------------------------------------------------
# Straight to files


@dataclass(frozen=True)
class StreamSummary:
    """What :func:`analyze_to` wrote: the files (by name) and what is in them."""

    paths: Dict[str, Path]
    n_documents: int
    n_quotes: int
    n_failed: int
    n_chunks: int


def analyze_to(
    source: Any,
    outdir: PathLike,
    codebook: Union[str, PathLike, Analyzer, Any] = "csto-kazakhstan-2022",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    lang: Optional[str] = None,
    threads: Optional[int] = None,
    errors: str = "row",
    chunk_bytes: Optional[int] = None,
) -> StreamSummary:
    """Analyse ``source`` chunk by chunk into ``outdir`` (created if needed).

    Writes ``quotes.csv``, ``quotes.jsonl``, ``documents.csv`` and
    ``quotes.meta.json``, the files of ``quoteframe analyze`` (see
    :func:`quoteframe.io.write_outputs`), appending each chunk as soon as it is
    analysed; :func:`quoteframe.io.load` reads them back. The tables are written under
    temporary names and moved into place at the end, so an interrupted run leaves
    the previous files (if any) untouched. Arguments as for :func:`iter_analyze`.

    Returns a :class:`StreamSummary`; a document that failed is a row with
    ``status == "error"`` in ``documents.csv`` (counted in ``n_failed``), not an
    exception.
    """
    chunks = iter_analyze(source, codebook=codebook, chunk_size=chunk_size, lang=lang, threads=threads,
                          errors=errors, chunk_bytes=chunk_bytes)
    n_failed = n_chunks = 0
    with OutputWriter(outdir) as out:
        for quotes, documents in chunks:
            out.write(quotes, documents)
            n_failed += int((documents["status"] != "ok").sum())
            n_chunks += 1
    return StreamSummary(paths=dict(out.paths), n_documents=out.n_documents, n_quotes=out.n_quotes,
                         n_failed=n_failed, n_chunks=n_chunks)
