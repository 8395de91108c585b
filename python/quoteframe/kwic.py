"""Keyword in context over normalised tokens."""

from __future__ import annotations

from typing import List, Optional, Sequence

import re

import pandas as pd

from ._resources import pipeline
from .text import Corpus, Document, read_corpus

__all__ = ["kwic"]


def _flat(s: str) -> str:
    """Context on one line: line breaks and runs of spaces become one space."""
    return re.sub(r"\s+", " ", s).strip()


def _matches(norm: str, word: str, prefix: bool) -> bool:
    return norm.startswith(word) if prefix else norm == word


def kwic(source, pattern: str, window: int = 5, lang: Optional[str] = None) -> pd.DataFrame:
    """Every occurrence of ``pattern`` with ``window`` tokens of context on each side.

    Matching is on folded tokens, exactly as codebook patterns match (case,
    typographic apostrophes, Arabic orthography and elision do not matter); a
    trailing ``*`` on a word of the pattern is a prefix wildcard
    (``"légitim*"``), and a pattern may span several words
    (``"maintien de la paix"``). ``source`` is anything :func:`read_corpus`
    reads, a :class:`Corpus`, a :class:`Document` or a list of them.

    Returns one row per hit: ``doc_id``, ``start``, ``end`` (code points of the
    original text), ``left``, ``match``, ``right`` (as written; context stays
    within the paragraph).

    >>> doc = Document.from_text("Titre\\nL’Occident conteste la légitimité ; la légalité est claire.", id="d", lang="fr")
    >>> kwic(doc, "l'occident", window=1)[["left", "match", "right"]].values.tolist()
    [['', 'L’Occident', 'conteste']]
    >>> kwic(doc, "légitim*", window=2)["match"].tolist()
    ['légitimité']
    """
    if isinstance(source, Document):
        docs: Sequence[Document] = [source]
    elif isinstance(source, Corpus) or (isinstance(source, list) and source and isinstance(source[0], Document)):
        docs = list(source)
    else:
        docs = list(read_corpus(source, lang=lang))
    rows: List[dict] = []
    cache = {}
    for doc in docs:
        key = doc.lang
        if key not in cache:
            words = [(w, p) for w, p in pipeline().tokenize_pattern(pattern, doc.lang)]
            if not words:
                raise ValueError(f"the pattern {pattern!r} has no words")
            cache[key] = words
        words = cache[key]
        toks = doc.tokens
        norms = toks["norm"].tolist()
        starts, ends = toks["start"].tolist(), toks["end"].tolist()
        para = toks["paragraph"].tolist()
        text = doc.text
        n, k = len(norms), len(words)
        for i in range(n - k + 1):
            if all(_matches(norms[i + j], w, p) for j, (w, p) in enumerate(words)):
                a, b = starts[i], ends[i + k - 1]
                # Context stays inside the paragraph of the hit.
                lo, hi = max(0, i - window), min(n, i + k + window)
                while lo < i and para[lo] != para[i]:
                    lo += 1
                while hi > i + k and para[hi - 1] != para[i + k - 1]:
                    hi -= 1
                rows.append({
                    "doc_id": doc.id, "start": a, "end": b,
                    "left": _flat(text[starts[lo]:a]) if lo < i else "",
                    "match": text[a:b],
                    "right": _flat(text[b:ends[hi - 1]]) if hi > i + k else "",
                })
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "left", "match", "right"])
