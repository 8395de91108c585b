"""``analyze``: from documents to a DataFrame of attributed quotes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _core
from ._resources import languages, lexicons
from .codebook import load_codebook
from .text import Corpus, Document, _expand

__all__ = ["analyze", "explain", "mentions", "Analyzer", "QUOTE_COLUMNS", "DOCUMENT_COLUMNS", "FLAG_NAMES"]

QUOTE_TYPES = ("direct", "indirect", "mixed")
ATTRIBUTIONS = ("explicit", "pronoun", "role", "context", "none")

QUOTE_COLUMNS = [
    "doc_id", "quote_id", "start", "end", "text", "type", "nested", "parent_id", "cue", "cue_start",
    "cue_end", "speaker", "speaker_start", "speaker_end", "actor", "side", "source", "attribution",
    "confidence", "lang", "paragraph", "sentence",
]
DOCUMENT_COLUMNS = ["doc_id", "path", "lang", "n_chars", "n_quotes", "status", "error"]

#: Context flags of a matched entry (bit -> name), as explain() shows them.
FLAG_NAMES = {1: "negated", 2: "intensified", 4: "diminished", 8: "distanced", 16: "attributed",
              32: "before-contrast", 64: "scare-quote", 128: "shifted", 256: "directed"}


class Analyzer:
    """A compiled codebook + language rules, reusable across calls and threads.

    Building one compiles every cue list and actor name; reuse it for many
    batches. It is immutable and safe to share between threads.
    """

    def __init__(self, codebook="csto-kazakhstan-2022"):
        self.codebook = load_codebook(codebook)
        self._core = _core.Analyzer(languages(), self.codebook, lexicons())
        self.feature_names = list(self._core.feature_names)
        self.entries = pd.DataFrame(self._core.entries())
        self._frame_ids = [f["id"] for f in self.codebook.frames]
        self._target_ids = [t["id"] for t in self.codebook.targets]
        actors = self.codebook.actors
        self._actor_ids = np.array([a["id"] for a in actors] + [""], dtype=object)
        self._actor_sides = np.array([a.get("side") or "" for a in actors] + [""], dtype=object)

    def __reduce__(self):
        return (Analyzer, (self.codebook,))

    def run(self, ids: Sequence[str], texts: Sequence[Union[str, bytes]], langs: Sequence[str],
            paths: Sequence[str], threads: Optional[int] = None,
            explain: bool = False, errors: Optional[Sequence[str]] = None) -> Tuple[pd.DataFrame, pd.DataFrame]:
        """Analyse one batch. ``errors``, when given, has a message for each
        document that could not be read ("" for the others): those become
        error rows of the documents table."""
        n_threads = 0 if threads is None else int(threads)
        docs, q, feats, hits = self._core.analyze(list(ids), list(texts), list(langs), n_threads, explain,
                                                  list(errors) if errors is not None else [])
        documents = pd.DataFrame(
            {"doc_id": docs["doc_id"], "path": list(paths), "lang": docs["lang"], "n_chars": docs["n_chars"],
             "n_quotes": docs["n_quotes"], "status": docs["status"], "error": docs["error"]},
            columns=DOCUMENT_COLUMNS,
        )
        frame = self._frame(q, documents)
        frame = pd.concat([frame, self._features(feats)], axis=1)
        # One schema whatever the input (no nested quote, no quote at all).
        from .stream import conform, empty_quotes

        frame = conform(frame, empty_quotes(self))
        if explain:
            frame.attrs["explanations"] = self._explanations(hits, frame)
        return frame, documents

    def _features(self, feats: np.ndarray) -> pd.DataFrame:
        cols = {}
        for j, name in enumerate(self.feature_names):
            col = feats[:, j]
            if name.endswith("_label"):
                cols[name] = col.astype(np.int8)
            elif name == "n_tokens":
                cols[name] = col.astype(np.int64)
            else:
                cols[name] = col.astype(np.float64).round(6)
        return pd.DataFrame(cols, columns=self.feature_names)

    def _explanations(self, hits: dict, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per matched entry and feature it moves (see :func:`explain`)."""
        e = self.entries
        entry = hits["entry"]
        kind = e["kind"].to_numpy()[entry]
        weight = e["weight"].to_numpy()[entry].astype(np.float64)
        ref = e["ref"].to_numpy()[entry]
        n_tok = frame["n_tokens"].to_numpy()[hits["quote"]] if len(frame) else np.array([], dtype=np.int64)
        per10 = 10.0 / np.maximum(n_tok, 10)
        factor = hits["factor"].astype(np.float64)
        rows = []
        for i in range(len(entry)):
            k = kind[i]
            target = self._target_ids[hits["target"][i]] if hits["target"][i] >= 0 else None
            flags = [name for bit, name in FLAG_NAMES.items() if hits["flags"][i] & bit]
            feature, contribution = None, 0.0
            if k == "frame":
                feature, contribution = f"frame_{self._frame_ids[ref[i]]}", weight[i] * per10[i]
            elif k in ("positive", "negative"):
                if factor[i] == 0.0:
                    feature, contribution = "distancing", per10[i]
                else:
                    pol = 1.0 if k == "positive" else -1.0
                    feature = f"stance_{target} (raw)" if target else "valence (raw)"
                    contribution = pol * weight[i] * factor[i]
            elif k == "directive":
                # A directive with an addressee is a mild negative evaluation of it.
                if target and factor[i] != 0.0:
                    feature, contribution = f"stance_{target} (raw)", -weight[i] * factor[i]
            elif k == "hedge":
                feature, contribution = "uncertainty", per10[i]
            elif k == "distancing":
                feature, contribution = "distancing", per10[i]
            elif k == "target":
                feature = f"mentions_{self._target_ids[ref[i]]}"
            rows.append((frame["quote_id"].iat[hits["quote"][i]], int(hits["start"][i]), int(hits["end"][i]),
                         hits["text"][i], k, e["pattern"].iat[entry[i]], e["lang"].iat[entry[i]], target,
                         float(weight[i]), float(factor[i]), ",".join(flags), feature, float(contribution)))
        return pd.DataFrame(rows, columns=["quote_id", "start", "end", "text", "kind", "pattern", "lang", "target",
                                           "weight", "factor", "modifiers", "feature", "contribution"])

    def _frame(self, q: dict, documents: pd.DataFrame) -> pd.DataFrame:
        doc_idx = q["doc"]
        doc_ids = np.asarray(documents["doc_id"], dtype=object)
        doc_langs = np.asarray(documents["lang"], dtype=object)
        qid = np.array([f"{doc_ids[d]}#{i}" for d, i in zip(doc_idx.tolist(), q["index_in_doc"].tolist())],
                       dtype=object)
        # Parent ids: parent is an index within the same document's quotes.
        first_row = {}
        for row, (d, i) in enumerate(zip(doc_idx.tolist(), q["index_in_doc"].tolist())):
            if i == 0:
                first_row[d] = row
        parent = q["parent"]
        parent_id = np.array(
            [qid[first_row[d] + p] if p >= 0 else None for d, p in zip(doc_idx.tolist(), parent.tolist())],
            dtype=object,
        )
        actor = q["actor"]
        frame = pd.DataFrame(
            {
                "doc_id": doc_ids[doc_idx] if len(doc_idx) else np.array([], dtype=object),
                "quote_id": qid,
                "start": q["start"].astype(np.int64),
                "end": q["end"].astype(np.int64),
                "text": q["text"],
                "type": pd.Categorical.from_codes(q["type"].astype(np.int8), categories=list(QUOTE_TYPES)),
                "nested": q["nested"].astype(bool),
                "parent_id": parent_id,
                "cue": q["cue"],
                "cue_start": q["cue_start"].astype(np.int64),
                "cue_end": q["cue_end"].astype(np.int64),
                "speaker": q["speaker"],
                "speaker_start": q["speaker_start"].astype(np.int64),
                "speaker_end": q["speaker_end"].astype(np.int64),
                "actor": self._actor_ids[actor],
                "side": self._actor_sides[actor],
                "source": q["source"],
                "attribution": pd.Categorical.from_codes(q["attribution"].astype(np.int8),
                                                         categories=list(ATTRIBUTIONS)),
                "confidence": q["confidence"].astype(np.float64).round(3),
                "lang": doc_langs[doc_idx] if len(doc_idx) else np.array([], dtype=object),
                "paragraph": q["paragraph"].astype(np.int64),
                "sentence": q["sentence"].astype(np.int64),
            },
            columns=QUOTE_COLUMNS,
        )
        for col in ("actor", "side", "speaker", "source", "cue"):
            frame[col] = frame[col].replace("", None)
        return frame


def _looks_like_path(s: str) -> bool:
    """A string meant as a file name rather than a text (for lists of strings)."""
    return "\n" not in s and len(s) < 4096 and (os.path.isfile(s) or s.endswith(".txt"))


def _inputs(source, lang: Optional[str], errors: str):
    """(ids, texts, langs, paths, read_errors) from any supported input."""
    from .text import read_bytes_as_text

    ids: List[str] = []
    texts: List[Union[str, bytes]] = []
    paths: List[str] = []
    read_errors: List[str] = []
    if isinstance(source, pd.DataFrame):
        if "text" not in source.columns:
            raise ValueError("a DataFrame input needs a 'text' column (and optionally 'doc_id', 'lang')")
        ids = [str(x) for x in source["doc_id"]] if "doc_id" in source.columns else [f"doc{i}" for i in range(len(source))]
        texts = list(source["text"])
        langs = [str(x) for x in source["lang"]] if "lang" in source.columns else [lang or ""] * len(ids)
        return ids, texts, langs, [""] * len(ids), None
    if isinstance(source, Corpus):
        source = list(source)
    if isinstance(source, Document):
        source = [source]
    if isinstance(source, (list, tuple)) and source and isinstance(source[0], Document):
        return ([d.id for d in source], [d.text for d in source], [lang or d.lang for d in source],
                [d.path for d in source], None)
    if isinstance(source, str) and ("\n" in source or not (os.path.exists(source) or any(c in source for c in "*?["))):
        raise ValueError(
            "analyze() got a string that is neither an existing path nor a glob; "
            "to analyse raw text pass a list of strings: analyze([text])"
        )
    if isinstance(source, (list, tuple)) and source and all(isinstance(s, str) for s in source) and not all(
        _looks_like_path(s) for s in source
    ):
        # Texts, unless every item reads as a file name: a list of paths with a
        # missing file gives that file an error row instead of analysing the
        # path strings themselves.
        ids = [f"doc{i}" for i in range(len(source))]
        return ids, list(source), [lang or ""] * len(ids), [""] * len(ids), None
    for p in _expand(source):
        ids.append(Path(p).stem)
        paths.append(str(p))
        try:
            data = Path(p).read_bytes()
        except OSError as e:  # unreadable or vanished: an error row, not an aborted batch
            texts.append(b"")
            read_errors.append(f"{p}: cannot read the file: {e.strerror or e}")
            continue
        read_errors.append("")
        if errors == "replace":
            texts.append(read_bytes_as_text(data, str(p), "replace"))
        else:
            texts.append(data)  # the core validates and reports bad UTF-8 as an error row
    return ids, texts, [lang or ""] * len(ids), paths, read_errors


def analyze(
    source,
    codebook="csto-kazakhstan-2022",
    lang: Optional[str] = None,
    threads: Optional[int] = None,
    errors: str = "row",
    explain: bool = False,
) -> pd.DataFrame:
    """Find and attribute every quote.

    ``source`` is a folder of ``.txt`` files, a glob, a list of paths, a list
    of texts, a :class:`Corpus` or a DataFrame with a ``text`` column (and
    optionally ``doc_id`` and ``lang``). ``codebook`` is a built-in name, a
    path or a :class:`Codebook`. ``threads=None`` uses every core; results
    do not depend on it.

    Returns one row per quote (columns :data:`QUOTE_COLUMNS`; offsets are
    code points of the original text). ``result.attrs["documents"]`` has one
    row per input document with its status: a document that could not be
    read (invalid UTF-8 with ``errors="row"``, the default) is an error row,
    never silently dropped; ``errors="replace"`` substitutes U+FFFD instead.

    Scores (from the text of the quote only, never from its speaker):
    ``frame_<name>`` (weighted pattern hits per 10 words), ``stance_<target>``
    in (-1, 1) with ``stance_<target>_label`` in {-1, 0, 1}, ``uncertainty``,
    ``distancing``, ``valence``, ``n_tokens``. With ``explain=True``,
    ``result.attrs["explanations"]`` lists every matched word and what it
    contributed (see :func:`explain`).

    >>> q = analyze(["Titre\\nLe ministre a déclaré que la grève était illégale."], lang="fr")
    >>> q[["text", "type", "speaker"]].values.tolist()
    [['la grève était illégale', 'indirect', 'ministre']]
    """
    if errors not in ("row", "replace"):
        raise ValueError(f"errors must be 'row' or 'replace', not {errors!r}")
    an = codebook if isinstance(codebook, Analyzer) else _analyzer(codebook)
    ids, texts, langs, paths, read_errors = _inputs(source, lang, errors)
    quotes, documents = an.run(ids, texts, langs, paths, threads, explain, read_errors)
    quotes.attrs["documents"] = documents
    quotes.attrs["codebook"] = an.codebook.name
    return quotes


_ANALYZERS: dict = {}


def _analyzer(codebook) -> Analyzer:
    key = codebook if isinstance(codebook, str) else id(codebook)
    an = _ANALYZERS.get(key)
    if an is None:
        an = Analyzer(codebook)
        _ANALYZERS[key] = an
    return an


def explain(quotes: pd.DataFrame, quote_id: Optional[str] = None) -> pd.DataFrame:
    r"""Every matched entry behind a quote's scores: span, pattern, weight,
    modifiers (negated, intensified, distanced...) and contribution to each feature.

    ``quotes`` must come from ``analyze(..., explain=True)``. Contributions add
    up to the features: ``frame_<f>`` is the sum of its rows; ``stance_<t>`` is
    ``raw / (sum of |raw| + 1)`` over the rows of ``stance_<t> (raw)``.

    >>> q = analyze(["Titre\nLe ministre a déclaré que cette opération illégale était un échec."],
    ...             lang="fr", explain=True)
    >>> ex = explain(q, q.quote_id.iat[0])
    >>> sorted(set(ex.kind))
    ['frame', 'negative', 'target']
    """
    table = quotes.attrs.get("explanations")
    if table is None:
        raise ValueError("these quotes carry no explanations: run analyze(..., explain=True)")
    if quote_id is None:
        return table
    return table[table.quote_id == quote_id].reset_index(drop=True)


def mentions(source, codebook="csto-kazakhstan-2022", lang: Optional[str] = None,
             targets: bool = False) -> pd.DataFrame:
    """Every mention of a codebook actor or medium (and, with ``targets=True``,
    of a target such as the CSTO mission), per document, in text order.

    Columns: ``doc_id``, ``start``, ``end`` (code points), ``text`` (as
    written), ``kind`` (``actor``, ``medium`` or ``target``), ``id`` (the
    codebook id), ``side`` (actors), ``by_description`` (matched a role phrase
    such as "the Secretary General of the CSTO" rather than a name),
    ``pattern`` and ``weight`` (targets: the codebook pattern that matched).
    The same matcher finds them as :func:`analyze` uses.

    >>> m = mentions(["Titre\\nZakharova a répondu à Psaki, citée par TASS."], lang="fr")
    >>> m[["text", "kind", "id"]].values.tolist()
    [['Zakharova', 'actor', 'maria_zakharova'], ['Psaki', 'actor', 'jen_psaki'], ['TASS', 'medium', 'tass']]
    """
    an = codebook if isinstance(codebook, Analyzer) else _analyzer(codebook)
    ids, texts, langs, _, _ = _inputs(source, lang, "replace")
    m = an._core.mentions(list(ids), list(texts), list(langs))
    actors, media, tgts = an.codebook.actors, an.codebook.media, an.codebook.targets
    kinds = np.array(["actor", "medium", "target"], dtype=object)[m["kind"]]
    idx = m["index"].tolist()
    ident, side, pattern, weight = [], [], [], []
    for k, i, e in zip(m["kind"].tolist(), idx, m["entry"].tolist()):
        if k == 0:
            ident.append(actors[i]["id"]); side.append(actors[i].get("side") or None)
            pattern.append(None); weight.append(np.nan)
        elif k == 1:
            ident.append(media[i]["id"]); side.append(None); pattern.append(None); weight.append(np.nan)
        else:
            ident.append(tgts[i]["id"]); side.append(None)
            pattern.append(an.entries["pattern"].iat[e]); weight.append(float(an.entries["weight"].iat[e]))
    frame = pd.DataFrame({
        "doc_id": [ids[d] for d in m["doc"].tolist()],
        "start": m["start"].astype(np.int64),
        "end": m["end"].astype(np.int64),
        "text": m["text"],
        "kind": kinds,
        "id": ident,
        "side": side,
        "by_description": m["description"].astype(bool),
        "pattern": pattern,
        "weight": weight,
    })
    if not targets:
        frame = frame[frame.kind != "target"].drop(columns=["pattern", "weight"])
    return frame.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)
