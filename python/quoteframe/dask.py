"""Analyse a corpus on a Dask cluster: one partition of documents per task.

Needs the ``dask`` extra (``pip install 'quoteframe[dask]'``, i.e.
``dask[dataframe,distributed]``); ``import quoteframe`` does not import Dask, this
module does so only when :func:`analyze` is called.

::

    import dask.dataframe as dd
    import quoteframe.dask

    frame = dd.from_pandas(pd.DataFrame({"doc_id": ids, "text": texts}), npartitions=8)
    quotes = quoteframe.dask.analyze(frame, codebook="csto-kazakhstan-2022")
    quotes.compute()       # or quotes.to_parquet(...), quotes.groupby("side")..., etc.

**The input** is a Dask DataFrame with a ``text`` column (``str``, or UTF-8 ``bytes``)
and optionally ``doc_id`` and ``lang`` (a missing value meaning "detect"), or a Dask
Bag whose items are what :func:`quoteframe.iter_analyze` accepts from an iterator:
texts, ``(doc_id, text[, lang])`` tuples, or :class:`pathlib.Path` objects, which are
then read on the workers (so the workers must see those files, e.g. on a shared file
system). Without ``doc_id``, a DataFrame row is ``doc<index label>`` (``doc<i>`` for
the default index, as in :func:`quoteframe.analyze`) and a bare text of a Bag is
``p<k>-doc<i>`` (partition ``k``, position ``i`` in it).

**The result** is a Dask DataFrame of quotes with the columns and dtypes of
:func:`quoteframe.analyze` (``meta``), partition by partition in input order. Sorted,
it equals the local result on the same documents: the analysis of a document
depends on nothing else. With ``documents=True`` a second Dask DataFrame has one
row per input document (``status`` ``"error"`` for a document that failed); compute
both at once, ``dask.compute(quotes, documents)``, so that each partition is
analysed once.

**What travels to the workers**: the :class:`quoteframe.Analyzer` (built on the
client from ``codebook``) is one object in the task graph, pickled by its codebook's
content, so a codebook file need not exist on the workers; each worker rebuilds the
analyser once (tens of milliseconds) and keeps it for all its tasks. Workers need
the same quoteframe version installed.

**Threads**: each task runs the core on ``threads`` threads (default 1), because Dask
already runs one task per worker thread; the core releases the GIL, so a worker with
several threads uses several cores.

**On a real cluster**: connect a client before computing; every Dask computation
then runs there::

    from dask.distributed import Client
    import dask.dataframe as dd
    import quoteframe.dask

    client = Client("tcp://scheduler:8786")   # the scheduler's address; Client() starts a local cluster
    texts = dd.read_parquet("s3://bucket/news/", columns=["doc_id", "text", "lang"])
    quotes = quoteframe.dask.analyze(texts, codebook="csto-kazakhstan-2022")
    quotes.to_parquet("s3://bucket/quotes/")  # written by the workers, never gathered

Install quoteframe (same version) in the workers' environment, e.g.
``dask-worker tcp://scheduler:8786`` started from it, or a ``PipInstall`` worker plugin.
Reading with ``dd.read_parquet`` / ``dd.read_csv`` on the workers, rather than building
the DataFrame from a local pandas one, keeps the texts off the client.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple, Union

import pandas as pd

from ._optional import optional_module
from .analyze import Analyzer, _analyzer
from .stream import _Record, _item_record, analyze_records, conform, empty_documents, empty_quotes

__all__ = ["analyze"]

_PURPOSE = "quoteframe.dask"


def _partition_records(part: pd.DataFrame, lang: Optional[str]) -> List[_Record]:
    if "text" not in part.columns:
        raise ValueError("the Dask DataFrame needs a 'text' column (and optionally 'doc_id', 'lang')")
    ids = ([str(x) for x in part["doc_id"]] if "doc_id" in part.columns
           else [f"doc{label}" for label in part.index])
    if "lang" in part.columns:
        langs = ["" if pd.isna(x) else str(x) for x in part["lang"]]
        langs = [x or (lang or "") for x in langs]
    else:
        langs = [lang or ""] * len(part)
    return [(doc_id, text, doc_lang, "") for doc_id, text, doc_lang in zip(ids, part["text"], langs)]


def _analyze_frame(part: pd.DataFrame, analyzer: Analyzer, lang: Optional[str], errors: str,
                   threads: int, meta: pd.DataFrame) -> pd.DataFrame:
    """map_partitions: a pandas partition of texts -> its quotes."""
    quotes, _ = analyze_records(analyzer, _partition_records(part, lang), threads, errors, False,
                                meta, empty_documents())
    quotes.attrs = {}
    return quotes


def _analyze_part(part: Any, k: int, analyzer: Analyzer, lang: Optional[str], errors: str, threads: int,
                  meta: pd.DataFrame) -> Tuple[pd.DataFrame, pd.DataFrame]:
    """One partition (pandas DataFrame or a Bag's list) -> (quotes, documents)."""
    if isinstance(part, pd.DataFrame):
        records = _partition_records(part, lang)
    else:
        records = []
        for i, item in enumerate(part):
            rec = _item_record(item, i, lang)
            if isinstance(item, (str, bytes)):
                rec = (f"p{k}-doc{i}",) + rec[1:]
            records.append(rec)
    quotes, documents = analyze_records(analyzer, records, threads, errors, False, meta, empty_documents())
    quotes.attrs = {}
    return quotes, documents


def analyze(
    data: Any,
    codebook: Union[str, Analyzer, Any] = "csto-kazakhstan-2022",
    meta: Optional[pd.DataFrame] = None,
    lang: Optional[str] = None,
    errors: str = "row",
    threads: int = 1,
    documents: bool = False,
):
    """The quotes of a Dask DataFrame or Bag of documents, as a lazy Dask DataFrame.

    ``data``: a Dask DataFrame with ``text`` (and optionally ``doc_id``, ``lang``)
    columns, or a Dask Bag of texts, ``(doc_id, text[, lang])`` tuples or Paths (see
    the module docstring). ``codebook``: a built-in name, a path, a Codebook or an
    :class:`~quoteframe.Analyzer`, loaded here on the client. ``meta``: the empty
    quotes table the result is cast to (default: the columns and dtypes
    :func:`quoteframe.analyze` gives with this codebook; a custom one must have the
    same columns). ``lang``, ``errors`` as for :func:`quoteframe.analyze`;
    ``threads``: core threads per task (default 1).

    Returns the quotes; with ``documents=True``, ``(quotes, documents)``. Nothing
    runs until you compute (``.compute()``, ``.to_parquet()``, ``dask.compute``).

    Raises ``ImportError`` (naming the extra) when Dask is missing, ``TypeError``
    when ``data`` is not a Dask DataFrame or Bag, and ``ValueError`` for a bad
    argument or a DataFrame without a ``text`` column.
    """
    dask = optional_module("dask", _PURPOSE)
    dd = optional_module("dask.dataframe", _PURPOSE)
    db = optional_module("dask.bag", _PURPOSE)
    if errors not in ("row", "replace"):
        raise ValueError(f"errors must be 'row' or 'replace', not {errors!r}")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ValueError(f"threads must be 0 (every core) or more, not {threads!r}")
    is_frame = isinstance(data, dd.DataFrame)
    if not is_frame and not isinstance(data, db.Bag):
        raise TypeError(f"quoteframe.dask.analyze() needs a Dask DataFrame or Bag, not {type(data).__name__}; "
                        "for a local corpus use quoteframe.analyze() or quoteframe.iter_analyze()")
    if is_frame and "text" not in data.columns:
        raise ValueError("the Dask DataFrame needs a 'text' column (and optionally 'doc_id', 'lang')")
    an = codebook if isinstance(codebook, Analyzer) else _analyzer(codebook)
    quote_meta = empty_quotes(an)
    if meta is not None:
        quote_meta = conform(quote_meta, meta)  # same columns, the caller's dtypes
    # One graph node for the analyser: shipped once to each worker, not once per task.
    an_node = dask.delayed(an, pure=True)

    if is_frame and not documents:
        return data.map_partitions(_analyze_frame, an_node, lang, errors, threads, quote_meta,
                                   meta=quote_meta, enforce_metadata=False, align_dataframes=False)

    parts = data.to_delayed()
    run = dask.delayed(_analyze_part, pure=True, nout=2)
    results = [run(part, k, an_node, lang, errors, threads, quote_meta) for k, part in enumerate(parts)]
    quotes = dd.from_delayed([r[0] for r in results], meta=quote_meta, verify_meta=False)
    if not documents:
        return quotes
    docs = dd.from_delayed([r[1] for r in results], meta=empty_documents(), verify_meta=False)
    return quotes, docs
