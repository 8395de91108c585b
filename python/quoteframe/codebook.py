"""Codebooks: actors, sides, media, targets, frames and lexicon additions.

A codebook is a commented TOML file an analyst writes (see
``docs/codebook_format.md``), validated on load: an unknown key, a wrong type
or an undeclared reference raises :class:`quoteframe.CodebookError` (a
``ValueError``) naming the file, line and field.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import List, Union

from . import _core
from ._resources import CODEBOOK_DIR

__all__ = ["Codebook", "load_codebook", "builtin_codebooks"]

Codebook = _core.Codebook


def builtin_codebooks() -> List[str]:
    """Names of the codebooks shipped with quoteframe."""
    return sorted(p.stem for p in CODEBOOK_DIR.glob("*.toml"))


@lru_cache(maxsize=16)
def _load_builtin(name: str) -> _core.Codebook:
    return _core.Codebook.from_file(str(CODEBOOK_DIR / f"{name}.toml"))


def load_codebook(codebook: Union[str, "os.PathLike[str]", _core.Codebook]) -> _core.Codebook:
    """A codebook from a built-in name (``"csto-kazakhstan-2022"``, ``"mfc"``), a path, or as is.

    >>> cb = load_codebook("csto-kazakhstan-2022")
    >>> cb.name, "maria_zakharova" in {a["id"] for a in cb.actors}
    ('csto-kazakhstan-2022', True)
    """
    if isinstance(codebook, _core.Codebook):
        return codebook
    s = os.fspath(codebook)
    if s in builtin_codebooks():
        return _load_builtin(s)
    p = Path(s)
    if p.is_file():
        return _core.Codebook.from_file(str(p))
    raise FileNotFoundError(
        f"no codebook named {s!r}: not a built-in ({', '.join(builtin_codebooks())}) and not a file"
    )
