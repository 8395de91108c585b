"""Score predicted quotes against hand-coded gold quotes.

This module implements the scoring rules of the case-study corpus (``corpus/README.md``,
"How a prediction is scored") so that an analyst can check quoteframe, or any other tool,
on a sample they coded themselves. It is pure Python (numpy and pandas) and never imports
the compiled core, so it also runs where ``quoteframe._core`` is not built.

Gold quotes
    One JSON object per line, with at least ``id``, ``doc_id``, ``lang``, ``start``, ``end``,
    ``quote``, ``type``, ``speaker`` and ``side``; ``optional``, ``nested`` and ``hard``
    default to false; ``frames`` (a list of frame names) and ``stance_<target>`` columns are
    scored when present. Spans are half-open ``[start, end)`` in code points of the text as
    Python reads it, so ``text[start:end] == quote``.

Predictions
    One row per predicted quote with at least ``doc_id``, ``start`` and ``end``. The later
    measures read ``actor``, ``side``, ``stance_<target>_label`` and ``frame_<name>``
    (a score; the frame counts as present when the score is above 0). An ``id`` column is
    used to name predictions in the output; without it, predictions are named by their row
    position. A ``lang`` column is used only for documents that have no gold item.

Scoring, per document
    1. Every prediction/gold pair with a positive character overlap gets the Jaccard score
       ``|P ∩ G| / |P ∪ G|``. Pairs are taken greedily, highest score first, each prediction
       and each gold item at most once. Ties are broken deterministically: among equal
       scores the pair whose gold item starts first wins, then the gold item that ends first,
       then the one listed first in the gold; then the prediction that starts first, ends
       first, and comes first in the prediction table.
    2. At a threshold ``t`` a pair counts when its score is ``>= t``. Because the greedy
       order visits every pair above ``t`` before any pair below it, one pairing serves all
       thresholds. A counted pair whose gold item is ``optional`` is dropped from both
       sides; other counted pairs are true positives; predictions left over are false
       positives; required gold items left over are false negatives.
    3. Over the true positives at the ``main`` threshold: speaker accuracy (prediction
       ``actor`` equal to gold ``speaker``), side accuracy, stance accuracy per target, and
       frame micro precision/recall/F1 over (quote, frame) pairs.
    4. Every figure is given for all documents (scope ``all``) and per language.

Headlines
    The first line of a document is its headline; it carries no gold and predictions there
    are ignored. That needs the document texts (``texts=``). Without them nothing is
    filtered, so a tool that marks quotes in headlines is charged false positives for them.

Missing values and columns
    * A prediction whose ``actor`` / ``side`` / stance label is missing (None, NaN) counts
      as wrong. If the column is absent altogether, the measure is not reported (the tool
      did not attempt it) and a note says so.
    * A gold item whose ``speaker`` / ``side`` / stance / ``frames`` is missing is left out
      of that measure.
    * Frames scored are those of the gold codebook (``frames=``; by default every frame
      named in the gold) that have a ``frame_<name>`` column in the predictions. A frame
      without a column is left out of the frame measures on both sides (its gold
      occurrences are not counted as misses) and a note names it. A missing score (NaN)
      means "not present".

Divisions by zero
    Precision, recall or accuracy over nothing is NaN. F1 is ``2 tp / (2 tp + fp + fn)``,
    which equals the harmonic mean of precision and recall whenever both exist, is 0 when
    there are errors but no true positive, and NaN when there is nothing at all.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

__all__ = [
    "Evaluation",
    "evaluate",
    "load_gold",
    "load_predictions",
    "load_texts",
    "span_overlap",
]

PathLike = Union[str, "Path"]
TableLike = Union[pd.DataFrame, str, Path]

QUOTE_TYPES = ("direct", "indirect", "mixed")
REQUIRED_GOLD_FIELDS = ("id", "doc_id", "lang", "start", "end", "quote", "type", "speaker", "side")
GOLD_FLAGS = ("optional", "nested", "hard")
REQUIRED_PRED_COLUMNS = ("doc_id", "start", "end")

_OVERALL = "all"
_UNKNOWN_LANG = "und"


# --------------------------------------------------------------------------------------
# Small helpers


def span_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Character Jaccard overlap of two half-open spans: |A ∩ B| / |A ∪ B| (0 if disjoint).

    >>> span_overlap(0, 100, 0, 80)
    0.8
    >>> span_overlap(0, 10, 10, 20)
    0.0
    """
    inter = max(0, min(a_end, b_end) - max(a_start, b_start))
    union = (a_end - a_start) + (b_end - b_start) - inter
    return inter / union if union > 0 else 0.0


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _as_label(value: Any) -> Any:
    """Normalise a label for comparison: 1, 1.0 and "1" are the same label; text is stripped."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return int(f) if f.is_integer() else f
    text = str(value).strip()
    if text == "":
        return None
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() else f


def _as_int(value: Any, where: str, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or _is_missing(value):
        raise ValueError(f"{where}: field '{name}' must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{where}: field '{name}' must be an integer, got {value!r}")


def _as_flag(value: Any, where: str, name: str) -> bool:
    if _is_missing(value):
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", ""):
        return value.strip().lower() in ("true", "1")
    raise ValueError(f"{where}: field '{name}' must be true or false, got {value!r}")


def _as_frames(value: Any, where: str) -> Optional[Tuple[str, ...]]:
    """Gold ``frames``: a list of names, or (from CSV) a JSON list or a ';'/'|'/',' list."""
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and _is_missing(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: field 'frames' is not a JSON list ({exc.msg})") from None
        else:
            for sep in (";", "|", ","):
                text = text.replace(sep, " ")
            value = text.split()
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise ValueError(f"{where}: field 'frames' must be a list of names, got {value!r}")
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{where}: field 'frames' must hold non-empty names, got {item!r}")
        names.append(item.strip())
    return tuple(names)


def _as_text_or_none(value: Any, where: str, name: str) -> Optional[str]:
    if _is_missing(value):
        return None
    if isinstance(value, (str, numbers.Integral)) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    raise ValueError(f"{where}: field '{name}' must be text, got {value!r}")


# --------------------------------------------------------------------------------------
# Loading gold, predictions and texts


def _read_jsonl(path: Path) -> List[Tuple[int, Dict[str, Any]]]:
    """(line number, object) for every non-blank line; ValueError names file and line."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}, line {lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}, line {lineno}: expected a JSON object, got {type(obj).__name__}")
            rows.append((lineno, obj))
    return rows


def _check_gold_record(rec: Mapping[str, Any], where: str) -> Dict[str, Any]:
    missing = [name for name in REQUIRED_GOLD_FIELDS if name not in rec]
    if missing:
        raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    out = dict(rec)
    for name in ("id", "doc_id", "lang"):
        text = _as_text_or_none(rec[name], where, name)
        if text is None:
            raise ValueError(f"{where}: field '{name}' is empty")
        out[name] = text
    start = _as_int(rec["start"], where, "start")
    end = _as_int(rec["end"], where, "end")
    if start < 0:
        raise ValueError(f"{where}: start {start} is negative")
    if start >= end:
        raise ValueError(f"{where}: start {start} is not before end {end}")
    out["start"], out["end"] = start, end
    quote = rec["quote"]
    if not isinstance(quote, str):
        raise ValueError(f"{where}: field 'quote' must be text, got {quote!r}")
    if len(quote) != end - start:
        raise ValueError(
            f"{where}: quote has {len(quote)} characters but the span [{start}, {end}) has "
            f"{end - start}; offsets must be code points with text[start:end] == quote"
        )
    if rec["type"] not in QUOTE_TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(QUOTE_TYPES)}, got {rec['type']!r}")
    out["speaker"] = _as_text_or_none(rec["speaker"], where, "speaker")
    out["side"] = _as_text_or_none(rec["side"], where, "side")
    for name in GOLD_FLAGS:
        out[name] = _as_flag(rec.get(name), where, name)
    if "frames" in rec:
        out["frames"] = _as_frames(rec["frames"], where)
    for name, value in rec.items():
        if name.startswith("stance_"):
            out[name] = _as_label(value)
    return out


def _gold_frame(records: Iterable[Tuple[str, Mapping[str, Any]]]) -> pd.DataFrame:
    rows, seen = [], {}
    for where, rec in records:
        row = _check_gold_record(rec, where)
        if row["id"] in seen:
            raise ValueError(f"{where}: id {row['id']!r} already used at {seen[row['id']]}")
        seen[row["id"]] = where
        rows.append(row)
    leading = list(REQUIRED_GOLD_FIELDS) + ["cue", *GOLD_FLAGS]
    extra = sorted({name for row in rows for name in row} - set(leading))
    columns = [c for c in leading if c != "cue" or any("cue" in r for r in rows)] + extra
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame = frame.astype({"start": "int64", "end": "int64"})
    for name in GOLD_FLAGS:
        frame[name] = frame[name].astype(bool)
    return frame


def load_gold(path: PathLike) -> pd.DataFrame:
    """Read and validate a gold quotes file (JSONL, or CSV with the same columns).

    Returns one row per gold quote, in file order, with ``start``/``end`` as int64,
    ``optional``/``nested``/``hard`` as bool (false when absent), ``frames`` as tuples
    (when the field exists) and any extra fields kept.

    Raises ``ValueError`` naming the file and line for invalid JSON, a missing required
    field, a non-integer or empty span (``start >= end``), a quote whose length differs from
    its span, an unknown ``type`` or a repeated ``id``.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        table = pd.read_csv(path, dtype={"id": str, "doc_id": str, "lang": str}, keep_default_na=False,
                            na_values=[""])
        return _gold_from_table(table, f"{path}", first_line=2)
    return _gold_frame((f"{path}, line {lineno}", rec) for lineno, rec in _read_jsonl(path))


def _gold_from_table(table: pd.DataFrame, source: str, first_line: Optional[int] = None) -> pd.DataFrame:
    def where(i: int) -> str:
        return f"{source}, line {i + first_line}" if first_line is not None else f"{source}, row {i}"

    records = table.to_dict(orient="records")
    return _gold_frame((where(i), rec) for i, rec in enumerate(records))


def load_predictions(pred: TableLike) -> pd.DataFrame:
    """Read predictions (DataFrame, .csv or .jsonl) and check ``doc_id``, ``start``, ``end``.

    Adds ``pred_row`` (position in the input, 0-based) and ``pred_id`` (the ``id`` column
    as text if there is one, otherwise ``pred_row``). Raises ``ValueError`` naming the file
    and line (or row) of a prediction with a missing or empty span.
    """
    if isinstance(pred, pd.DataFrame):
        table, source, first_line = pred.reset_index(drop=True), "predictions", None
    else:
        path = Path(pred)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            table = pd.read_csv(path, dtype={"id": str, "doc_id": str, "actor": str, "side": str, "lang": str})
            first_line = 2
        elif suffix in (".jsonl", ".ndjson"):
            records = _read_jsonl(path)
            table = pd.DataFrame.from_records([rec for _, rec in records])
            lines = [lineno for lineno, _ in records]
            first_line = None
        else:
            raise ValueError(f"{path}: predictions must be a .csv or .jsonl file")
        source = str(path)
    missing = [c for c in REQUIRED_PRED_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}")

    def where(i: int) -> str:
        if not isinstance(pred, pd.DataFrame) and first_line is None:
            return f"{source}, line {lines[i]}"
        if first_line is not None:
            return f"{source}, line {i + first_line}"
        return f"{source}, row {i}"

    table = table.copy()
    starts, ends, docs = [], [], []
    for i, (doc, start, end) in enumerate(zip(table["doc_id"], table["start"], table["end"])):
        doc_text = _as_text_or_none(doc, where(i), "doc_id")
        if doc_text is None:
            raise ValueError(f"{where(i)}: field 'doc_id' is empty")
        s, e = _as_int(start, where(i), "start"), _as_int(end, where(i), "end")
        if s < 0 or s >= e:
            raise ValueError(f"{where(i)}: span [{s}, {e}) is empty or negative")
        docs.append(doc_text)
        starts.append(s)
        ends.append(e)
    table["doc_id"] = pd.Series(docs, index=table.index, dtype=object)
    table["start"] = np.asarray(starts, dtype=np.int64)
    table["end"] = np.asarray(ends, dtype=np.int64)
    table["pred_row"] = np.arange(len(table), dtype=np.int64)
    if "id" in table.columns:
        table["pred_id"] = [str(v) if not _is_missing(v) else str(i) for i, v in enumerate(table["id"])]
    else:
        table["pred_id"] = [str(i) for i in range(len(table))]
    return table


def load_texts(texts: Union[Mapping[str, str], PathLike]) -> Dict[str, str]:
    """Document texts by doc id, from a mapping or a folder.

    A folder is read as a corpus: its ``docs/`` subfolder if it has one, otherwise the
    folder itself; every ``*.txt`` file is a document whose id is the file name without
    ``.txt``. Files are read as UTF-8 in Python's text mode (line ends become ``\\n``),
    which is the convention the gold offsets use.
    """
    if isinstance(texts, Mapping):
        return {str(k): str(v) for k, v in texts.items()}
    folder = Path(texts)
    if not folder.is_dir():
        raise ValueError(f"{folder}: texts must be a mapping or a folder of .txt files")
    if (folder / "docs").is_dir():
        folder = folder / "docs"
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise ValueError(f"{folder}: no .txt documents found")
    return {f.stem: f.read_text(encoding="utf-8") for f in files}


def _headline_end(text: str) -> int:
    """End of the first line, its line break included (the whole text if it has none)."""
    newline = text.find("\n")
    return len(text) if newline < 0 else newline + 1


# --------------------------------------------------------------------------------------
# Pairing


def _greedy_pairs(
    p_start: np.ndarray, p_end: np.ndarray, g_start: np.ndarray, g_end: np.ndarray
) -> Tuple[List[Tuple[int, int, float]], np.ndarray]:
    """One-to-one greedy pairing of the predictions and gold items of one document.

    Inputs are in prediction-table order and gold-file order; positions in them are the
    last tie-breakers. Returns the (pred position, gold position, overlap) pairs and the
    full overlap matrix (predictions x gold).
    """
    inter = np.minimum(p_end[:, None], g_end[None, :]) - np.maximum(p_start[:, None], g_start[None, :])
    inter = np.clip(inter, 0, None)
    union = (p_end - p_start)[:, None] + (g_end - g_start)[None, :] - inter
    overlap = inter / union
    pi, gi = np.nonzero(inter > 0)
    if pi.size == 0:
        return [], overlap
    # np.lexsort sorts by the last key first.
    order = np.lexsort((pi, p_end[pi], p_start[pi], gi, g_end[gi], g_start[gi], -overlap[pi, gi]))
    used_p = np.zeros(len(p_start), dtype=bool)
    used_g = np.zeros(len(g_start), dtype=bool)
    pairs = []
    for k in order:
        p, g = int(pi[k]), int(gi[k])
        if used_p[p] or used_g[g]:
            continue
        used_p[p] = used_g[g] = True
        pairs.append((p, g, float(overlap[p, g])))
    return pairs, overlap


# --------------------------------------------------------------------------------------
# Result


@dataclass
class Evaluation:
    """The outcome of :func:`evaluate`.

    Attributes:
        summary: tidy table, one row per figure: ``scope`` (``all`` or a language),
            ``measure``, ``threshold``, ``value`` and ``n`` (how many units the figure is
            computed over: predictions for precision, gold items for recall, tp+fp+fn for
            F1, compared quotes for accuracies, (quote, frame) units for frame measures).
        pairs: every greedy pair with a positive overlap, at any threshold. ``counted`` is
            true for the pairs scored at the main threshold (overlap >= main, required gold);
            the ``*_correct`` columns are filled for every pair but only counted pairs enter
            the summary.
        errors: false positives and false negatives at the main threshold, with the best
            overlap each had with any item of the other side (to tell near misses from
            inventions and omissions).
        ignored: predictions and gold items left out before pairing (headline, document
            without gold), with the reason.
        notes: plain-language remarks on what was and was not measured.
    """

    summary: pd.DataFrame
    pairs: pd.DataFrame
    errors: pd.DataFrame
    ignored: pd.DataFrame
    thresholds: Tuple[float, ...]
    main: float
    notes: List[str] = field(default_factory=list)

    def get(self, measure: str, scope: str = _OVERALL, threshold: Optional[float] = None) -> float:
        """One figure of the summary (the main threshold unless another is given); NaN if absent."""
        threshold = self.main if threshold is None else threshold
        rows = self.summary[
            (self.summary["scope"] == scope)
            & (self.summary["measure"] == measure)
            & np.isclose(self.summary["threshold"].astype(float), threshold)
        ]
        return float(rows["value"].iloc[0]) if len(rows) else math.nan

    def to_text(self) -> str:
        """The summary as a plain-text table: one row per measure, one column per scope."""
        if self.summary.empty:
            return "quoteframe evaluation: nothing to score"
        scopes = list(dict.fromkeys(self.summary["scope"]))
        keys = list(dict.fromkeys(zip(self.summary["measure"], self.summary["threshold"])))
        cells = {
            (r.measure, r.threshold, r.scope): (r.value, r.n)
            for r in self.summary.itertuples(index=False)
        }
        header = ["measure", "at"] + scopes
        body = []
        for measure, threshold in keys:
            row = [measure, f"{threshold:g}"]
            for scope in scopes:
                value, n = cells.get((measure, threshold, scope), (math.nan, 0))
                if measure in ("tp", "fp", "fn"):
                    row.append(f"{int(value)}")
                elif value is None or (isinstance(value, float) and math.isnan(value)):
                    row.append("-")
                else:
                    row.append(f"{value:.3f} ({int(n)})")
            body.append(row)
        widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]

        def fmt(line: Sequence[str]) -> str:
            left = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
            return "  ".join(left + [cell.rjust(w) for cell, w in zip(line[2:], widths[2:])]).rstrip()

        out = [f"quoteframe evaluation (pairs counted at overlap >= {self.main:g}; n in brackets)"]
        out.append(fmt(header))
        out.append("  ".join("-" * w for w in widths))
        out.extend(fmt(line) for line in body)
        if self.notes:
            out.append("")
            out.extend(f"note: {note}" for note in self.notes)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


# --------------------------------------------------------------------------------------
# Scoring


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def _scopes(values: Iterable[str]) -> List[str]:
    return [_OVERALL] + sorted(set(values))


def evaluate(
    pred: TableLike,
    gold: TableLike,
    thresholds: Sequence[float] = (0.5, 0.8, 0.95),
    main: float = 0.8,
    texts: Union[None, Mapping[str, str], PathLike] = None,
    *,
    frames: Optional[Sequence[str]] = None,
) -> Evaluation:
    """Score predicted quotes against gold quotes (rules in the module docstring).

    Args:
        pred: predictions, as a DataFrame or a .csv / .jsonl path (see :func:`load_predictions`).
        gold: gold quotes, as a DataFrame or a .jsonl / .csv path (see :func:`load_gold`).
        thresholds: overlaps at which quote precision, recall and F1 are reported, each in
            (0, 1]. ``main`` is added if missing.
        main: the threshold at which pairs are counted for attribution, stance and frames.
        texts: document texts (mapping doc id -> text, or a corpus folder, see
            :func:`load_texts`). When given, predictions lying entirely in a document's first
            line (its headline) are ignored, gold items there are ignored too, and every gold
            span is checked against its text. When absent nothing is filtered.
        frames: the frame names of the codebook; by default every frame named in the gold.

    Documents scored are those with at least one gold item, plus every document of
    ``texts`` when given (so a document without quotes can still collect false
    positives). Predictions for other documents are ignored and listed in ``ignored``.

    Raises:
        ValueError: malformed gold or predictions, a threshold outside (0, 1], or a gold
            span that does not match its text.

    Example (a prediction one character short of a ten-character quote, overlap 0.9):

    >>> import pandas as pd
    >>> gold = pd.DataFrame([{"id": "g1", "doc_id": "d1", "lang": "en", "start": 0, "end": 10,
    ...                       "quote": "0123456789", "type": "direct", "speaker": "ana", "side": "a"}])
    >>> pred = pd.DataFrame([{"doc_id": "d1", "start": 0, "end": 9, "actor": "ana"}])
    >>> result = evaluate(pred, gold)
    >>> result.get("f1"), result.get("speaker_accuracy")
    (1.0, 1.0)
    >>> result.get("f1", threshold=0.95)
    0.0
    """
    thresholds = tuple(sorted({float(t) for t in thresholds} | {float(main)}))
    for t in thresholds:
        if not 0.0 < t <= 1.0:
            raise ValueError(f"thresholds must lie in (0, 1], got {t}")
    main = float(main)

    if isinstance(gold, pd.DataFrame):
        gold_df = _gold_from_table(gold.reset_index(drop=True), "gold")
    else:
        gold_df = load_gold(gold)
    pred_df = load_predictions(pred)
    text_map = load_texts(texts) if texts is not None else None
    notes: List[str] = []

    # One language per document, from the gold.
    doc_lang: Dict[str, str] = {}
    for doc, langs in gold_df.groupby("doc_id", sort=False)["lang"]:
        distinct = sorted(set(langs))
        if len(distinct) > 1:
            raise ValueError(f"gold: document {doc!r} has items in several languages: {', '.join(distinct)}")
        doc_lang[doc] = distinct[0]

    ignored_rows: List[Dict[str, Any]] = []
    pred_keep = np.ones(len(pred_df), dtype=bool)
    gold_keep = np.ones(len(gold_df), dtype=bool)
    scored_docs = set(gold_df["doc_id"])
    if text_map is not None:
        scored_docs |= set(text_map)
        no_text = sorted(set(gold_df["doc_id"]) - set(text_map))
        if no_text:
            notes.append(f"no text for {len(no_text)} gold document(s) ({', '.join(no_text[:5])}): "
                         "headlines not filtered there")
        for i, row in enumerate(gold_df.itertuples(index=False)):
            text = text_map.get(row.doc_id)
            if text is None:
                continue
            if text[row.start:row.end] != row.quote:
                raise ValueError(
                    f"gold item {row.id!r}: text[{row.start}:{row.end}] of {row.doc_id!r} is "
                    f"{text[row.start:row.end][:60]!r}, not the quote {row.quote[:60]!r}"
                )
            if row.end <= _headline_end(text):
                gold_keep[i] = False
                ignored_rows.append({"side": "gold", "reason": "headline", "doc_id": row.doc_id,
                                     "id": row.id, "start": row.start, "end": row.end})
    else:
        notes.append("no document texts given: predictions in headlines were not filtered out")

    for i, (doc, start, end, pid) in enumerate(
        zip(pred_df["doc_id"], pred_df["start"], pred_df["end"], pred_df["pred_id"])
    ):
        reason = None
        if doc not in scored_docs:
            reason = "document not in gold"
        elif text_map is not None and doc in text_map and end <= _headline_end(text_map[doc]):
            reason = "headline"
        if reason:
            pred_keep[i] = False
            ignored_rows.append({"side": "prediction", "reason": reason, "doc_id": doc,
                                 "id": pid, "start": int(start), "end": int(end)})
    if (~gold_keep).any():
        notes.append(f"{int((~gold_keep).sum())} gold item(s) lie in a headline and were not scored")

    preds = pred_df[pred_keep].reset_index(drop=True)
    golds = gold_df[gold_keep].reset_index(drop=True)

    # Language of each prediction: its document's gold, else its own lang column.
    own_lang = preds["lang"] if "lang" in preds.columns else pd.Series([None] * len(preds), dtype=object)
    preds["eval_lang"] = [
        doc_lang.get(doc) or (str(l) if not _is_missing(l) else _UNKNOWN_LANG)
        for doc, l in zip(preds["doc_id"], own_lang)
    ]

    # ---- pairing, document by document
    pair_rows: List[Tuple[int, int, float]] = []  # (pred index, gold index, overlap)
    best_for_pred = np.zeros(len(preds))
    best_pred_match: List[Optional[str]] = [None] * len(preds)
    best_for_gold = np.zeros(len(golds))
    best_gold_match: List[Optional[str]] = [None] * len(golds)
    pred_groups = {doc: idx.to_numpy() for doc, idx in preds.groupby("doc_id", sort=True).groups.items()}
    gold_groups = {doc: idx.to_numpy() for doc, idx in golds.groupby("doc_id", sort=True).groups.items()}
    for doc in sorted(set(pred_groups) & set(gold_groups)):
        pidx = np.sort(pred_groups[doc])
        gidx = np.sort(gold_groups[doc])
        pairs, overlap = _greedy_pairs(
            preds["start"].to_numpy()[pidx], preds["end"].to_numpy()[pidx],
            golds["start"].to_numpy()[gidx], golds["end"].to_numpy()[gidx],
        )
        pair_rows.extend((int(pidx[p]), int(gidx[g]), ov) for p, g, ov in pairs)
        # Best counterpart of each item, for error analysis (first in order on ties).
        for k, p in enumerate(pidx):
            j = int(np.argmax(overlap[k]))
            if overlap[k, j] > 0:
                best_for_pred[p], best_pred_match[p] = overlap[k, j], golds["id"].iloc[gidx[j]]
        for k, g in enumerate(gidx):
            j = int(np.argmax(overlap[:, k]))
            if overlap[j, k] > 0:
                best_for_gold[g], best_gold_match[g] = overlap[j, k], preds["pred_id"].iloc[pidx[j]]

    p_of = np.array([p for p, _, _ in pair_rows], dtype=np.int64)
    g_of = np.array([g for _, g, _ in pair_rows], dtype=np.int64)
    ov_of = np.array([ov for _, _, ov in pair_rows], dtype=float)
    optional_of = golds["optional"].to_numpy()[g_of] if len(g_of) else np.zeros(0, dtype=bool)

    pair_df = _pairs_table(preds, golds, p_of, g_of, ov_of, main, frames, notes)

    # ---- quote detection per threshold
    langs = list(preds["eval_lang"]) + list(golds["lang"])
    scopes = _scopes(langs)
    summary: List[Dict[str, Any]] = []
    pred_lang = preds["eval_lang"].to_numpy()
    gold_lang = golds["lang"].to_numpy()
    gold_required = ~golds["optional"].to_numpy()
    for t in thresholds:
        hit = ov_of >= t
        pred_hit = np.zeros(len(preds), dtype=bool)
        pred_hit[p_of[hit]] = True
        gold_hit = np.zeros(len(golds), dtype=bool)
        gold_hit[g_of[hit]] = True
        tp_lang = gold_lang[g_of[hit & ~optional_of]] if len(g_of) else np.array([], dtype=object)
        fp_lang = pred_lang[~pred_hit]
        fn_lang = gold_lang[gold_required & ~gold_hit]
        for scope in scopes:
            def count(values: np.ndarray) -> int:
                return int(len(values)) if scope == _OVERALL else int(np.sum(values == scope))

            tp, fp, fn = count(tp_lang), count(fp_lang), count(fn_lang)
            summary += [
                _row(scope, "tp", t, tp, tp),
                _row(scope, "fp", t, fp, fp),
                _row(scope, "fn", t, fn, fn),
                _row(scope, "precision", t, _ratio(tp, tp + fp), tp + fp),
                _row(scope, "recall", t, _ratio(tp, tp + fn), tp + fn),
                _row(scope, "f1", t, _ratio(2 * tp, 2 * tp + fp + fn), tp + fp + fn),
            ]

    # ---- attribution, stance and frames over the counted pairs
    counted = pair_df[pair_df["counted"]] if len(pair_df) else pair_df
    for scope in scopes:
        part = counted if scope == _OVERALL else counted[counted["lang"] == scope]
        for column, measure in _accuracy_columns(pair_df):
            known = part[column].dropna()
            summary.append(_row(scope, measure, main, _ratio(float(known.astype(bool).sum()), len(known)),
                                len(known)))
        if "frame_tp" in pair_df.columns:
            known = part.dropna(subset=["frame_tp"])
            tp, fp, fn = (float(known[c].sum()) for c in ("frame_tp", "frame_fp", "frame_fn"))
            summary += [
                _row(scope, "frame_precision", main, _ratio(tp, tp + fp), int(tp + fp)),
                _row(scope, "frame_recall", main, _ratio(tp, tp + fn), int(tp + fn)),
                _row(scope, "frame_f1", main, _ratio(2 * tp, 2 * tp + fp + fn), int(tp + fp + fn)),
            ]

    summary_df = pd.DataFrame(summary, columns=["scope", "measure", "threshold", "value", "n"])
    summary_df["n"] = summary_df["n"].astype("int64")

    errors_df = _errors_table(preds, golds, p_of, g_of, ov_of, main, text_map,
                              best_for_pred, best_pred_match, best_for_gold, best_gold_match)
    ignored_df = pd.DataFrame(ignored_rows, columns=["side", "reason", "doc_id", "id", "start", "end"])
    ignored_pred = int((ignored_df["side"] == "prediction").sum()) if len(ignored_df) else 0
    if ignored_pred:
        notes.append(f"{ignored_pred} prediction(s) ignored (headline or document without gold); see .ignored")
    return Evaluation(summary=summary_df, pairs=pair_df, errors=errors_df, ignored=ignored_df,
                      thresholds=thresholds, main=main, notes=notes)


def _row(scope: str, measure: str, threshold: float, value: float, n: int) -> Dict[str, Any]:
    return {"scope": scope, "measure": measure, "threshold": threshold, "value": float(value), "n": int(n)}


def _accuracy_columns(pair_df: pd.DataFrame) -> List[Tuple[str, str]]:
    """(correctness column, measure name) for every accuracy measured, in a fixed order."""
    out = []
    if "speaker_correct" in pair_df.columns:
        out.append(("speaker_correct", "speaker_accuracy"))
    if "side_correct" in pair_df.columns:
        out.append(("side_correct", "side_accuracy"))
    for column in pair_df.columns:
        if column.startswith("stance_") and column.endswith("_correct"):
            out.append((column, column[: -len("_correct")] + "_accuracy"))
    return out


def _compare(pred_values: Sequence[Any], gold_values: Sequence[Any]) -> pd.Series:
    """Per pair: True/False, or NA where the gold has no value. A missing prediction is wrong."""
    out = []
    for p, g in zip(pred_values, gold_values):
        g = _as_label(g)
        if g is None:
            out.append(pd.NA)
        else:
            out.append(_as_label(p) == g)
    return pd.Series(out, dtype="boolean")


def _pairs_table(
    preds: pd.DataFrame,
    golds: pd.DataFrame,
    p_of: np.ndarray,
    g_of: np.ndarray,
    ov_of: np.ndarray,
    main: float,
    frames: Optional[Sequence[str]],
    notes: List[str],
) -> pd.DataFrame:
    P = preds.iloc[p_of].reset_index(drop=True)
    G = golds.iloc[g_of].reset_index(drop=True)
    table = pd.DataFrame({
        "doc_id": G["doc_id"].to_numpy(dtype=object),
        "lang": G["lang"].to_numpy(dtype=object),
        "pred_row": P["pred_row"].to_numpy(dtype=np.int64),
        "pred_id": P["pred_id"].to_numpy(dtype=object),
        "gold_id": G["id"].to_numpy(dtype=object),
        "overlap": ov_of.astype(float),
        "pred_start": P["start"].to_numpy(dtype=np.int64),
        "pred_end": P["end"].to_numpy(dtype=np.int64),
        "gold_start": G["start"].to_numpy(dtype=np.int64),
        "gold_end": G["end"].to_numpy(dtype=np.int64),
        "type": G["type"].to_numpy(dtype=object),
        "optional": G["optional"].to_numpy(dtype=bool),
    })
    table["counted"] = (table["overlap"] >= main) & ~table["optional"]

    if "actor" in preds.columns:
        actor = P["actor"].to_numpy(dtype=object).copy()
        if "speaker" in P.columns:
            # A speaker outside the codebook has no actor id: gold codes such
            # a person by their name in snake_case, so compare that.
            names = P["speaker"].to_numpy(dtype=object)
            for i in range(len(actor)):
                if _is_missing(actor[i]) and not _is_missing(names[i]):
                    actor[i] = speaker_slug(names[i])
        table["actor"] = actor
        table["speaker"] = G["speaker"].to_numpy(dtype=object)
        table["speaker_correct"] = _compare(table["actor"], table["speaker"]).to_numpy()
    else:
        notes.append("predictions have no 'actor' column: speaker accuracy not measured")
    if "side" in preds.columns:
        table["pred_side"] = P["side"].to_numpy(dtype=object)
        table["gold_side"] = G["side"].to_numpy(dtype=object)
        table["side_correct"] = _compare(table["pred_side"], table["gold_side"]).to_numpy()
    else:
        notes.append("predictions have no 'side' column: side accuracy not measured")

    targets = sorted(c[len("stance_"):] for c in golds.columns if c.startswith("stance_"))
    for target in targets:
        column = f"stance_{target}_label"
        if column not in preds.columns:
            notes.append(f"predictions have no '{column}' column: stance toward {target} not measured")
            continue
        table[f"stance_{target}_pred"] = P[column].to_numpy(dtype=object)
        table[f"stance_{target}_gold"] = G[f"stance_{target}"].to_numpy(dtype=object)
        table[f"stance_{target}_correct"] = _compare(
            table[f"stance_{target}_pred"], table[f"stance_{target}_gold"]
        ).to_numpy()

    if "frames" in golds.columns:
        if frames is None:
            frames = sorted({f for fs in golds["frames"] if isinstance(fs, tuple) for f in fs})
        scored = [f for f in frames if f"frame_{f}" in preds.columns]
        absent = [f for f in frames if f"frame_{f}" not in preds.columns]
        if absent:
            notes.append(f"no prediction column for frame(s) {', '.join(absent)}: left out of frame measures")
        if scored:
            gold_sets, pred_sets, tps, fps, fns = [], [], [], [], []
            for i in range(len(table)):
                gold_frames = G["frames"].iloc[i]
                if not isinstance(gold_frames, tuple):
                    gold_sets.append(None), pred_sets.append(None)
                    tps.append(np.nan), fps.append(np.nan), fns.append(np.nan)
                    continue
                gset = {f for f in gold_frames if f in scored}
                pset = set()
                for f in scored:
                    score = P[f"frame_{f}"].iloc[i]
                    if not _is_missing(score) and float(score) > 0:
                        pset.add(f)
                gold_sets.append(tuple(sorted(gset)))
                pred_sets.append(tuple(sorted(pset)))
                tps.append(len(gset & pset)), fps.append(len(pset - gset)), fns.append(len(gset - pset))
            table["frames_gold"] = pd.Series(gold_sets, dtype=object)
            table["frames_pred"] = pd.Series(pred_sets, dtype=object)
            table["frame_tp"] = np.asarray(tps, dtype=float)
            table["frame_fp"] = np.asarray(fps, dtype=float)
            table["frame_fn"] = np.asarray(fns, dtype=float)
    return table


def _errors_table(
    preds: pd.DataFrame,
    golds: pd.DataFrame,
    p_of: np.ndarray,
    g_of: np.ndarray,
    ov_of: np.ndarray,
    main: float,
    text_map: Optional[Dict[str, str]],
    best_for_pred: np.ndarray,
    best_pred_match: List[Optional[str]],
    best_for_gold: np.ndarray,
    best_gold_match: List[Optional[str]],
) -> pd.DataFrame:
    """False positives and false negatives at the main threshold."""
    paired_ov_pred = np.full(len(preds), np.nan)
    paired_ov_pred[p_of] = ov_of
    paired_ov_gold = np.full(len(golds), np.nan)
    paired_ov_gold[g_of] = ov_of
    rows = []
    for i, r in enumerate(preds.itertuples(index=False)):
        if paired_ov_pred[i] >= main:
            continue
        text = text_map.get(r.doc_id) if text_map is not None else None
        rows.append({
            "kind": "FP", "doc_id": r.doc_id, "lang": r.eval_lang, "id": r.pred_id, "start": r.start,
            "end": r.end, "text": text[r.start:r.end] if text is not None else None,
            "type": None, "speaker": getattr(r, "actor", None),
            "paired_overlap": paired_ov_pred[i], "best_overlap": best_for_pred[i],
            "best_match": best_pred_match[i],
        })
    for i, r in enumerate(golds.itertuples(index=False)):
        if r.optional or paired_ov_gold[i] >= main:
            continue
        rows.append({
            "kind": "FN", "doc_id": r.doc_id, "lang": r.lang, "id": r.id, "start": r.start,
            "end": r.end, "text": r.quote, "type": r.type, "speaker": r.speaker,
            "paired_overlap": paired_ov_gold[i], "best_overlap": best_for_gold[i],
            "best_match": best_gold_match[i],
        })
    columns = ["kind", "doc_id", "lang", "id", "start", "end", "text", "type", "speaker",
               "paired_overlap", "best_overlap", "best_match"]
    table = pd.DataFrame(rows, columns=columns)
    if len(table):
        table = table.sort_values(["doc_id", "start", "end", "kind"], kind="stable").reset_index(drop=True)
    return table



def speaker_slug(name: str) -> str:
    """A speaker's name as an id: lower case, words joined by ``_``.

    >>> speaker_slug("Karim Benali"), speaker_slug("Jean-Marc Tissier")
    ('karim_benali', 'jean_marc_tissier')
    """
    import re
    import unicodedata

    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return "_".join(w for w in re.split(r"[^\w]+", s) if w)
