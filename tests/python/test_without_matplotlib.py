"""quoteframe works without its optional packages, and says which extra to install.

Each case runs in a fresh interpreter whose ``sys.meta_path`` starts with a finder that
refuses the blocked modules, as if they were not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import quoteframe
from quoteframe import _optional

PACKAGE_ROOT = Path(quoteframe.__file__).resolve().parent.parent

BLOCKER = textwrap.dedent(
    """
    import sys

    class Blocker:
        def __init__(self, names):
            self.names = set(names)

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.names:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
            return None

    sys.meta_path.insert(0, Blocker(BLOCKED))
    """
)


def run_blocked(blocked, body: str, *args: str) -> dict:
    """Run ``body`` with ``blocked`` modules unimportable; it prints one JSON object, returned here."""
    code = f"BLOCKED = {list(blocked)!r}\n{BLOCKER}\n{textwrap.dedent(body)}"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


MPL = ["matplotlib", "mpl_toolkits"]


def test_import_and_analyze_without_matplotlib():
    out = run_blocked(MPL, """
        import json, sys
        import quoteframe as qf
        q = qf.analyze(["Titre\\nLe ministre a déclaré que la grève était illégale."], lang="fr", explain=True)
        import pandas as pd
        q.attrs = {}  # (pandas 3 cannot concat frames whose attrs hold DataFrames)
        table = qf.compare(pd.concat([q.assign(side="a"), q.assign(side="b")]), n_boot=10)
        from quoteframe import plot, report  # importable: matplotlib is only needed when drawing
        print(json.dumps({"quotes": len(q), "rows": len(table),
                          "matplotlib_loaded": any(m.split(".")[0] == "matplotlib" for m in sys.modules)}))
    """)
    assert out == {"quotes": 1, "rows": out["rows"], "matplotlib_loaded": False}
    assert out["rows"] > 0


def test_plot_and_report_name_the_extra_without_matplotlib(tmp_path):
    out = run_blocked(MPL, """
        import json
        import quoteframe as qf
        from quoteframe import plot, report
        q = qf.analyze(["Titre\\nLe ministre a déclaré que la grève était illégale."], lang="fr")
        calls = {
            "frame_profile": lambda: plot.frame_profile(q),
            "stance": lambda: plot.stance(q, "csto"),
            "keyness": lambda: plot.keyness(q),
            "translation": lambda: plot.translation(q),
            "render": lambda: report.render(q),
        }
        errors = {}
        for name, call in calls.items():
            try:
                call()
            except ImportError as e:
                errors[name] = [str(e), e.name]
            else:
                errors[name] = None
        print(json.dumps(errors))
    """)
    for name, error in out.items():
        assert error is not None, f"{name} did not raise ImportError"
        message, module = error
        assert module == "matplotlib", name
        assert "pip install 'quoteframe[plot]'" in message and "matplotlib" in message, message


def test_cli_report_without_matplotlib_is_a_one_line_error(corpus_dir, tmp_path):
    target = tmp_path / "report.html"
    out = run_blocked(MPL, """
        import contextlib, io, json, sys
        from quoteframe import cli
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cli.main(["report", sys.argv[1], "-o", sys.argv[2]])
        print(json.dumps({"code": code, "err": err.getvalue()}))
    """, str(corpus_dir), str(target))
    assert out["code"] == 3
    assert out["err"].startswith("quoteframe: ") and out["err"].count("\n") == 1
    assert "quoteframe[plot]" in out["err"] and "Traceback" not in out["err"]
    assert not target.exists()


def test_arabic_labels_without_the_shaping_packages_warn_and_still_draw():
    pytest.importorskip("matplotlib")
    out = run_blocked(["arabic_reshaper", "bidi"], """
        import io, json, warnings
        import pandas as pd
        from quoteframe import plot
        table = pd.DataFrame({"group": ["ar", "ar"], "term": ["الغرب", "القوات"], "z": [2.0, 1.0]})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = plot.keyness(table)
            fig.savefig(io.BytesIO(), format="png", dpi=40)
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        print(json.dumps({"warnings": [[w.category.__name__, str(w.message)] for w in caught], "labels": labels}))
    """)
    assert out["labels"] == ["الغرب", "القوات"]  # drawn as stored: unshaped
    [(category, message)] = out["warnings"]
    assert category == "QuoteframeWarning"
    assert "arabic-reshaper" in message and "quoteframe[plot]" in message


# ---------------------------------------------------------------- the helper itself


def test_optional_module_returns_the_module():
    import json as json_module

    assert _optional.optional_module("json") is json_module


@pytest.mark.parametrize(
    "name, extra, dist",
    [("matplotlib", "plot", "matplotlib"), ("matplotlib.figure", "plot", "matplotlib"),
     ("pyarrow.parquet", "parquet", "pyarrow"), ("dask", "dask", "dask"), ("bidi", "plot", "python-bidi")],
)
def test_a_missing_optional_module_names_its_extra(monkeypatch, name, extra, dist):
    def refuse(module, *args, **kwargs):
        raise ModuleNotFoundError(f"No module named {module!r}", name=module)

    monkeypatch.setattr(_optional.importlib, "import_module", refuse)
    with pytest.raises(ImportError) as info:
        _optional.optional_module(name, "this test")
    assert info.value.name == name.split(".")[0]
    message = str(info.value)
    assert message.startswith(f"this test needs {dist}")
    assert f"pip install 'quoteframe[{extra}]'" in message


def test_a_module_that_breaks_on_import_says_so(monkeypatch):
    def broken(module, *args, **kwargs):
        raise ImportError("libfoo.so: cannot open shared object file")

    monkeypatch.setattr(_optional.importlib, "import_module", broken)
    with pytest.raises(ImportError, match="failed to import .*libfoo"):
        _optional.optional_module("matplotlib")


def test_an_unknown_module_gets_a_plain_hint():
    assert _optional.install_hint("leftpad") == "pip install leftpad"
    assert _optional.has_module("json") and not _optional.has_module("surely_not_a_module_name")
