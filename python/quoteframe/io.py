"""Saving and loading quote tables: CSV, JSON Lines and Parquet.

:func:`save` writes the DataFrame :func:`quoteframe.analyze` returns and :func:`load`
gives it back with the same columns, dtypes and ``attrs``. The format follows the
file extension:

``.csv`` / ``.jsonl``
    The quotes, plus two small files beside them: ``<stem>.documents.csv``
    (``attrs["documents"]``, one row per input document) and ``<stem>.meta.json``
    (the column types, the codebook name and the other JSON-friendly ``attrs``). Both
    are optional on load: a table without them (another tool's, or one edited by
    hand) is read with the known quoteframe columns typed and the others inferred.
``.parquet``
    One file (needs ``pyarrow``); the documents and the metadata sit in its key-value
    metadata under ``quoteframe``.

Types after loading: offsets, indices and counts ``int64``; ``nested`` ``bool``;
``confidence`` ``float64``; ``type`` and ``attribution`` categorical with their fixed
categories; text columns pandas' default string dtype, a missing value being
missing (``None`` in an object column, NaN in a pandas 3 ``str`` column).

CSV conventions: UTF-8, ``\\n`` line ends, a header row, booleans ``true``/``false``,
floats written so they read back bit for bit, a missing value as an empty field.
CSV cannot tell an empty string from a missing one, so in the optional text columns
(``parent_id``, ``cue``, ``speaker``, ``actor``, ``side``, ``source``, and any text
column quoteframe does not know) an empty field is missing; in the others
(``doc_id``, ``text``, ``error``, ...) it is the empty string.

:func:`write_outputs` and :class:`OutputWriter` write the three files of a run
(``quotes.csv``, ``quotes.jsonl``, ``documents.csv``), the latter chunk by chunk so
a large corpus never has to sit in memory.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ._core import __version__
from .analyze import ATTRIBUTIONS, DOCUMENT_COLUMNS, QUOTE_COLUMNS, QUOTE_TYPES

__all__ = ["save", "load", "write_outputs", "OutputWriter", "FORMATS"]

PathLike = Union[str, "os.PathLike[str]"]

#: File extensions :func:`save` and :func:`load` understand.
FORMATS = (".csv", ".jsonl", ".parquet")

# Bumped when the layout of the sidecar / parquet metadata changes incompatibly.
_META_VERSION = 1
_META_KEY = b"quoteframe"

# pandas' default dtype for text: object before pandas 3, ``str`` from pandas 3 on.
_TEXT_DTYPE = pd.Series(["x"]).dtype

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


# --------------------------------------------------------------------------------------
# Column types


@dataclass(frozen=True)
class _Col:
    """How one column is written and read back.

    ``kind`` is one of ``int``, ``float``, ``bool``, ``text`` (empty CSV field = empty
    string), ``opt_text`` (empty CSV field = missing), ``category`` and ``object``
    (anything else, written as text in CSV). ``dtype`` is the exact pandas dtype of
    numeric and boolean columns (``int64``, ``Int64``, ``float32``, ``boolean``...).
    """

    kind: str
    dtype: str = ""
    categories: Tuple[str, ...] = ()

    def to_json(self, name: str) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": name, "kind": self.kind}
        if self.dtype:
            out["dtype"] = self.dtype
        if self.kind == "category":
            out["categories"] = list(self.categories)
        return out

    @classmethod
    def from_json(cls, spec: Mapping[str, Any], where: str) -> Tuple[str, "_Col"]:
        try:
            name, kind = str(spec["name"]), str(spec["kind"])
        except (KeyError, TypeError):
            raise ValueError(f"{where}: a column entry needs 'name' and 'kind', got {spec!r}") from None
        if kind not in _KINDS:
            raise ValueError(f"{where}: column {name!r} has unknown kind {kind!r}")
        return name, cls(kind, str(spec.get("dtype", "")), tuple(str(c) for c in spec.get("categories", ())))


_KINDS = ("int", "float", "bool", "text", "opt_text", "category", "object")

_INT = _Col("int", "int64")
_FLOAT = _Col("float", "float64")
_BOOL = _Col("bool", "bool")
_TEXT = _Col("text")
_OPT = _Col("opt_text")

QUOTE_SCHEMA: Dict[str, _Col] = {
    "doc_id": _TEXT, "quote_id": _TEXT, "start": _INT, "end": _INT, "text": _TEXT,
    "type": _Col("category", categories=tuple(QUOTE_TYPES)), "nested": _BOOL, "parent_id": _OPT,
    "cue": _OPT, "cue_start": _INT, "cue_end": _INT, "speaker": _OPT, "speaker_start": _INT,
    "speaker_end": _INT, "actor": _OPT, "side": _OPT, "source": _OPT,
    "attribution": _Col("category", categories=tuple(ATTRIBUTIONS)), "confidence": _FLOAT,
    "lang": _TEXT, "paragraph": _INT, "sentence": _INT,
}
DOCUMENT_SCHEMA: Dict[str, _Col] = {
    "doc_id": _TEXT, "path": _TEXT, "lang": _TEXT, "n_chars": _INT, "n_quotes": _INT,
    "status": _TEXT, "error": _TEXT,
}


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _col_for(name: str, series: pd.Series, known: Mapping[str, _Col]) -> _Col:
    """The column type to write ``series`` with: quoteframe's for known columns, else its dtype's."""
    if name in known:
        return known[name]
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories)
        if all(isinstance(c, str) for c in cats):
            return _Col("category", categories=tuple(cats))
        return _Col("object")
    if pd.api.types.is_bool_dtype(dtype):
        return _Col("bool", str(dtype))
    if pd.api.types.is_integer_dtype(dtype):
        return _Col("int", str(dtype))
    if pd.api.types.is_float_dtype(dtype):
        return _Col("float", str(dtype))
    if all(isinstance(v, str) for v in series if not _is_missing(v)):
        return _OPT
    return _Col("object")


def _schema_of(frame: pd.DataFrame, known: Mapping[str, _Col]) -> Dict[str, _Col]:
    if len(set(frame.columns)) != len(frame.columns):
        dup = sorted({str(c) for c in frame.columns if list(frame.columns).count(c) > 1})
        raise ValueError(f"the table has repeated column names: {', '.join(dup)}")
    return {str(name): _col_for(str(name), frame[name], known) for name in frame.columns}


# --------------------------------------------------------------------------------------
# Writing: every column becomes a list of plain Python values (None for missing)


def _cells(series: pd.Series, col: _Col) -> List[Any]:
    out = [None if _is_missing(v) else v for v in series.astype(object).tolist()]
    if col.kind == "int":
        return [None if v is None else int(v) for v in out]
    if col.kind == "float":
        return [None if v is None else float(v) for v in out]
    if col.kind == "bool":
        return [None if v is None else bool(v) for v in out]
    if col.kind in ("text", "opt_text", "category"):
        return [None if v is None else str(v) for v in out]
    return [v.item() if isinstance(v, np.generic) else v for v in out]


def _csv_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)  # shortest text that reads back to the same double
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _json_value(v: Any) -> Any:
    if isinstance(v, tuple):
        return list(v)
    return v


def _columns_of(frame: pd.DataFrame, schema: Mapping[str, _Col]) -> List[List[Any]]:
    # pandas copies attrs (the documents table) into every column it hands out: drop them first.
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return [_cells(bare[name], col) for name, col in schema.items()]


def _write_csv_rows(handle, columns: List[List[Any]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerows([_csv_text(v) for v in row] for row in zip(*columns))


def _write_jsonl_rows(handle, names: Sequence[str], columns: List[List[Any]]) -> None:
    for row in zip(*columns):
        record = {name: _json_value(v) for name, v in zip(names, row)}
        handle.write(json.dumps(record, ensure_ascii=False, default=str))
        handle.write("\n")


def _meta(schema: Mapping[str, _Col], attrs: Mapping[str, Any], documents: Optional[str]) -> Dict[str, Any]:
    kept = {}
    for key, value in attrs.items():
        if key == "documents":
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue  # not representable; documented as dropped
        kept[str(key)] = value
    return {
        "quoteframe_table": _META_VERSION,
        "quoteframe_version": __version__,
        "columns": [col.to_json(name) for name, col in schema.items()],
        "documents": documents,
        "attrs": kept,
    }


def _write_json_file(path: Path, obj: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def _documents_of(quotes: pd.DataFrame) -> Optional[pd.DataFrame]:
    docs = quotes.attrs.get("documents")
    if docs is None:
        return None
    if not isinstance(docs, pd.DataFrame):
        raise ValueError(f"quotes.attrs['documents'] must be a DataFrame, not {type(docs).__name__}")
    return docs


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: unknown table format {path.suffix or '(no extension)'!r}; use one of {', '.join(FORMATS)}"
        )
    return suffix


def _sidecars(path: Path) -> Tuple[Path, Path]:
    """(documents CSV, metadata JSON) written beside a .csv or .jsonl table."""
    return path.with_name(path.stem + ".documents.csv"), path.with_name(path.stem + ".meta.json")


def save(quotes: pd.DataFrame, path: PathLike) -> Path:
    """Write a quotes DataFrame to ``path`` (``.csv``, ``.jsonl`` or ``.parquet``).

    For CSV and JSON Lines, ``<stem>.documents.csv`` (when ``quotes.attrs`` has
    ``documents``) and ``<stem>.meta.json`` are written beside it. ``attrs`` values
    that are not JSON-friendly (other than ``documents``) are not saved.
    Returns ``path``.
    """
    path = Path(path)
    suffix = _suffix(path)
    schema = _schema_of(quotes, QUOTE_SCHEMA)
    docs = _documents_of(quotes)
    if suffix == ".parquet":
        _save_parquet(quotes, schema, docs, path)
        return path
    docs_path, meta_path = _sidecars(path)
    columns = _columns_of(quotes, schema)
    with open(path, "w", encoding="utf-8", newline="") as f:
        if suffix == ".csv":
            csv.writer(f, lineterminator="\n").writerow(list(schema))
            _write_csv_rows(f, columns)
        else:
            _write_jsonl_rows(f, list(schema), columns)
    if docs is not None:
        _write_documents_csv(docs, docs_path)
    _write_json_file(meta_path, _meta(schema, quotes.attrs, docs_path.name if docs is not None else None))
    return path


def _write_documents_csv(docs: pd.DataFrame, path: Path) -> None:
    schema = _schema_of(docs, DOCUMENT_SCHEMA)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(list(schema))
        _write_csv_rows(f, _columns_of(docs, schema))


# --------------------------------------------------------------------------------------
# Reading: lists of raw values (text from CSV, typed from JSON / Parquet) to typed columns


def _bad(where: str, name: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"{where}: column '{name}': expected {expected}, got {value!r}")


def _parse_int(v: Any, from_text: bool) -> Optional[int]:
    """An int, None for missing, or raise ValueError/TypeError."""
    if from_text:
        if v == "":
            return None
        return int(v)
    if _is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        raise TypeError("a boolean is not an integer")
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    raise TypeError("not an integer")


def _parse_float(v: Any, from_text: bool) -> float:
    if from_text:
        return math.nan if v == "" else float(v)
    if _is_missing(v):
        return math.nan
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError("not a number")
    return float(v)


def _parse_bool(v: Any, from_text: bool) -> Optional[bool]:
    if _is_missing(v) or (from_text and v == ""):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)) and int(v) in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    raise ValueError("not a boolean")


def _text_series(values: List[Any]) -> pd.Series:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return pd.Series(arr, dtype=_TEXT_DTYPE)


def _convert(name: str, values: List[Any], col: _Col, from_text: bool, where: Callable[[int], str]) -> pd.Series:
    """One typed column from raw values; errors name the file, line and column."""
    kind = col.kind
    if kind == "int":
        nullable = col.dtype[:1].isupper()  # pandas' nullable Int64, UInt8, ...
        out: List[Any] = []
        for i, v in enumerate(values):
            try:
                n = _parse_int(v, from_text)
            except (ValueError, TypeError):
                raise _bad(where(i), name, "an integer", v) from None
            if n is None and not nullable:
                raise _bad(where(i), name, "an integer", v)
            out.append(n)
        try:
            if nullable:
                return pd.Series(pd.array(out, dtype=col.dtype))
            return pd.Series(np.array(out, dtype=np.dtype(col.dtype or "int64")))
        except (OverflowError, TypeError, ValueError):
            raise ValueError(f"column '{name}': a value does not fit its type {col.dtype}") from None
    if kind == "float":
        out = []
        for i, v in enumerate(values):
            try:
                out.append(_parse_float(v, from_text))
            except (ValueError, TypeError):
                raise _bad(where(i), name, "a number", v) from None
        dtype = col.dtype or "float64"
        if dtype[:1].isupper():
            return pd.Series(pd.array([None if math.isnan(x) else x for x in out], dtype=dtype))
        return pd.Series(np.array(out, dtype=np.dtype(dtype)))
    if kind == "bool":
        nullable = col.dtype == "boolean"
        out = []
        for i, v in enumerate(values):
            try:
                b = _parse_bool(v, from_text)
            except ValueError:
                raise _bad(where(i), name, "true or false", v) from None
            if b is None and not nullable:
                raise _bad(where(i), name, "true or false", v)
            out.append(b)
        if nullable:
            return pd.Series(pd.array(out, dtype="boolean"))
        return pd.Series(np.array(out, dtype=bool))
    if kind in ("text", "opt_text", "category"):
        empty_is_missing = kind != "text" and from_text
        cleaned: List[Any] = []
        for v in values:
            if _is_missing(v) or (empty_is_missing and v == ""):
                cleaned.append(None)
            elif isinstance(v, str):
                cleaned.append(v)
            elif isinstance(v, (list, dict, tuple)):
                cleaned.append(json.dumps(v, ensure_ascii=False))
            else:
                cleaned.append(str(v))
        if kind != "category":
            return _text_series(cleaned)
        allowed = set(col.categories)
        for i, v in enumerate(cleaned):
            if v is not None and v not in allowed:
                raise _bad(where(i), name, "one of " + ", ".join(col.categories), v)
        return pd.Series(pd.Categorical(np.array(cleaned, dtype=object), categories=list(col.categories)))
    # object: kept as read (JSON lists stay lists); missing becomes None
    arr = np.empty(len(values), dtype=object)
    arr[:] = [None if _is_missing(v) else v for v in values]
    return pd.Series(arr, dtype=object)


def _infer(values: List[Any], from_text: bool) -> _Col:
    """A column type for a column neither quoteframe nor the metadata knows."""
    present = [v for v in values if not (_is_missing(v) or (from_text and v == ""))]
    if not present:
        return _OPT
    complete = len(present) == len(values)

    def all_parse(fn: Callable[[Any, bool], Any]) -> bool:
        try:
            for v in present:
                fn(v, from_text)
        except (ValueError, TypeError):
            return False
        return True

    if from_text:
        if complete and all(v.strip().lower() in ("true", "false") for v in present):
            return _BOOL
        if complete and all_parse(_parse_int):
            return _INT
        if all_parse(_parse_float):
            return _FLOAT
        return _OPT
    if complete and all(isinstance(v, bool) for v in present):
        return _BOOL
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return _INT if complete and all(isinstance(v, int) for v in present) else _FLOAT
    if all(isinstance(v, str) for v in present):
        return _OPT
    return _Col("object")


def _build(
    names: Sequence[str],
    columns: Mapping[str, List[Any]],
    n_rows: int,
    schema: Mapping[str, _Col],
    from_text: bool,
    where: Callable[[int], str],
) -> pd.DataFrame:
    data = {}
    for name in names:
        values = columns.get(name)
        if values is None:
            values = [None] * n_rows
        col = schema.get(name) or _infer(values, from_text)
        data[name] = _convert(name, values, col, from_text, where)
    return pd.DataFrame(data, columns=list(names), index=pd.RangeIndex(n_rows))


def _read_text(path: Path) -> Any:
    # utf-8-sig: a table re-saved by a spreadsheet often starts with a byte order mark.
    return open(path, encoding="utf-8-sig", newline="")


def _decode_error(path: Path, exc: UnicodeDecodeError) -> ValueError:
    return ValueError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})")


def _read_csv_columns(path: Path) -> Tuple[List[str], Dict[str, List[str]], List[int]]:
    """Header, columns of raw strings, and the line number of each record."""
    try:
        with _read_text(path) as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                return [], {}, []
            if len(set(header)) != len(header):
                raise ValueError(f"{path}, line 1: repeated column names in the header")
            rows, lines = [], []
            for row in reader:
                if not row:
                    continue  # a blank line
                if len(row) != len(header):
                    raise ValueError(
                        f"{path}, line {reader.line_num}: {len(row)} fields, but the header has {len(header)}"
                    )
                rows.append(row)
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, exc) from None
    except csv.Error as exc:
        raise ValueError(f"{path}: malformed CSV ({exc})") from None
    columns = {name: [row[j] for row in rows] for j, name in enumerate(header)}
    return header, columns, lines


def _read_jsonl_columns(path: Path) -> Tuple[List[str], Dict[str, List[Any]], List[int]]:
    names: Dict[str, None] = {}
    records, lines = [], []
    try:
        with _read_text(path) as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}, line {lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(rec, dict):
                    raise ValueError(f"{path}, line {lineno}: expected a JSON object, got {type(rec).__name__}")
                for key in rec:
                    names.setdefault(key, None)
                records.append(rec)
                lines.append(lineno)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, exc) from None
    columns = {name: [rec.get(name) for rec in records] for name in names}
    return list(names), columns, lines


def _read_meta(path: Path) -> Optional[Dict[str, Any]]:
    if not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid quoteframe metadata file ({exc})") from None
    _check_meta(meta, str(path))
    return meta


def _check_meta(meta: Any, where: str) -> None:
    if not isinstance(meta, dict) or "quoteframe_table" not in meta:
        raise ValueError(f"{where}: not a quoteframe metadata file")
    if meta["quoteframe_table"] != _META_VERSION:
        raise ValueError(
            f"{where}: table layout version {meta['quoteframe_table']!r} is not the one this "
            f"quoteframe ({__version__}) reads ({_META_VERSION})"
        )


def _meta_schema(meta: Optional[Mapping[str, Any]], where: str, fallback: Mapping[str, _Col]) -> Dict[str, _Col]:
    schema = dict(fallback)
    if meta:
        for spec in meta.get("columns", []):
            name, col = _Col.from_json(spec, where)
            schema[name] = col
    return schema


def _line_where(path: Path, lines: Sequence[int]) -> Callable[[int], str]:
    return lambda i: f"{path}, line {lines[i]}"


def _read_documents_csv(path: Path) -> pd.DataFrame:
    names, columns, lines = _read_csv_columns(path)
    if not names:
        names = list(DOCUMENT_COLUMNS)
    return _build(names, columns, len(lines), DOCUMENT_SCHEMA, True, _line_where(path, lines))


def load(path: PathLike) -> pd.DataFrame:
    """Read a quotes table written by :func:`save` (or any table in the same formats).

    The documents table, when found beside the file (or inside a Parquet file), is
    put back in ``attrs["documents"]``, and the saved ``attrs`` (``codebook``...) too.

    Raises ``FileNotFoundError`` for a missing file, ``ValueError`` naming the file,
    line and column for a value of the wrong type, and ``ImportError`` for Parquet
    without pyarrow.
    """
    path = Path(path)
    suffix = _suffix(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if suffix == ".parquet":
        return _load_parquet(path)
    docs_path, meta_path = _sidecars(path)
    meta = _read_meta(meta_path)
    schema = _meta_schema(meta, str(meta_path), QUOTE_SCHEMA)
    reader = _read_csv_columns if suffix == ".csv" else _read_jsonl_columns
    names, columns, lines = reader(path)
    if meta is not None:
        # The metadata fixes the column order (and the columns of an empty JSONL file).
        order = [spec["name"] for spec in meta.get("columns", []) if spec.get("name") in columns or not lines]
        names = order + [n for n in names if n not in order]
    elif not names:
        names = list(QUOTE_COLUMNS)
    frame = _build(names, columns, len(lines), schema, suffix == ".csv", _line_where(path, lines))
    if meta is not None:
        frame.attrs.update(meta.get("attrs", {}))
        docs_name = meta.get("documents")
        if docs_name:
            frame.attrs["documents"] = _read_documents_csv(path.with_name(docs_name))
    elif docs_path.is_file():
        frame.attrs["documents"] = _read_documents_csv(docs_path)
    return frame


# --------------------------------------------------------------------------------------
# Parquet (optional dependency)


def _pyarrow():
    """``(pyarrow, pyarrow.parquet)``, or the optional-dependency ImportError."""
    from ._optional import optional_module

    return (optional_module("pyarrow", "reading or writing .parquet files"),
            optional_module("pyarrow.parquet", "reading or writing .parquet files"))


def _arrow_array(pa, values: List[Any], col: _Col):
    if col.kind == "int":
        return pa.array(values, type=pa.from_numpy_dtype(np.dtype(col.dtype.lower() or "int64")))
    if col.kind == "float":
        return pa.array(values, type=pa.from_numpy_dtype(np.dtype(col.dtype.lower() or "float64")))
    if col.kind == "bool":
        return pa.array(values, type=pa.bool_())
    if col.kind in ("text", "opt_text", "category"):
        return pa.array(values, type=pa.string())
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else _csv_text(v) for v in values], type=pa.string())


def _save_parquet(quotes: pd.DataFrame, schema: Mapping[str, _Col], docs: Optional[pd.DataFrame], path: Path) -> None:
    pa, pq = _pyarrow()
    columns = _columns_of(quotes, schema)
    table = pa.table({name: _arrow_array(pa, values, col) for (name, col), values in zip(schema.items(), columns)})
    meta = _meta(schema, quotes.attrs, None)
    if docs is not None:
        doc_schema = _schema_of(docs, DOCUMENT_SCHEMA)
        meta["documents_table"] = {
            "columns": [col.to_json(name) for name, col in doc_schema.items()],
            "data": dict(zip(doc_schema, (list(map(_json_value, c)) for c in _columns_of(docs, doc_schema)))),
        }
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta, ensure_ascii=False).encode("utf-8")})
    pq.write_table(table, str(path))


def _load_parquet(path: Path) -> pd.DataFrame:
    pa, pq = _pyarrow()
    try:
        table = pq.read_table(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"{path}: not a readable Parquet file ({exc})") from None
    raw = (table.schema.metadata or {}).get(_META_KEY)
    meta = None
    if raw is not None:
        meta = json.loads(raw.decode("utf-8"))
        _check_meta(meta, f"{path} (metadata)")
    schema = _meta_schema(meta, f"{path} (metadata)", QUOTE_SCHEMA)
    names = list(table.column_names)
    columns = {name: table.column(name).to_pylist() for name in names}
    frame = _build(names, columns, table.num_rows, schema, False, lambda i: f"{path}, row {i}")
    if meta is not None:
        frame.attrs.update(meta.get("attrs", {}))
        stored = meta.get("documents_table")
        if stored:
            where = f"{path} (documents)"
            doc_schema = _meta_schema({"columns": stored["columns"]}, where, DOCUMENT_SCHEMA)
            doc_names = [spec["name"] for spec in stored["columns"]]
            data = stored["data"]
            n = len(next(iter(data.values()))) if data else 0
            frame.attrs["documents"] = _build(doc_names, data, n, doc_schema, False,
                                              lambda i: f"{where}, row {i}")
    return frame


# --------------------------------------------------------------------------------------
# The files of a run


class OutputWriter:
    """Writes ``quotes.csv``, ``quotes.jsonl`` and ``documents.csv`` into ``outdir``, chunk by chunk.

    Each :meth:`write` appends one result of :func:`quoteframe.analyze` (its quotes
    and ``attrs["documents"]``), so memory is bounded by the chunk. Files are written
    under temporary names and moved into place by :meth:`close`, so an interrupted run
    never leaves a half-written table under the final name (nor clobbers a previous
    run's). ``quotes.meta.json`` records the column types and codebook, so that
    :func:`load` on ``quotes.csv`` or ``quotes.jsonl`` restores dtypes and ``attrs``.

    Use it as a context manager: on an exception the temporary files are removed.
    """

    def __init__(self, outdir: PathLike):
        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.paths = {
            "quotes.csv": self.outdir / "quotes.csv",
            "quotes.jsonl": self.outdir / "quotes.jsonl",
            "documents.csv": self.outdir / "documents.csv",
            "quotes.meta.json": self.outdir / "quotes.meta.json",
        }
        self._tmp = {k: p.with_name(f".{p.name}.partial") for k, p in self.paths.items()}
        self._handles = {k: open(self._tmp[k], "w", encoding="utf-8", newline="")
                         for k in ("quotes.csv", "quotes.jsonl", "documents.csv")}
        self._schema: Optional[Dict[str, _Col]] = None
        self._doc_schema: Optional[Dict[str, _Col]] = None
        self._attrs: Dict[str, Any] = {}
        self.n_quotes = 0
        self.n_documents = 0
        self._closed = False

    def _start(self, schema: Dict[str, _Col], doc_schema: Dict[str, _Col]) -> None:
        self._schema, self._doc_schema = schema, doc_schema
        csv.writer(self._handles["quotes.csv"], lineterminator="\n").writerow(list(schema))
        csv.writer(self._handles["documents.csv"], lineterminator="\n").writerow(list(doc_schema))

    def write(self, quotes: pd.DataFrame, documents: Optional[pd.DataFrame] = None) -> None:
        """Append one chunk: its quotes, and its documents (default ``quotes.attrs["documents"]``)."""
        if self._closed:
            raise ValueError("this OutputWriter is closed")
        docs = documents if documents is not None else _documents_of(quotes)
        if docs is None:
            raise ValueError(
                "no documents table: pass the result of quoteframe.analyze() (which has "
                "attrs['documents']) or documents= explicitly"
            )
        schema = _schema_of(quotes, QUOTE_SCHEMA)
        doc_schema = _schema_of(docs, DOCUMENT_SCHEMA)
        if self._schema is None:
            self._start(schema, doc_schema)
            self._attrs = {k: v for k, v in quotes.attrs.items() if k != "documents"}
        elif list(schema) != list(self._schema) or list(doc_schema) != list(self._doc_schema or {}):
            raise ValueError("every chunk must have the same columns as the first")
        assert self._schema is not None and self._doc_schema is not None
        names = list(self._schema)
        columns = _columns_of(quotes, self._schema)
        _write_csv_rows(self._handles["quotes.csv"], columns)
        _write_jsonl_rows(self._handles["quotes.jsonl"], names, columns)
        _write_csv_rows(self._handles["documents.csv"], _columns_of(docs, self._doc_schema))
        self.n_quotes += len(quotes)
        self.n_documents += len(docs)

    def close(self) -> Dict[str, Path]:
        """Finish the files and move them into place; returns their paths by name."""
        if self._closed:
            return self.paths
        if self._schema is None:  # nothing written: still leave valid, empty tables
            self._start(dict(QUOTE_SCHEMA), dict(DOCUMENT_SCHEMA))
        assert self._schema is not None
        for h in self._handles.values():
            h.close()
        _write_json_file(self._tmp["quotes.meta.json"], _meta(self._schema, self._attrs, "documents.csv"))
        for key, final in self.paths.items():
            os.replace(self._tmp[key], final)
        self._closed = True
        return self.paths

    def abort(self) -> None:
        """Drop the temporary files; the final files are left as they were."""
        if self._closed:
            return
        for h in self._handles.values():
            h.close()
        for p in self._tmp.values():
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        self._closed = True

    def __enter__(self) -> "OutputWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_outputs(quotes: pd.DataFrame, outdir: PathLike) -> Dict[str, Path]:
    """Write the files of a run into ``outdir`` (created if needed).

    ``quotes.csv`` and ``quotes.jsonl`` (one row per quote, in the order of
    ``quotes``: documents in input order, quotes in text order), ``documents.csv``
    (``doc_id, path, lang, n_chars, n_quotes, status, error``: one row per input
    document, failures included) and ``quotes.meta.json`` (column types, codebook).
    All UTF-8; offsets are written as integers. Returns the paths by file name.
    """
    with OutputWriter(outdir) as out:
        out.write(quotes)
    return out.paths
