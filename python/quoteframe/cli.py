"""The ``quoteframe`` command line (also ``python -m quoteframe``).

Every subcommand returns an exit code (see ``EPILOG``). A mistake the user can fix
(missing path, invalid codebook, unreadable file) is one ``quoteframe: ...`` line on
stderr, never a traceback; only an internal error prints one.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import textwrap
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Sequence

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_DOCUMENTS = 4
EXIT_INTERRUPTED = 130

EPILOG = """\
exit codes:
  0    success
  1    internal error (a bug: please report it with the traceback)
  2    usage error (unknown option, missing argument, invalid value)
  3    bad input (missing path, invalid codebook, unreadable or malformed file)
  4    analyze finished, but some documents failed (see the error rows of documents.csv)
  130  interrupted (Ctrl-C)
"""

#: Documents per analyze() call in ``quoteframe analyze``: memory is bounded by one chunk.
DEFAULT_CHUNK_SIZE = 500


class UserError(Exception):
    """A problem with the command's input, reported as one line with exit code 3."""


class UsageError(Exception):
    """An option value argparse could not check itself; exit code 2."""


# --------------------------------------------------------------------------------------
# Small helpers


def _say(*parts: Any, file: Optional[IO[str]] = None) -> None:
    print(*parts, file=file or sys.stdout)


def _corpus_files(spec: str) -> List[Path]:
    """The .txt files of a folder, a glob, or one file, sorted; a UserError when there are none."""
    p = Path(spec)
    if p.is_dir():
        files = sorted(q for q in p.iterdir() if q.suffix == ".txt" and q.is_file())
        if not files:
            raise UserError(f"no .txt documents in the folder {spec}")
    elif p.is_file():
        files = [p]
    elif any(ch in spec for ch in "*?["):
        files = sorted(Path(q) for q in glob.glob(spec, recursive=True) if Path(q).is_file())
        if not files:
            raise UserError(f"the glob {spec} matches no files")
    else:
        raise UserError(f"no such corpus folder or glob: {spec}")
    seen: Dict[str, Path] = {}
    for f in files:
        if f.stem in seen:
            raise UserError(
                f"two documents would have the id {f.stem!r} ({seen[f.stem]} and {f}): "
                "a document's id is its file name without .txt, so names must be unique"
            )
        seen[f.stem] = f
    return files


class _Progress:
    """A one-line progress bar on a terminal's stderr (no-op when disabled)."""

    def __init__(self, total: int, enabled: bool, stream: Optional[IO[str]] = None, width: int = 30):
        self.total, self.done, self.enabled, self.width = total, 0, enabled, width
        self.stream = stream or sys.stderr
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\ranalyzing [{bar}] {self.done}/{self.total} documents {frac:4.0%}")
        self.stream.flush()

    def clear(self) -> None:
        """Blank the bar's line, so that a message can be printed in its place."""
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 48) + "\r")
            self.stream.flush()

    def update(self, n: int) -> None:
        self.done += n
        self._draw()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
            self.enabled = False


def _counts(counter: Counter, order: Sequence[str] = ()) -> str:
    """``a 3, b 1`` with the known keys first (in ``order``), then the rest by count."""
    keys = [k for k in order if counter.get(k)]
    keys += sorted((k for k in counter if k not in order), key=lambda k: (-counter[k], str(k)))
    return ", ".join(f"{k} {counter[k]}" for k in keys) or "none"


# --------------------------------------------------------------------------------------
# inspect


def _cmd_inspect(args: argparse.Namespace) -> int:
    from .text import read_corpus

    corpus = read_corpus(args.corpus, lang=args.lang, errors=args.errors)
    print(f"{'doc_id':<26} {'lang':<4} {'chars':>6} {'paras':>5} {'sents':>5} {'tokens':>6}  headline")
    for doc in corpus:
        head = (doc.headline or "")[:60]
        print(
            f"{doc.id:<26} {doc.lang:<4} {doc.n_chars:>6} {len(doc.paragraphs):>5} "
            f"{len(doc.sentences):>5} {len(doc):>6}  {head}"
        )
    return EXIT_OK


# --------------------------------------------------------------------------------------
# analyze


def _report_warnings(caught: List[warnings.WarningMessage], quiet: bool, progress: "_Progress") -> None:
    from .text import QuoteframeWarning

    for w in caught:
        if issubclass(w.category, QuoteframeWarning):
            if not quiet:
                progress.clear()
                _say(f"quoteframe: warning: {w.message}", file=sys.stderr)
        else:  # not ours to reword: hand it back to the warnings machinery
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from ._resources import languages
    from .analyze import QUOTE_TYPES, Analyzer, analyze
    from .io import OutputWriter
    from .text import QuoteframeWarning

    if args.chunk_size < 1:
        raise UsageError(f"--chunk-size must be at least 1, not {args.chunk_size}")
    if args.threads is not None and args.threads < 0:
        raise UsageError(f"--threads must be 0 (every core) or more, not {args.threads}")
    if args.lang is not None and args.lang not in languages().codes():
        known = ", ".join(languages().codes())
        raise UsageError(f"--lang {args.lang}: not a language quoteframe knows ({known})")
    files = _corpus_files(args.corpus)
    outdir = Path(args.outdir)
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"the output folder {outdir} exists and is not a folder")
    analyzer = Analyzer(args.codebook) if args.codebook else Analyzer()

    by_type: Counter = Counter()
    by_side: Counter = Counter()
    n_failed, first_failed, bad_utf8 = 0, [], False  # only a few failures are kept for the message
    progress = _Progress(len(files), enabled=not args.quiet and sys.stderr.isatty())
    try:
        with warnings.catch_warnings(record=True) as caught, OutputWriter(outdir) as out:
            # Replaced invalid UTF-8 (--errors replace) is reported as a plain line, not a Python warning.
            warnings.simplefilter("always", QuoteframeWarning)
            for i in range(0, len(files), args.chunk_size):
                chunk = files[i:i + args.chunk_size]
                quotes = analyze(chunk, codebook=analyzer, lang=args.lang, threads=args.threads,
                                 errors=args.errors)
                out.write(quotes)
                by_type.update(str(t) for t in quotes["type"])
                by_side.update(s if isinstance(s, str) else "(no side)" for s in quotes["side"])
                docs = quotes.attrs["documents"]
                bad = docs[docs["status"] != "ok"]
                n_failed += len(bad)
                bad_utf8 = bad_utf8 or bad["error"].str.contains("UTF-8", regex=False).any()
                first_failed.extend(list(bad[["doc_id", "path", "error"]].itertuples(index=False))[:5])
                del first_failed[5:]
                _report_warnings(caught, args.quiet, progress)
                del caught[:]
                progress.update(len(chunk))
    finally:
        progress.close()

    n_docs, n_quotes = out.n_documents, out.n_quotes
    if not args.quiet:
        _say(f"{n_docs} document{'s' * (n_docs != 1)}: {n_docs - n_failed} ok, {n_failed} failed"
             f"  (codebook {analyzer.codebook.name})")
        _say(f"{n_quotes} quote{'s' * (n_quotes != 1)} by type: {_counts(by_type, QUOTE_TYPES)}")
        _say(f"by side: {_counts(by_side)}")
        names = ", ".join(str(out.paths[k]) for k in ("quotes.csv", "quotes.jsonl", "documents.csv"))
        _say(f"wrote {names}")
    if n_failed:
        # Reported even with --quiet: it is an error the caller has to act on.
        _say(f"quoteframe: {n_failed} of {n_docs} documents failed; their rows in "
             f"{out.paths['documents.csv']} have status 'error':", file=sys.stderr)
        for doc in first_failed:
            _say(f"  {doc.path or doc.doc_id}: {doc.error}", file=sys.stderr)
        if n_failed > len(first_failed):
            _say(f"  ... and {n_failed - len(first_failed)} more", file=sys.stderr)
        if args.errors == "row" and bad_utf8:
            _say("  (rerun with --errors replace to substitute U+FFFD for invalid UTF-8 bytes)", file=sys.stderr)
        return EXIT_DOCUMENTS
    return EXIT_OK


# --------------------------------------------------------------------------------------
# evaluate


def _predictions_path(spec: str) -> Path:
    p = Path(spec)
    if p.is_dir():
        for name in ("quotes.csv", "quotes.jsonl", "quotes.parquet"):
            if (p / name).is_file():
                return p / name
        raise UserError(f"the folder {spec} has no quotes.csv (or quotes.jsonl / quotes.parquet)")
    if not p.is_file():
        raise UserError(f"no such predictions file or output folder: {spec}")
    return p


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate
    from .io import load

    gold = Path(args.gold)
    if not gold.is_file():
        raise UserError(f"no such gold file: {args.gold}")
    if args.texts is not None and not Path(args.texts).is_dir():
        raise UserError(f"--texts {args.texts}: no such corpus folder")
    if not 0.0 < args.main <= 1.0:
        raise UsageError(f"--main must lie in (0, 1], not {args.main}")
    path = _predictions_path(args.pred)
    pred: Any = path
    # quoteframe's own tables (sidecar metadata, or Parquet, which evaluate cannot read) are
    # loaded with their types; another tool's file goes to evaluate as is, which checks only
    # the columns it scores and names the line of a bad one.
    if path.suffix.lower() == ".parquet" or path.with_name(path.stem + ".meta.json").is_file():
        pred = load(path)
        if "id" not in pred.columns and "quote_id" in pred.columns:
            pred["id"] = pred["quote_id"]  # so errors and pairs name quotes by their quote_id
    result = evaluate(pred, gold, main=args.main, texts=args.texts)
    print(result.to_text())
    if args.json:
        summary = {
            "main": result.main,
            "thresholds": list(result.thresholds),
            "summary": [{k: _json_safe(v) for k, v in row.items()}
                        for row in result.summary.to_dict(orient="records")],
            "notes": list(result.notes),
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
            f.write("\n")
    return EXIT_OK


# --------------------------------------------------------------------------------------
# codebook


def _load_codebook(spec: str):
    from .codebook import builtin_codebooks, load_codebook

    if spec not in builtin_codebooks() and not Path(spec).is_file():
        if Path(spec).exists():
            raise UserError(f"{spec} is not a file")
        if spec.endswith(".toml") or os.sep in spec:
            raise UserError(f"no such codebook file: {spec}")
        raise UserError(
            f"no such codebook file, and no built-in codebook named {spec!r} "
            f"(built-ins: {', '.join(builtin_codebooks())})"
        )
    return load_codebook(spec)


def _pattern_count(per_lang: Dict[str, list]) -> int:
    return sum(len(v) for v in per_lang.values())


def _n_patterns(cb) -> int:
    n = sum(_pattern_count(t["patterns"]) for t in cb.targets)
    n += sum(_pattern_count(f["patterns"]) for f in cb.frames)
    n += sum(_pattern_count(v) for v in cb.lexicon.values())
    return n


def _cmd_codebook_validate(args: argparse.Namespace) -> int:
    cb = _load_codebook(args.file)
    print(
        f"{args.file}: valid codebook {cb.name!r}: {len(cb.sides)} sides, {len(cb.actors)} actors, "
        f"{len(cb.media)} media, {len(cb.targets)} targets, {len(cb.frames)} frames, "
        f"{_n_patterns(cb)} patterns"
    )
    return EXIT_OK


def _per_lang(counts: Dict[str, list], langs: Sequence[str]) -> str:
    order = list(langs) + sorted(k for k in counts if k not in langs)
    return "  ".join(f"{lang} {len(counts.get(lang, []))}" for lang in order)


def _names(names: Dict[str, List[str]], langs: Sequence[str], limit: int = 3) -> List[str]:
    lines = []
    for lang in list(langs) + sorted(k for k in names if k not in langs):
        forms = names.get(lang) or []
        if not forms:
            continue
        more = f" (+{len(forms) - limit})" if len(forms) > limit else ""
        lines.append(f"{lang}: {', '.join(forms[:limit])}{more}")
    return lines


def _cmd_codebook_show(args: argparse.Namespace) -> int:
    cb = _load_codebook(args.codebook)
    langs = list(cb.languages)
    out: List[str] = [f"codebook {cb.name}: {cb.title}" if cb.title else f"codebook {cb.name}"]
    out.append(f"  file: {cb.source}")
    out.append(f"  languages: {', '.join(langs)}"
               + (f"; default target: {cb.default_target}" if cb.default_target else ""))

    out.append("")
    out.append(f"sides ({len(cb.sides)}) and actors ({len(cb.actors)})")
    groups: Dict[Optional[str], List[dict]] = {s["id"]: [] for s in cb.sides}
    for a in cb.actors:
        groups.setdefault(a.get("side"), []).append(a)
    labels = {s["id"]: s["label"] for s in cb.sides}
    for side, actors in groups.items():
        title = side if side is not None else "(no side)"
        label = labels.get(side, "") if side is not None else ""
        out.append(f"  {title}{'  ' + label if label and label != title else ''}"
                   f"  ({len(actors)} actor{'s' * (len(actors) != 1)})")
        for a in actors:
            out.append(f"    {a['id']}  [{a['kind']}]  {a['label']}")
            out.extend(f"        {line}" for line in _names(a["names"], langs))
    if cb.media:
        out.append("")
        out.append(f"media ({len(cb.media)}): {', '.join(m['id'] for m in cb.media)}")

    out.append("")
    out.append(f"targets ({len(cb.targets)})")
    for t in cb.targets:
        out.append(f"  {t['id']}  {t['label']}")
        out.append(f"      patterns: {_per_lang(t['patterns'], langs)}")
    out.append("")
    out.append(f"frames ({len(cb.frames)})")
    for f in cb.frames:
        out.append(f"  {f['id']}  {f['label']}")
        out.append(f"      patterns: {_per_lang(f['patterns'], langs)}")
    lex = {k: v for k, v in cb.lexicon.items() if _pattern_count(v)}
    if lex:
        out.append("")
        out.append("lexicon additions")
        for kind, per_lang in lex.items():
            out.append(f"  {kind}: {_per_lang(per_lang, langs)}")
    print("\n".join(out))
    return EXIT_OK


def _cmd_codebook_list(args: argparse.Namespace) -> int:
    from .codebook import builtin_codebooks, load_codebook

    names = builtin_codebooks()
    width = max((len(n) for n in names), default=0)
    for name in names:
        cb = load_codebook(name)
        print(f"{name:<{width}}  {cb.title}  ({len(cb.sides)} sides, {len(cb.actors)} actors, "
              f"{len(cb.targets)} targets, {len(cb.frames)} frames)")
    return EXIT_OK


# --------------------------------------------------------------------------------------
# report


def _cmd_report(args: argparse.Namespace) -> int:
    from .analyze import Analyzer
    from .report import write_report

    from ._resources import languages

    if args.n_boot < 0:
        raise UsageError(f"--n-boot must be 0 or more, not {args.n_boot}")
    if args.lang is not None and args.lang not in languages().codes():
        raise UsageError(f"--lang {args.lang}: not a language quoteframe knows ({', '.join(languages().codes())})")
    files = _corpus_files(args.corpus)
    out = Path(args.output)
    if out.is_dir():
        raise UserError(f"the output {out} is a folder; give the path of the .html file to write")
    analyzer = Analyzer(args.codebook) if args.codebook else Analyzer()
    try:
        path = write_report(files, out, codebook=analyzer, lang=args.lang, title=args.title,
                            n_boot=args.n_boot, seed=args.seed)
    except ImportError as e:
        if getattr(e, "name", None) == "matplotlib":  # the optional helper's message names the extra
            raise UserError(str(e)) from None
        raise
    if not args.quiet:
        _say(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return EXIT_OK


# --------------------------------------------------------------------------------------
# align


#: The files ``quoteframe align`` writes, in order.
ALIGN_FILES = ("doc_pairs.csv", "quote_pairs.csv", "drift.csv", "renderings.csv")


def _cmd_align(args: argparse.Namespace) -> int:
    from ._resources import languages
    from .align import align_corpus
    from .analyze import Analyzer

    if args.lang is not None and args.lang not in languages().codes():
        known = ", ".join(languages().codes())
        raise UsageError(f"--lang {args.lang}: not a language quoteframe knows ({known})")
    if not 0.0 <= args.min_score <= 1.0:
        raise UsageError(f"--min-score must lie in [0, 1], not {args.min_score}")
    files = _corpus_files(args.corpus)
    outdir = Path(args.outdir)
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"the output folder {outdir} exists and is not a folder")
    analyzer = Analyzer(args.codebook) if args.codebook else Analyzer()
    result = align_corpus([str(f) for f in files], codebook=analyzer, lang=args.lang, min_score=args.min_score)
    outdir.mkdir(parents=True, exist_ok=True)
    tables = (result.doc_pairs, result.quote_pairs, result.drift, result.renderings)
    for name, table in zip(ALIGN_FILES, tables):
        table.to_csv(outdir / name, index=False, encoding="utf-8", lineterminator="\n")
    if not args.quiet:
        pairs = result.doc_pairs
        related = pairs[pairs["relation"] != "unrelated"]
        _say(f"{len(files)} document{'s' * (len(files) != 1)}, {len(pairs)} pair{'s' * (len(pairs) != 1)} "
             f"sharing anchors: {_counts(Counter(pairs['relation']), ('translation', 'same_article', 'shared_quotes', 'unrelated'))}")
        for row in related.head(10).itertuples(index=False):
            _say(f"  {row.score:.3f}  {row.relation:<13} {row.doc_a} ~ {row.doc_b}  "
                 f"({row.n_aligned} quote pair{'s' * (row.n_aligned != 1)})")
        if len(related) > 10:
            _say(f"  ... and {len(related) - 10} more")
        _say(f"{len(result.quote_pairs)} quote pairs; differences by kind: {_counts(Counter(result.drift['kind']))}")
        _say("wrote " + ", ".join(str(outdir / n) for n in ALIGN_FILES))
    return EXIT_OK


# --------------------------------------------------------------------------------------
# The parser and main


def _version() -> str:
    try:
        from ._core import __version__
    except ImportError:
        return "unknown (the compiled core is not importable)"
    return __version__


class _VersionAction(argparse.Action):
    """``--version`` without importing the compiled core when it is not asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"quoteframe {_version()}")
        parser.exit()


def _wrap(text: str) -> str:
    # The raw formatter keeps the exit-code table as written, so descriptions are wrapped here.
    return textwrap.fill(text, width=79)


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="quoteframe", description="Find, attribute and score quotes in news.", epilog=EPILOG,
        formatter_class=fmt,
    )
    p.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ins = sub.add_parser("inspect", help="show what the text layer finds per document", epilog=EPILOG,
                         formatter_class=fmt)
    ins.add_argument("corpus", help="a folder of .txt files, a glob, or a file")
    ins.add_argument("--lang", default=None, help="language code (default: detect)")
    ins.add_argument("--errors", choices=["strict", "replace"], default="strict",
                     help="invalid UTF-8: fail (strict) or substitute U+FFFD (replace)")
    ins.set_defaults(func=_cmd_inspect, parser=ins)

    an = sub.add_parser(
        "analyze", help="find and attribute the quotes of a corpus, write quotes.csv/.jsonl and documents.csv",
        description=_wrap("Find and attribute every quote of a corpus. Writes OUTDIR/quotes.csv, quotes.jsonl "
                    "(one row per quote), documents.csv (one row per input document, failures included) "
                    "and quotes.meta.json (column types, codebook). Documents are processed in chunks, "
                    "so memory does not grow with the corpus."),
        epilog=EPILOG, formatter_class=fmt,
    )
    an.add_argument("corpus", metavar="CORPUS", help="a folder of .txt files, a glob ('news/**/*.txt'), or a file")
    an.add_argument("-o", "--outdir", required=True, metavar="OUTDIR", help="output folder (created if needed)")
    an.add_argument("--codebook", default=None, metavar="NAME_OR_PATH",
                    help="a built-in codebook name or a codebook .toml file (default: csto-kazakhstan-2022)")
    an.add_argument("--lang", default=None, metavar="L", help="language of every document (default: detect)")
    an.add_argument("--threads", type=int, default=None, metavar="N", help="worker threads (default: every core)")
    an.add_argument("--errors", choices=["row", "replace"], default="row",
                    help="invalid UTF-8: an error row in documents.csv (row, exit code 4) "
                         "or substitute U+FFFD and go on (replace)")
    an.add_argument("-q", "--quiet", action="store_true", help="no summary and no progress bar")
    an.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help=argparse.SUPPRESS)
    an.set_defaults(func=_cmd_analyze, parser=an)

    ev = sub.add_parser(
        "evaluate", help="score predicted quotes against hand-coded gold quotes",
        description=_wrap("Score predictions against gold quotes (rules in quoteframe.evaluate): quote "
                    "precision, recall and F1 at overlaps 0.5, MAIN and 0.95, and speaker, side, stance "
                    "and frame measures at MAIN, overall and per language."),
        epilog=EPILOG, formatter_class=fmt,
    )
    ev.add_argument("gold", metavar="GOLD", help="gold quotes (.jsonl or .csv)")
    ev.add_argument("pred", metavar="PRED",
                    help="predicted quotes (.csv, .jsonl or .parquet), or an analyze OUTDIR")
    ev.add_argument("--texts", default=None, metavar="CORPUS",
                    help="the document folder: predictions and gold in headlines are then ignored")
    ev.add_argument("--main", type=float, default=0.8, help="overlap at which pairs count (default 0.8)")
    ev.add_argument("--json", default=None, metavar="FILE", help="also write the summary as JSON to FILE")
    ev.set_defaults(func=_cmd_evaluate, parser=ev)

    rep = sub.add_parser(
        "report", help="write one self-contained HTML report of a corpus (figures, searchable quotes)",
        description=_wrap("Analyse a corpus and write one HTML file that needs no network: the side x frame "
                    "heat map, stance by speaker with article-bootstrap intervals, keyness, and every quote "
                    "with the words behind its scores highlighted. Needs the plot extra "
                    "(pip install 'quoteframe[plot]')."),
        epilog=EPILOG, formatter_class=fmt,
    )
    rep.add_argument("corpus", metavar="CORPUS", help="a folder of .txt files, a glob, or a file")
    rep.add_argument("-o", "--output", required=True, metavar="FILE", help="the .html file to write")
    rep.add_argument("--codebook", default=None, metavar="NAME_OR_PATH",
                     help="a built-in codebook name or a codebook .toml file (default: csto-kazakhstan-2022)")
    rep.add_argument("--lang", default=None, metavar="L", help="language of every document (default: detect)")
    rep.add_argument("--title", default=None, help="the report's title (default: from the codebook)")
    rep.add_argument("--n-boot", type=int, default=2000, metavar="N",
                     help="bootstrap replicates for the intervals (default 2000)")
    rep.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    rep.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    rep.set_defaults(func=_cmd_report, parser=rep)

    al = sub.add_parser(
        "align", help="find translations and reused quotes across documents, and what changed between versions",
        description=_wrap("Pair the documents of a corpus that are versions of one another (translations, "
                    "copies) or share quotes, using language-independent anchors (numbers, codebook actors "
                    "and targets, quote order and structure), align their quotes, and audit each pair. "
                    "Writes OUTDIR/doc_pairs.csv (scored document pairs), quote_pairs.csv (aligned quotes "
                    "and their differences), drift.csv (one row per difference: missing quotes, dropped "
                    "or changed attributions, gender, frames, stances, renamed entities) and renderings.csv "
                    "(every rendering of every codebook entity and its counterpart)."),
        epilog=EPILOG, formatter_class=fmt,
    )
    al.add_argument("corpus", metavar="CORPUS", help="a folder of .txt files, a glob, or a file")
    al.add_argument("-o", "--outdir", required=True, metavar="OUTDIR", help="output folder (created if needed)")
    al.add_argument("--codebook", default=None, metavar="NAME_OR_PATH",
                    help="a built-in codebook name or a codebook .toml file (default: csto-kazakhstan-2022)")
    al.add_argument("--lang", default=None, metavar="L", help="language of every document (default: detect)")
    al.add_argument("--min-score", type=float, default=0.0, metavar="S",
                    help="leave out document pairs scoring below S (default 0: every pair sharing an anchor)")
    al.add_argument("-q", "--quiet", action="store_true", help="no summary")
    al.set_defaults(func=_cmd_align, parser=al)

    cb = sub.add_parser("codebook", help="check, show and list codebooks", epilog=EPILOG, formatter_class=fmt)
    cbsub = cb.add_subparsers(dest="codebook_command", required=True, metavar="ACTION")
    val = cbsub.add_parser("validate", help="check a codebook file; print its counts or the first error",
                           epilog=EPILOG, formatter_class=fmt)
    val.add_argument("file", metavar="FILE", help="a codebook .toml file")
    val.set_defaults(func=_cmd_codebook_validate, parser=val)
    show = cbsub.add_parser("show", help="an overview of a codebook: sides, actors, targets, frames",
                            epilog=EPILOG, formatter_class=fmt)
    show.add_argument("codebook", metavar="NAME_OR_PATH", help="a built-in name or a .toml file")
    show.set_defaults(func=_cmd_codebook_show, parser=show)
    lst = cbsub.add_parser("list", help="the built-in codebooks", epilog=EPILOG, formatter_class=fmt)
    lst.set_defaults(func=_cmd_codebook_list, parser=lst)
    return p


def _os_message(e: OSError) -> str:
    if e.filename is not None and e.strerror:
        return f"{e.filename}: {e.strerror.lower()}"
    return str(e)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code (argparse's 0/2 for --help and usage errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error already printed
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    try:
        return int(args.func(args))
    except UsageError as e:
        getattr(args, "parser", parser).print_usage(sys.stderr)
        _say(f"quoteframe: {e}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as e:
        _say(f"quoteframe: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        _say("quoteframe: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ImportError as e:
        if getattr(e, "name", None) in (None, "pyarrow", "pyarrow.parquet") and "pip install" in str(e):
            _say(f"quoteframe: {e}", file=sys.stderr)  # a missing optional dependency, with the fix
            return EXIT_INPUT
        return _internal(e)
    except ValueError as e:  # includes CodebookError and InputError: "<file>:<line>: <field>: ..."
        _say(f"quoteframe: {e}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as e:
        _say(f"quoteframe: {_os_message(e)}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as e:  # noqa: BLE001 - the last resort: a bug
        return _internal(e)


def _internal(e: BaseException) -> int:
    traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
    _say(f"quoteframe: internal error: {type(e).__name__}: {e} (please report it with the traceback above)",
         file=sys.stderr)
    return EXIT_INTERNAL
