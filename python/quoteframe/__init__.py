"""quoteframe: find, attribute and score the quotes of multilingual news.

The compiled core (``quoteframe._core``) is private; everything public is
re-exported here.
"""

from __future__ import annotations

from . import io, stats
from ._core import CodebookError, IcuError, InputError, __version__
from .align import Alignment, align, align_corpus, doc_pairs, drift, renderings
from .analyze import Analyzer, analyze, explain, mentions
from .codebook import Codebook, builtin_codebooks, load_codebook
from .compare import compare, frame_divergence, keyness, reliability
from .evaluate import evaluate, load_gold
from .io import write_outputs
from .kwic import kwic
from .stream import analyze_to, iter_analyze
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
    "Alignment",
    "Analyzer",
    "Codebook",
    "CodebookError",
    "Corpus",
    "Document",
    "IcuError",
    "InputError",
    "QuoteframeWarning",
    "align",
    "align_corpus",
    "analyze",
    "analyze_to",
    "builtin_codebooks",
    "compare",
    "detect_language",
    "doc_pairs",
    "drift",
    "evaluate",
    "explain",
    "frame_divergence",
    "io",
    "iter_analyze",
    "keyness",
    "kwic",
    "load_codebook",
    "load_gold",
    "mentions",
    "fold",
    "normalize",
    "read_corpus",
    "reliability",
    "renderings",
    "stats",
    "tokenize",
    "write_outputs",
]
