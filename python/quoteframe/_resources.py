"""Where the package's data lives, and the shared per-process core objects."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from . import _core

DATA_DIR = Path(__file__).resolve().parent / "data"
LANG_DIR = DATA_DIR / "lang"
LEXICON_DIR = DATA_DIR / "lexicon"
CODEBOOK_DIR = Path(__file__).resolve().parent / "codebooks"

_local = threading.local()


@lru_cache(maxsize=1)
def languages() -> _core.Languages:
    """The shipped language data (read-only, shared by every thread)."""
    return _core.Languages.from_directory(str(LANG_DIR))


@lru_cache(maxsize=1)
def lexicons() -> _core.Lexicons:
    """The shipped general evaluative lexicons, one per language."""
    return _core.Lexicons.from_directory(str(LEXICON_DIR))


def pipeline() -> _core.TextPipeline:
    """This thread's text pipeline (ICU break iterators are per thread)."""
    p = getattr(_local, "pipeline", None)
    if p is None:
        p = _core.TextPipeline(languages())
        _local.pipeline = p
    return p
