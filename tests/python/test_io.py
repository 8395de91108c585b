"""quoteframe.io: save/load round trips, the files of a run, and bad tables."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys

import numpy as np
import pandas as pd
import pytest

from quoteframe import io as qio
from quoteframe.analyze import DOCUMENT_COLUMNS, QUOTE_COLUMNS, analyze

HAVE_PYARROW = importlib.util.find_spec("pyarrow") is not None
NO_PYARROW = "pyarrow is not installed (the optional 'parquet' extra)"

FORMATS = [
    ".csv",
    ".jsonl",
    pytest.param(".parquet", marks=pytest.mark.skipif(not HAVE_PYARROW, reason=NO_PYARROW)),
]


@pytest.fixture(scope="module")
def case_quotes(corpus_dir):
    return analyze(corpus_dir)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal values, dtypes, documents and codebook."""
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a.attrs["documents"], b.attrs["documents"], check_exact=True)
    assert a.attrs["codebook"] == b.attrs["codebook"]


def _edge_frame(case_quotes: pd.DataFrame) -> pd.DataFrame:
    """Three real rows carrying the values CSV and JSON get wrong most easily."""
    q = case_quotes.head(3).copy()
    q.attrs = dict(case_quotes.attrs)
    q.loc[0, "text"] = ""                                       # empty, but not missing
    q.loc[1, "text"] = 'a "quoted", comma\nnew line\ttab ; ﷺ 🙂 «»'
    q.loc[2, "text"] = "قال المتحدث: «لا»"
    q.loc[0, "speaker"] = None                                   # missing
    q.loc[1, "cue_start"], q.loc[1, "cue_end"] = -1, -1          # "no cue" offsets stay ints
    q.loc[2, "start"] = 2**62
    q.loc[0, "confidence"] = 0.1 + 0.2                          # needs all 17 digits
    q.loc[1, "confidence"] = 1e-300
    q.loc[2, "confidence"] = np.nan
    q.loc[0, "nested"] = True
    q.loc[1, "type"] = "mixed"
    q.loc[2, "attribution"] = "none"
    return q


def test_schema_knows_every_column():
    # Fails when analyze() gains a column io does not type.
    assert list(qio.QUOTE_SCHEMA) == QUOTE_COLUMNS
    assert list(qio.DOCUMENT_SCHEMA) == DOCUMENT_COLUMNS


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_case_corpus(case_quotes, tmp_path, ext):
    path = qio.save(case_quotes, tmp_path / f"quotes{ext}")
    back = qio.load(path)
    _same(back, case_quotes)
    assert back["start"].dtype == np.int64 and back["nested"].dtype == bool
    assert list(back["type"].cat.categories) == ["direct", "indirect", "mixed"]
    assert back["parent_id"].isna().sum() == case_quotes["parent_id"].isna().sum() > 0
    assert (back.attrs["documents"]["error"] == "").all()  # empty error text is not "missing"


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_edge_values(case_quotes, tmp_path, ext):
    q = _edge_frame(case_quotes)
    back = qio.load(qio.save(q, tmp_path / f"edge{ext}"))
    _same(back, q)
    assert back.loc[0, "text"] == "" and pd.isna(back.loc[0, "speaker"])
    assert back.loc[0, "confidence"] == 0.1 + 0.2 and back.loc[1, "confidence"] == 1e-300
    assert back.loc[2, "start"] == 2**62


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_no_quotes(tmp_path, ext):
    q = analyze(["Titre\nRien à signaler ici."], lang="fr")
    assert len(q) == 0
    back = qio.load(qio.save(q, tmp_path / f"empty{ext}"))
    assert list(back.columns) == list(q.columns) and len(back) == 0
    assert back["start"].dtype == np.int64 and isinstance(back["type"].dtype, pd.CategoricalDtype)
    assert len(back.attrs["documents"]) == 1 and back.attrs["documents"]["n_quotes"].tolist() == [0]


def test_sidecars_beside_csv_and_jsonl(case_quotes, tmp_path):
    qio.save(case_quotes, tmp_path / "run.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv", "run.documents.csv", "run.meta.json"]
    meta = json.loads((tmp_path / "run.meta.json").read_text(encoding="utf-8"))
    assert meta["attrs"] == {"codebook": case_quotes.attrs["codebook"]}
    assert [c["name"] for c in meta["columns"]] == list(case_quotes.columns)


def test_load_without_sidecars_types_known_columns(case_quotes, tmp_path):
    qio.save(case_quotes, tmp_path / "q.csv")
    (tmp_path / "q.meta.json").unlink()
    (tmp_path / "q.documents.csv").unlink()
    back = qio.load(tmp_path / "q.csv")
    assert "documents" not in back.attrs
    pd.testing.assert_frame_equal(back[QUOTE_COLUMNS], case_quotes[QUOTE_COLUMNS], check_exact=True)
    # Columns io does not know are inferred: numbers stay numbers.
    extra = [c for c in case_quotes.columns if c not in QUOTE_COLUMNS]
    for c in extra:
        assert pd.api.types.is_numeric_dtype(back[c]), c
        np.testing.assert_array_equal(back[c].to_numpy(float), case_quotes[c].to_numpy(float))


def test_foreign_csv_is_read_with_inference(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("doc_id,start,end,score,flag,note\nd1,0,5,0.5,true,\nd2,3,9,,false,x\n", encoding="utf-8")
    t = qio.load(path)
    assert t["start"].dtype == np.int64 and t["flag"].dtype == bool
    assert t["score"].dtype == np.float64 and np.isnan(t.loc[1, "score"])
    assert pd.isna(t.loc[0, "note"]) and t.loc[1, "note"] == "x"


def test_write_outputs_files(case_quotes, tmp_path):
    paths = qio.write_outputs(case_quotes, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "documents.csv", "quotes.csv", "quotes.jsonl", "quotes.meta.json"]
    with open(paths["quotes.csv"], encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(case_quotes.columns)
    assert [r["quote_id"] for r in rows] == list(case_quotes["quote_id"])      # same order
    for col in ("start", "end", "cue_start", "speaker_end", "paragraph"):
        assert all(r[col].lstrip("-").isdigit() for r in rows), col           # ints, never "12.0"
    records = [json.loads(line) for line in paths["quotes.jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [r["quote_id"] for r in records] == list(case_quotes["quote_id"])
    assert all(type(r["start"]) is int and type(r["nested"]) is bool for r in records)
    docs = pd.read_csv(paths["documents.csv"], keep_default_na=False)
    assert list(docs.columns) == DOCUMENT_COLUMNS
    assert list(docs["doc_id"]) == list(case_quotes.attrs["documents"]["doc_id"])
    # Loading either table gives the analysis back.
    _same(qio.load(paths["quotes.csv"]), case_quotes)
    _same(qio.load(paths["quotes.jsonl"]), case_quotes)


def test_write_outputs_is_deterministic(case_quotes, tmp_path):
    a = qio.write_outputs(case_quotes, tmp_path / "a")
    b = qio.write_outputs(case_quotes, tmp_path / "b")
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_writer_chunks_equal_one_shot(case_quotes, tmp_path):
    whole = qio.write_outputs(case_quotes, tmp_path / "whole")
    docs = case_quotes.attrs["documents"]
    with qio.OutputWriter(tmp_path / "chunks") as out:
        for i in range(len(docs)):
            doc = docs.iloc[[i]].reset_index(drop=True)
            part = case_quotes[case_quotes["doc_id"] == doc["doc_id"].iat[0]].reset_index(drop=True)
            out.write(part, documents=doc)
    for name, path in whole.items():
        assert path.read_bytes() == out.paths[name].read_bytes(), name


def test_writer_failure_keeps_previous_run(case_quotes, tmp_path):
    qio.write_outputs(case_quotes, tmp_path)
    before = (tmp_path / "quotes.csv").read_bytes()
    with pytest.raises(RuntimeError):
        with qio.OutputWriter(tmp_path) as out:
            out.write(case_quotes.head(1))
            raise RuntimeError("interrupted")
    assert (tmp_path / "quotes.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_write_outputs_needs_documents(case_quotes, tmp_path):
    q = case_quotes.copy()
    q.attrs = {}
    with pytest.raises(ValueError, match="no documents table"):
        qio.write_outputs(q, tmp_path)


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("bad_int.csv", "doc_id,start,end\nd,0,5\nd,abc,9\n", r"bad_int\.csv, line 3: column 'start': expected an integer"),
        ("missing_int.csv", "doc_id,start,end\nd,,5\n", r"line 2: column 'start'"),
        ("bad_bool.csv", "doc_id,nested\nd,maybe\n", r"line 2: column 'nested': expected true or false"),
        ("ragged.csv", "doc_id,start\nd,1,2\n", r"line 2: 3 fields, but the header has 2"),
        ("bad_type.jsonl", '{"doc_id": "d", "type": "direct"}\n\n{"doc_id": "d", "type": "rumour"}\n',
         r"line 3: column 'type': expected one of direct, indirect, mixed, got 'rumour'"),
        ("bad_json.jsonl", '{"doc_id": "d"}\n{"doc_id": \n', r"line 2: not valid JSON"),
        ("not_object.jsonl", "[1, 2]\n", r"line 1: expected a JSON object"),
    ],
)
def test_bad_tables_name_file_line_and_column(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        qio.load(path)


def test_not_utf8_table(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("doc_id,text\nd,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.csv: not UTF-8"):
        qio.load(path)


def test_unknown_extension_and_missing_file(case_quotes, tmp_path):
    with pytest.raises(ValueError, match=r"unknown table format '\.xlsx'"):
        qio.save(case_quotes, tmp_path / "q.xlsx")
    with pytest.raises(FileNotFoundError, match="no such file"):
        qio.load(tmp_path / "absent.csv")


def test_parquet_without_pyarrow_says_how_to_install(case_quotes, tmp_path, monkeypatch):
    # Runs whether or not pyarrow is installed: None in sys.modules makes the import fail.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=r"quoteframe\[parquet\].*pip install pyarrow"):
        qio.save(case_quotes, tmp_path / "q.parquet")
    (tmp_path / "q.parquet").write_bytes(b"PAR1")
    with pytest.raises(ImportError, match="pip install pyarrow"):
        qio.load(tmp_path / "q.parquet")
