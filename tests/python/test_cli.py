"""The command line: analyze, evaluate, codebook, exit codes and messages."""

from __future__ import annotations

import importlib
import importlib.util
import io as _stdio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import quoteframe
from quoteframe import cli
from quoteframe import io as qio
from quoteframe._resources import CODEBOOK_DIR
from quoteframe.analyze import DOCUMENT_COLUMNS, QUOTE_COLUMNS, analyze
from quoteframe.codebook import builtin_codebooks, load_codebook

HAVE_PYARROW = importlib.util.find_spec("pyarrow") is not None

OUTPUT_FILES = ["documents.csv", "quotes.csv", "quotes.jsonl", "quotes.meta.json"]
BAD_BYTES = b"Titre\nabc \xff def\n"


def run(capsys, *argv):
    """main() in-process: (exit code, stdout, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def corpus_with_bad_file(corpus_dir, tmp_path_factory):
    """The case corpus plus one file that is not valid UTF-8."""
    folder = tmp_path_factory.mktemp("corpus")
    for p in sorted(corpus_dir.glob("*.txt")):
        shutil.copy(p, folder / p.name)
    (folder / "zz_bad.txt").write_bytes(BAD_BYTES)
    return folder


@pytest.fixture(scope="module")
def clean_run(corpus_dir, tmp_path_factory):
    """``quoteframe analyze`` on the case corpus, once for the module."""
    out = tmp_path_factory.mktemp("clean")
    assert cli.main(["analyze", str(corpus_dir), "-o", str(out), "--quiet"]) == cli.EXIT_OK
    return out


def _input_ids(folder: Path):
    return sorted(p.stem for p in folder.glob("*.txt"))


# --------------------------------------------------------------------------------------
# analyze


def test_analyze_writes_files_and_an_error_row(capsys, corpus_with_bad_file, tmp_path):
    code, out, err = run(capsys, "analyze", corpus_with_bad_file, "-o", tmp_path / "out")
    assert code == cli.EXIT_DOCUMENTS == 4
    outdir = tmp_path / "out"
    assert sorted(p.name for p in outdir.iterdir()) == OUTPUT_FILES

    quotes = pd.read_csv(outdir / "quotes.csv", keep_default_na=False)
    assert list(quotes.columns[: len(QUOTE_COLUMNS)]) == QUOTE_COLUMNS
    docs = pd.read_csv(outdir / "documents.csv", keep_default_na=False)
    assert list(docs.columns) == DOCUMENT_COLUMNS
    assert list(docs["doc_id"]) == _input_ids(corpus_with_bad_file)      # one row per input file
    bad = docs.set_index("doc_id").loc["zz_bad"]
    assert bad["status"] == "error" and "UTF-8" in bad["error"] and "byte offset 10" in bad["error"]
    assert (docs[docs.doc_id != "zz_bad"]["status"] == "ok").all()
    assert docs["n_quotes"].sum() == len(quotes) > 0
    assert set(quotes["doc_id"]) <= set(docs["doc_id"]) - {"zz_bad"}

    assert "5 documents: 4 ok, 1 failed" in out
    assert re.search(r"\d+ quotes by type: direct \d+, indirect \d+", out)
    assert "by side: russia" in out
    assert "1 of 5 documents failed" in err and "zz_bad.txt" in err and "--errors replace" in err
    assert "Traceback" not in err


def test_analyze_replace_and_quiet(capsys, corpus_with_bad_file, tmp_path):
    code, out, err = run(capsys, "analyze", corpus_with_bad_file, "-o", tmp_path, "--errors", "replace")
    assert code == cli.EXIT_OK
    docs = pd.read_csv(tmp_path / "documents.csv", keep_default_na=False)
    assert list(docs["status"]) == ["ok"] * 5
    assert "warning: " in err and "zz_bad.txt" in err and "replaced by U+FFFD" in err

    code, out, err = run(capsys, "analyze", corpus_with_bad_file, "-o", tmp_path, "--errors", "replace", "-q")
    assert (code, out, err) == (cli.EXIT_OK, "", "")


def test_analyze_output_loads_back_with_dtypes(clean_run, corpus_dir):
    q = qio.load(clean_run / "quotes.csv")
    direct = analyze(corpus_dir)
    pd.testing.assert_frame_equal(q, direct, check_exact=True)
    pd.testing.assert_frame_equal(q.attrs["documents"], direct.attrs["documents"], check_exact=True)


@pytest.mark.parametrize("extra", [["--chunk-size", "1"], ["--chunk-size", "3", "--threads", "1"]])
def test_chunked_output_equals_one_shot(capsys, clean_run, corpus_dir, tmp_path, extra):
    code, _, _ = run(capsys, "analyze", corpus_dir, "-o", tmp_path, "-q", *extra)
    assert code == cli.EXIT_OK
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (clean_run / name).read_bytes(), name


def test_analyze_glob_and_single_file(capsys, corpus_dir, clean_run, tmp_path):
    code, _, _ = run(capsys, "analyze", str(corpus_dir / "*.txt"), "-o", tmp_path / "g", "-q")
    assert code == cli.EXIT_OK
    assert (tmp_path / "g" / "quotes.csv").read_bytes() == (clean_run / "quotes.csv").read_bytes()
    one = sorted(corpus_dir.glob("*.txt"))[0]
    code, _, _ = run(capsys, "analyze", one, "-o", tmp_path / "one", "-q")
    assert code == cli.EXIT_OK
    docs = pd.read_csv(tmp_path / "one" / "documents.csv")
    assert list(docs["doc_id"]) == [one.stem]


def test_progress_bar_only_on_a_terminal(capsys, corpus_dir, tmp_path):
    # Under pytest stderr is not a terminal: no bar.
    code, _, err = run(capsys, "analyze", corpus_dir, "-o", tmp_path)
    assert code == cli.EXIT_OK and "\r" not in err and "analyzing [" not in err
    buf = _stdio.StringIO()
    bar = cli._Progress(4, enabled=True, stream=buf, width=8)
    bar.update(2)
    bar.close()
    assert buf.getvalue().endswith("\ranalyzing [####....] 2/4 documents  50%\n")
    silent = _stdio.StringIO()
    cli._Progress(4, enabled=False, stream=silent).update(4)
    assert silent.getvalue() == ""


def test_python_dash_m_in_a_subprocess(corpus_with_bad_file, tmp_path):
    src = Path(quoteframe.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "quoteframe", "analyze", str(corpus_with_bad_file), "-o", str(tmp_path), "-q"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == cli.EXIT_DOCUMENTS, proc.stderr
    assert proc.stdout == ""
    assert "1 of 5 documents failed" in proc.stderr and "Traceback" not in proc.stderr
    assert len(pd.read_csv(tmp_path / "documents.csv")) == 5


# --------------------------------------------------------------------------------------
# evaluate


def test_evaluate_case_corpus(capsys, clean_run, corpus_dir, gold_path, tmp_path):
    summary = tmp_path / "summary.json"
    code, out, err = run(capsys, "evaluate", gold_path, clean_run, "--texts", corpus_dir,
                         "--main", "0.8", "--json", summary)
    assert code == cli.EXIT_OK, err
    assert out.startswith("quoteframe evaluation (pairs counted at overlap >= 0.8")
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["main"] == 0.8
    f1 = [r["value"] for r in data["summary"]
          if r["scope"] == "all" and r["measure"] == "f1" and r["threshold"] == 0.8]
    assert len(f1) == 1 and f1[0] >= 0.9
    # The same predictions, named by file, in the other format.
    code, out2, _ = run(capsys, "evaluate", gold_path, clean_run / "quotes.jsonl", "--texts", corpus_dir)
    assert code == cli.EXIT_OK and out2 == out
    # Another tool's table (no quoteframe metadata beside it) is handed to evaluate as is.
    shutil.copy(clean_run / "quotes.csv", tmp_path / "other.csv")
    code, out3, _ = run(capsys, "evaluate", gold_path, tmp_path / "other.csv", "--texts", corpus_dir)
    assert code == cli.EXIT_OK and out3 == out


@pytest.mark.skipif(not HAVE_PYARROW, reason="pyarrow is not installed (the optional 'parquet' extra)")
def test_evaluate_parquet_predictions(capsys, clean_run, gold_path, tmp_path):
    quotes = qio.load(clean_run / "quotes.csv")
    qio.save(quotes, tmp_path / "q.parquet")
    code, out, err = run(capsys, "evaluate", gold_path, tmp_path / "q.parquet")
    assert code == cli.EXIT_OK, err


def test_evaluate_parquet_without_pyarrow(capsys, gold_path, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    (tmp_path / "q.parquet").write_bytes(b"PAR1")
    code, _, err = run(capsys, "evaluate", gold_path, tmp_path / "q.parquet")
    assert code == cli.EXIT_INPUT
    assert "pip install pyarrow" in err and "Traceback" not in err


# --------------------------------------------------------------------------------------
# codebook


def test_codebook_validate_ok(capsys):
    path = CODEBOOK_DIR / "csto-kazakhstan-2022.toml"
    cb = load_codebook(str(path))
    code, out, _ = run(capsys, "codebook", "validate", path)
    assert code == cli.EXIT_OK
    assert len(out.strip().splitlines()) == 1
    m = re.search(r"(\d+) sides, (\d+) actors, (\d+) media, (\d+) targets, (\d+) frames, (\d+) patterns", out)
    assert m, out
    assert [int(x) for x in m.groups()[:5]] == [len(cb.sides), len(cb.actors), len(cb.media),
                                              len(cb.targets), len(cb.frames)]
    assert int(m.group(6)) > 0


def test_codebook_validate_broken_file(capsys, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[codebook]\nname = "x"\nlanguages = ["fr"]\n\n[[sides]]\nid = "a"\nlabel = 3\n',
                    encoding="utf-8")
    code, out, err = run(capsys, "codebook", "validate", path)
    assert code == cli.EXIT_INPUT and out == ""
    assert re.search(re.escape(str(path)) + r":7: sides\[0\]\.label: ", err), err
    assert "Traceback" not in err


def test_codebook_show(capsys):
    cb = load_codebook("csto-kazakhstan-2022")
    code, out, _ = run(capsys, "codebook", "show", "csto-kazakhstan-2022")
    assert code == cli.EXIT_OK
    for side in cb.sides:
        assert re.search(rf"^  {re.escape(side['id'])}\b", out, re.M), side["id"]
    for actor in cb.actors:
        assert f"    {actor['id']}  " in out
    zakharova = next(a for a in cb.actors if a["id"] == "maria_zakharova")
    assert "ar: " + zakharova["names"]["ar"][0] in out
    for frame in cb.frames:
        counts = "  ".join(f"{lang} {len(frame['patterns'].get(lang, []))}" for lang in cb.languages)
        assert f"  {frame['id']}  {frame['label']}\n      patterns: {counts}" in out


def test_codebook_list(capsys):
    code, out, _ = run(capsys, "codebook", "list")
    assert code == cli.EXIT_OK
    assert [line.split()[0] for line in out.splitlines()] == builtin_codebooks()


# --------------------------------------------------------------------------------------
# Exit codes and messages


def test_help_documents_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == cli.EXIT_OK
    for line in ("0    success", "2    usage error", "3    bad input", "4    analyze finished"):
        assert line in out
    code, out, _ = run(capsys, "analyze", "--help")
    assert code == cli.EXIT_OK and "4    analyze finished" in out and "--chunk-size" not in out


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["analyze", "{tmp}/absent", "-o", "{tmp}/o"], 3, "quoteframe: no such corpus folder or glob: {tmp}/absent"),
        (["analyze", "{tmp}/*.nothing", "-o", "{tmp}/o"], 3, "matches no files"),
        (["analyze", "{tmp}/empty", "-o", "{tmp}/o"], 3, "no .txt documents in the folder {tmp}/empty"),
        (["analyze", "{corpus}", "-o", "{tmp}/o", "--codebook", "no-such-book"], 3, "no codebook named 'no-such-book'"),
        (["analyze", "{corpus}", "-o", "{tmp}/o", "--codebook", "{tmp}/file.txt"], 3, "quoteframe: {tmp}/file.txt:1: "),
        (["analyze", "{corpus}", "-o", "{tmp}/file.txt"], 3, "is not a folder"),
        (["analyze", "{corpus}", "-o", "{tmp}/o", "--lang", "xx"], 2, "--lang xx: not a language"),
        (["analyze", "{corpus}", "-o", "{tmp}/o", "--chunk-size", "0"], 2, "--chunk-size must be at least 1"),
        (["analyze", "{corpus}"], 2, "the following arguments are required: -o/--outdir"),
        (["analyze", "{corpus}", "-o", "{tmp}/o", "--errors", "ignore"], 2, "invalid choice"),
        (["frobnicate"], 2, "invalid choice"),
        ([], 2, "the following arguments are required"),
        (["evaluate", "{tmp}/gold.jsonl", "{tmp}"], 3, "no such gold file"),
        (["evaluate", "{gold}", "{tmp}"], 3, "has no quotes.csv"),
        (["evaluate", "{gold}", "{tmp}/bad_pred.csv"], 3, "bad_pred.csv, line 2: field 'start'"),
        (["evaluate", "{tmp}/file.txt", "{tmp}/pred.csv"], 3, "not valid JSON"),
        (["evaluate", "{gold}", "{tmp}/pred.csv", "--main", "1.5"], 2, "--main must lie in (0, 1]"),
        (["codebook", "validate", "{tmp}/absent.toml"], 3, "no such codebook file: {tmp}/absent.toml"),
        (["codebook", "show", "no-such-book"], 3, "no built-in codebook named 'no-such-book'"),
    ],
)
def test_user_errors(capsys, tmp_path, corpus_dir, gold_path, argv, code, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("not json\n", encoding="utf-8")
    (tmp_path / "bad_pred.csv").write_text("doc_id,start,end\nd,x,3\n", encoding="utf-8")
    (tmp_path / "pred.csv").write_text("doc_id,start,end\nd,0,3\n", encoding="utf-8")
    subst = {"{tmp}": str(tmp_path), "{corpus}": str(corpus_dir), "{gold}": str(gold_path)}

    def fill(s: str) -> str:
        for k, v in subst.items():
            s = s.replace(k, v)
        return s

    got, out, err = run(capsys, *[fill(a) for a in argv])
    assert got == code, err
    assert fill(message) in err
    assert "Traceback" not in err


def test_duplicate_document_ids(capsys, tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.txt").write_text("Titre\nTexte.\n", encoding="utf-8")
    code, _, err = run(capsys, "analyze", str(tmp_path / "*" / "*.txt"), "-o", tmp_path / "o")
    assert code == cli.EXIT_INPUT and "two documents would have the id 'same'" in err


def test_internal_error_is_exit_1_with_traceback(capsys, monkeypatch):
    def boom():
        raise RuntimeError("simulated bug")

    # By module name: a package attribute called "codebook" could one day be something else.
    monkeypatch.setattr(importlib.import_module("quoteframe.codebook"), "builtin_codebooks", boom)
    code, _, err = run(capsys, "codebook", "list")
    assert code == cli.EXIT_INTERNAL
    assert "Traceback" in err and "internal error: RuntimeError: simulated bug" in err
