"""The text layer: documents, tokens, sentences and corpora.

Every offset quoteframe shows is a half-open ``[start, end)`` span in code
points of the original text, so ``doc.text[start:end]`` is the surface form.
"""

from __future__ import annotations

import glob as _glob
import os
import warnings
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from ._resources import languages, pipeline

__all__ = [
    "Document",
    "Corpus",
    "tokenize",
    "read_corpus",
    "normalize",
    "fold",
    "detect_language",
    "QuoteframeWarning",
    "TOKEN_KINDS",
]

#: Token kinds, by the integer code the core uses.
TOKEN_KINDS = ("word", "number", "punct", "symbol")

PathLike = Union[str, "os.PathLike[str]"]


class QuoteframeWarning(UserWarning):
    """A problem quoteframe worked around (e.g. invalid UTF-8 replaced)."""


class Document:
    """One article: its text, language, headline, paragraphs, sentences and tokens.

    Build one with :func:`Document.from_text` or :func:`read_corpus`.

    >>> doc = Document.from_text("Titre\\nLe ministre a déclaré qu’il partirait.", id="d1")
    >>> doc.lang, doc.headline
    ('fr', 'Titre')
    >>> doc.tokens.loc[5:6, ["token", "norm"]].values.tolist()
    [['qu’', "qu'"], ['il', 'il']]
    """

    __slots__ = ("_doc",)

    def __init__(self, core_doc: _core.Document):
        self._doc = core_doc

    @classmethod
    def from_text(
        cls, text: Union[str, bytes], id: str = "text", lang: Optional[str] = None, path: str = ""
    ) -> "Document":
        """Process ``text`` (str, or UTF-8 bytes) into a document.

        ``lang`` is an ISO 639-1 code; ``None`` detects it among the shipped
        languages (``"und"`` when unsure). Invalid UTF-8 bytes raise
        ``ValueError`` naming ``id`` and the byte offset.
        """
        d = pipeline().process(id, text, lang or "")
        d.path = path
        return cls(d)

    # -- plain attributes -------------------------------------------------
    @property
    def id(self) -> str:
        return self._doc.id

    @property
    def path(self) -> str:
        return self._doc.path

    @property
    def text(self) -> str:
        return self._doc.text

    @property
    def lang(self) -> str:
        return self._doc.lang

    @property
    def lang_detected(self) -> bool:
        """True when the language was detected rather than given."""
        return self._doc.lang_detected

    @property
    def n_chars(self) -> int:
        return self._doc.n_chars

    @property
    def headline(self) -> Optional[str]:
        """The first line of the file, or None when the file starts with a blank line."""
        if not self._doc.has_headline:
            return None
        s, e = self._doc.paragraph_array()[0]
        return self.text[s:e]

    @property
    def paragraphs(self) -> List[str]:
        """Non-blank lines, headline included (it is paragraph 0 when present)."""
        t = self.text
        return [t[s:e] for s, e in self._doc.paragraph_array()]

    @property
    def paragraph_spans(self) -> np.ndarray:
        """``(n, 2)`` array of paragraph ``[start, end)`` offsets."""
        return self._doc.paragraph_array()

    @property
    def sentences(self) -> pd.DataFrame:
        """One row per sentence: start, end, paragraph, text."""
        a = self._doc.sentence_array()
        t = self.text
        return pd.DataFrame(
            {
                "start": a[:, 0],
                "end": a[:, 1],
                "paragraph": a[:, 2],
                "text": [t[s:e] for s, e in a[:, :2]],
            }
        )

    @property
    def tokens(self) -> pd.DataFrame:
        """One row per token: start, end, token, norm, kind, sentence, paragraph."""
        return _token_frame(self._doc)

    def __len__(self) -> int:
        return self._doc.n_tokens

    def __repr__(self) -> str:
        return (
            f"Document(id={self.id!r}, lang={self.lang!r}, n_chars={self.n_chars}, "
            f"paragraphs={len(self._doc.paragraph_array())}, tokens={self._doc.n_tokens})"
        )


def _token_frame(d: _core.Document) -> pd.DataFrame:
    cols = d.token_arrays()
    t = d.text
    starts, ends = cols["start"], cols["end"]
    return pd.DataFrame(
        {
            "start": starts,
            "end": ends,
            "token": [t[s:e] for s, e in zip(starts.tolist(), ends.tolist())],
            "norm": d.token_norms(),
            "kind": pd.Categorical.from_codes(cols["kind"].astype(np.int8), categories=list(TOKEN_KINDS)),
            "sentence": cols["sentence"],
            "paragraph": cols["paragraph"],
        }
    )


def tokenize(text: Union[str, bytes], lang: Optional[str] = None) -> pd.DataFrame:
    """Tokenise ``text`` as quoteframe does before matching.

    Returns a DataFrame with one row per token: ``start``, ``end`` (code
    points, so ``text[start:end] == token``), ``token``, ``norm`` (the folded
    matching form), ``kind`` (word/number/punct/symbol), ``sentence`` and
    ``paragraph`` indices.

    >>> tokenize("L’OTSC a dit « non ».", lang="fr")["norm"].tolist()
    ["l'", 'otsc', 'a', 'dit', '"', 'non', '"', '.']
    """
    return Document.from_text(text, lang=lang).tokens


def fold(text: str) -> str:
    """The matching form of ``text``: NFKC + case folding, unified apostrophes,
    quotation marks and dashes, Arabic orthographic normalisation.

    >>> fold("L’ÉTÉ")
    "l'été"
    """
    return _core.fold(text)


def normalize(text: str):
    """Fold a whole text, keeping the map back to the original.

    Returns ``(normalized, offsets)`` where ``offsets[i]`` is the code-point
    offset in ``text`` of the character that produced ``normalized[i]``
    (``offsets`` has one more entry: ``len(text)``).

    >>> n, m = normalize("ﬁn")
    >>> n, m.tolist()
    ('fin', [0, 0, 1, 2])
    """
    return _core.normalize_with_map(text)


def detect_language(text: str) -> str:
    """``fr``, ``ar``, ``en``, ``ru`` (the shipped languages), or ``und``."""
    return languages().detect(text)


class Corpus(Sequence[Document]):
    """The documents of a folder, glob or list of files, in a stable order.

    ``corpus.documents`` is a DataFrame with one row per input file (doc_id,
    path, lang, n_chars, status, error), so no input is ever silently lost.
    """

    def __init__(self, docs: List[Document], table: pd.DataFrame):
        self._docs = docs
        self.documents = table

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, str):
            for d in self._docs:
                if d.id == i:
                    return d
            raise KeyError(i)
        return self._docs[i]

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[Document]:
        return iter(self._docs)

    def __repr__(self) -> str:
        return f"Corpus({len(self._docs)} documents)"


def _expand(source: Union[PathLike, Iterable[PathLike]]) -> List[Path]:
    if isinstance(source, (str, os.PathLike)):
        s = os.fspath(source)
        p = Path(s)
        if p.is_dir():
            return sorted(q for q in p.iterdir() if q.suffix == ".txt" and q.is_file())
        if any(ch in s for ch in "*?["):
            return sorted(Path(q) for q in _glob.glob(s, recursive=True) if Path(q).is_file())
        if p.is_file():
            return [p]
        raise FileNotFoundError(f"no such file, folder or glob match: {s}")
    return [Path(os.fspath(q)) for q in source]


def read_bytes_as_text(data: bytes, source: str, errors: str = "strict") -> str:
    """Decode UTF-8 per quoteframe's policy (see :func:`read_corpus`)."""
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    bad = _core.find_invalid_utf8(data)
    if bad is None:
        return data.decode("utf-8")
    if errors == "strict":
        raise _core.InputError(
            f"{source}: invalid UTF-8 at byte offset {bad} (byte 0x{data[bad]:02X}); "
            "pass errors='replace' to substitute U+FFFD"
        )
    text, n = _core.repair_utf8(data)
    warnings.warn(
        f"{source}: {n} invalid UTF-8 sequence(s) replaced by U+FFFD (first at byte {bad})",
        QuoteframeWarning,
        stacklevel=3,
    )
    return text


def read_corpus(
    source: Union[PathLike, Iterable[PathLike]],
    lang: Optional[str] = None,
    errors: str = "strict",
) -> Corpus:
    """Read UTF-8 ``.txt`` files: a folder, a glob (``"news/**/*.txt"``) or a list of paths.

    The document id is the file name without its extension. ``errors="strict"``
    raises ``ValueError`` naming the file and the byte offset of the first
    invalid UTF-8 byte; ``errors="replace"`` substitutes U+FFFD and warns
    (:class:`QuoteframeWarning`). An empty file is a valid, empty document.
    """
    docs: List[Document] = []
    rows = []
    for path in _expand(source):
        data = path.read_bytes()
        text = read_bytes_as_text(data, str(path), errors)
        doc = Document.from_text(text, id=path.stem, lang=lang, path=str(path))
        docs.append(doc)
        rows.append(
            {"doc_id": doc.id, "path": str(path), "lang": doc.lang, "n_chars": doc.n_chars,
             "status": "ok", "error": ""}
        )
    table = pd.DataFrame(rows, columns=["doc_id", "path", "lang", "n_chars", "status", "error"])
    return Corpus(docs, table)
