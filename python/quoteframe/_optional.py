"""The one place that imports quoteframe's optional dependencies.

``import quoteframe`` needs only numpy, pandas and the compiled core. Plotting,
Parquet and Dask are extras; a function that needs one calls
:func:`optional_module` at the moment it needs it, so a missing package is an
``ImportError`` that says which extra to install instead of a bare
``ModuleNotFoundError`` deep in a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Dict, Optional, Tuple

__all__ = ["EXTRAS", "optional_module", "has_module"]

#: Importable module -> (distribution on PyPI, quoteframe extra that installs it).
EXTRAS: Dict[str, Tuple[str, str]] = {
    "matplotlib": ("matplotlib", "plot"),
    "arabic_reshaper": ("arabic-reshaper", "plot"),
    "bidi": ("python-bidi", "plot"),
    "pyarrow": ("pyarrow", "parquet"),
    "dask": ("dask[dataframe,distributed]", "dask"),
    "distributed": ("dask[dataframe,distributed]", "dask"),
}


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def install_hint(name: str) -> str:
    """``pip install 'quoteframe[<extra>]'`` (or the bare package) for module ``name``."""
    dist, extra = EXTRAS.get(_top(name), (_top(name), None))
    if extra is None:
        return f"pip install {dist}"
    return f"pip install 'quoteframe[{extra}]' (or pip install {dist})"


def optional_module(name: str, purpose: Optional[str] = None) -> ModuleType:
    """Import ``name`` (a module of an optional dependency) and return it.

    ``purpose`` completes the sentence "<purpose> needs <package>", e.g.
    ``"quoteframe.plot"``. When the package is missing (or fails to import),
    raises ``ImportError`` whose message names the package and the extra to
    install, with ``.name`` set to the top-level module, so callers can tell it
    from a bug.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = _top(name)
        dist, _ = EXTRAS.get(top, (top, None))
        who = purpose or "this feature"
        reason = "is not installed" if isinstance(exc, ModuleNotFoundError) else f"failed to import ({exc})"
        raise ImportError(f"{who} needs {dist}, which {reason}: {install_hint(name)}", name=top) from exc


def has_module(name: str) -> bool:
    """True when ``name`` can be imported (without importing it when it cannot)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
