"""quoteframe.dask: the same quotes on a Dask cluster as locally.

The cluster tests need the ``dask`` extra (``dask[dataframe,distributed]``) and are
skipped without it; the tests of what happens without Dask always run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import quoteframe
from quoteframe import _optional
from quoteframe.analyze import Analyzer, analyze
from quoteframe.stream import conform, empty_documents, empty_quotes

PACKAGE_ROOT = Path(quoteframe.__file__).resolve().parent.parent
HAVE_DASK = _optional.has_module("dask") and _optional.has_module("distributed") and \
    _optional.has_module("dask.dataframe")
needs_dask = pytest.mark.skipif(not HAVE_DASK, reason="needs the dask extra: pip install 'quoteframe[dask]'")

KEY = ["doc_id", "start", "end", "quote_id"]
SENTENCE = "Titre\nLe ministre a déclaré que la grève était illégale."


def _sorted(frame: pd.DataFrame, schema: pd.DataFrame) -> pd.DataFrame:
    # One schema for both sides: analyze() types parent_id as object when nothing is nested.
    return conform(frame, schema).sort_values(KEY).reset_index(drop=True)


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture(scope="module")
def case_texts(corpus_dir):
    files = sorted(corpus_dir.glob("*.txt"))
    return pd.DataFrame({"doc_id": [f.stem for f in files],
                         "text": [f.read_text(encoding="utf-8") for f in files]})


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread: every task crosses a process boundary."""
    if not HAVE_DASK:
        pytest.skip("needs the dask extra: pip install 'quoteframe[dask]'")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster:
        with Client(cluster) as c:
            yield c


@needs_dask
def test_a_two_process_cluster_finds_exactly_the_local_quotes(client, corpus_dir, case_texts, analyzer):
    import dask.dataframe as dd

    import quoteframe.dask as qd

    local = analyze(str(corpus_dir), codebook=analyzer)
    frame = dd.from_pandas(case_texts, npartitions=2)
    quotes = qd.analyze(frame, codebook="csto-kazakhstan-2022")
    remote = quotes.compute()
    assert len(remote) == len(local) > 40
    schema = empty_quotes(analyzer)
    pd.testing.assert_frame_equal(_sorted(remote, schema), _sorted(local, schema))
    # Both workers took part: the analyser and the texts really were pickled across.
    assert len(client.scheduler_info()["workers"]) == 2
    assert list(quotes.columns) == list(local.columns)


@needs_dask
def test_a_bag_of_pairs_paths_and_texts_with_its_documents_table(client, corpus_dir, case_texts, analyzer, tmp_path):
    import dask
    import dask.bag as db

    import quoteframe.dask as qd

    local = analyze(str(corpus_dir), codebook=analyzer)
    items = list(zip(case_texts["doc_id"], case_texts["text"]))
    quotes, docs = qd.analyze(db.from_sequence(items, npartitions=3), codebook=analyzer, documents=True)
    remote, remote_docs = dask.compute(quotes, docs)
    schema = empty_quotes(analyzer)
    pd.testing.assert_frame_equal(_sorted(remote, schema), _sorted(local, schema))
    local_docs = local.attrs["documents"].drop(columns="path")
    pd.testing.assert_frame_equal(remote_docs.drop(columns="path").sort_values("doc_id").reset_index(drop=True),
                                  local_docs)

    # Paths are read on the workers; bare texts get partition-and-position ids; failures are rows.
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Titre\n\xff\n")
    bag = db.from_sequence([sorted(corpus_dir.glob("*.txt"))[0], SENTENCE, bad, tmp_path / "gone.txt"],
                           npartitions=2)
    quotes, docs = qd.analyze(bag, codebook=analyzer, documents=True, lang="fr")
    remote, remote_docs = dask.compute(quotes, docs)
    assert remote_docs["doc_id"].tolist() == [sorted(corpus_dir.glob("*.txt"))[0].stem, "p0-doc1", "bad", "gone"]
    assert remote_docs["status"].tolist() == ["ok", "ok", "error", "error"]
    assert (remote["doc_id"] == "p0-doc1").sum() == 1


@needs_dask
def test_without_doc_ids_rows_are_named_by_their_index_like_analyze(client, case_texts, analyzer):
    import dask.dataframe as dd

    import quoteframe.dask as qd

    local = analyze(case_texts[["text"]], codebook=analyzer)
    remote = qd.analyze(dd.from_pandas(case_texts[["text"]], npartitions=3), codebook=analyzer).compute()
    schema = empty_quotes(analyzer)
    pd.testing.assert_frame_equal(_sorted(remote, schema), _sorted(local, schema))


@needs_dask
def test_meta_and_partitions_without_quotes_share_one_schema(case_texts, analyzer):
    import dask
    import dask.dataframe as dd

    import quoteframe.dask as qd

    frame = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": [SENTENCE, "", "Rien."], "lang": ["fr", None, "fr"]})
    quotes = qd.analyze(dd.from_pandas(frame, npartitions=3), codebook=analyzer)
    with dask.config.set(scheduler="synchronous"):
        parts = [p.compute() for p in quotes.partitions]
    assert [len(p) for p in parts] == [1, 0, 0]
    for p in parts:
        pd.testing.assert_series_equal(p.dtypes, empty_quotes(analyzer).dtypes)
    assert list(quotes._meta.columns) == list(empty_quotes(analyzer).columns)
    docs = qd.analyze(dd.from_pandas(frame, npartitions=2), codebook=analyzer, documents=True)[1]
    with dask.config.set(scheduler="synchronous"):
        pd.testing.assert_series_equal(docs.compute().dtypes, empty_documents().dtypes)


@needs_dask
def test_bad_inputs_are_refused_before_anything_runs(analyzer):
    import dask.dataframe as dd

    import quoteframe.dask as qd

    with pytest.raises(TypeError, match="Dask DataFrame or Bag"):
        qd.analyze(pd.DataFrame({"text": ["x"]}), codebook=analyzer)
    frame = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(ValueError, match="'text' column"):
        qd.analyze(frame, codebook=analyzer)
    ok = dd.from_pandas(pd.DataFrame({"text": ["x"]}), npartitions=1)
    with pytest.raises(ValueError, match="errors"):
        qd.analyze(ok, codebook=analyzer, errors="ignore")
    with pytest.raises(ValueError, match="threads"):
        qd.analyze(ok, codebook=analyzer, threads=-1)


# --------------------------------------------------------------------------------------
# Without Dask (always run): a fresh interpreter where dask cannot be imported.

BLOCK_DASK = textwrap.dedent(
    """
    import json, sys

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("dask", "distributed"):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    import quoteframe, quoteframe.dask, quoteframe.stream
    loaded = sorted({m.split(".")[0] for m in sys.modules} & {"dask", "distributed"})
    try:
        quoteframe.dask.analyze(["a text"])
    except ImportError as e:
        error = [str(e), e.name]
    print(json.dumps({"loaded": loaded, "error": error}))
    """
)


def test_without_dask_quoteframe_imports_and_the_error_names_the_extra():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-W", "error", "-c", BLOCK_DASK], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["loaded"] == []
    message, name = out["error"]
    assert name == "dask"
    assert "quoteframe.dask" in message and "pip install 'quoteframe[dask]'" in message


def test_importing_quoteframe_dask_does_not_import_dask():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    code = "import sys, quoteframe, quoteframe.dask, quoteframe.stream; print(sorted(m for m in sys.modules " \
           "if m.split('.')[0] in ('dask', 'distributed')))"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_analyzer_a_worker_receives_is_the_same_after_pickling(analyzer):
    import pickle

    again = pickle.loads(pickle.dumps(analyzer))
    texts = [SENTENCE, "Titre\n« Nous partirons demain », a dit Tokaïev."]
    a = analyze(texts, codebook=analyzer, lang="fr")
    b = analyze(texts, codebook=again, lang="fr")
    pd.testing.assert_frame_equal(a, b)
