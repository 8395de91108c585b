"""quoteframe: find, attribute and score the quotes of multilingual news.

The compiled core (``quoteframe._core``) is private; everything public is
re-exported here.
"""

from __future__ import annotations

from ._core import CodebookError, IcuError, InputError, __version__
from .text import (
    Corpus,
    Document,
    QuoteframeWarning,
    detect_language,
    fold,
    normalize,
    read_corpus,
    tokenize,
)

__all__ = [
    "__version__",
    "CodebookError",
    "Corpus",
    "Document",
    "IcuError",
    "InputError",
    "QuoteframeWarning",
    "detect_language",
    "fold",
    "normalize",
    "read_corpus",
    "tokenize",
]
