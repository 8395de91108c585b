"""Every notebook in notebooks/ runs top to bottom, with no error and no warning output.

Each runs in a fresh ``python3`` kernel whose working directory is notebooks/, as it
would for a reader who opens it there; the kernel imports the same quoteframe the tests
do. A notebook may take a minute at most.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

import quoteframe  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE_ROOT = Path(quoteframe.__file__).resolve().parent.parent
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
TIMEOUT = 60  # seconds per cell


def test_there_are_notebooks():
    assert NOTEBOOK_FILES, f"no notebooks in {NOTEBOOKS}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=[p.name for p in NOTEBOOK_FILES])
def test_notebook_runs(path, corpus_dir, monkeypatch):
    # The kernel is a new process: give it this quoteframe (a relative PYTHONPATH such as
    # "python" would not survive the change of directory) and no inherited corpus override.
    paths = [str(PACKAGE_ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(os.path.abspath(p) for p in paths))
    monkeypatch.delenv("QUOTEFRAME_CORPUS", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=TIMEOUT,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}")

    noise = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                noise.append(f"cell {i}: {out['text'].strip()}")
    assert not noise, f"{path.name} wrote to stderr (warnings?):\n" + "\n".join(noise)
    figures = sum("image/png" in out.get("data", {}) for c in nb.cells for out in c.get("outputs", []))
    assert figures >= 1, f"{path.name} shows no figure"


def test_notebooks_are_stored_without_outputs():
    """Outputs are produced by running them; stored outputs would go stale and bloat the diff."""
    for path in NOTEBOOK_FILES:
        nb = nbformat.read(path, as_version=4)
        stale = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not stale, f"{path.name}: cells {stale} hold outputs (clear them before committing)"


def _setup_cell(path: Path) -> str:
    """The case study's first code cell (imports and find_corpus), without IPython magics."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def find_corpus" in c.source)
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))


@pytest.mark.parametrize("where", ["env-corpus", "env-docs", "notebooks-folder", "project-folder"])
def test_case_study_finds_its_corpus(where, corpus_dir, tmp_path, monkeypatch, capsys):
    source = _setup_cell(NOTEBOOKS / "csto_case_study.ipynb")
    monkeypatch.delenv("QUOTEFRAME_CORPUS", raising=False)
    expected = corpus_dir.parent
    if where.startswith("env"):
        expected = tmp_path / "elsewhere"
        (expected / "docs").mkdir(parents=True)
        monkeypatch.setenv("QUOTEFRAME_CORPUS", str(expected / "docs" if where == "env-docs" else expected))
        monkeypatch.chdir(tmp_path)
    else:
        monkeypatch.chdir(NOTEBOOKS if where == "notebooks-folder" else ROOT)
    namespace: dict = {}
    exec(compile(source, "csto_case_study.ipynb", "exec"), namespace)
    assert namespace["CORPUS"].resolve() == expected.resolve()
    assert str(expected.resolve()) in capsys.readouterr().out


def test_case_study_says_how_to_point_at_the_corpus(tmp_path, monkeypatch):
    monkeypatch.delenv("QUOTEFRAME_CORPUS", raising=False)
    deep = tmp_path / "a" / "b" / "c" / "d"  # the search climbs three folders, all inside tmp_path
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    with pytest.raises(FileNotFoundError, match="QUOTEFRAME_CORPUS"):
        exec(compile(_setup_cell(NOTEBOOKS / "csto_case_study.ipynb"), "csto_case_study.ipynb", "exec"), {})
