"""A self-contained HTML report of a corpus: figures, tables and every quote.

:func:`render` turns the quotes of :func:`quoteframe.analyze` into one HTML
page; :func:`write_report` analyses a corpus (or takes quotes) and writes it;
``quoteframe report CORPUS -o report.html`` is the same from the shell.

The page needs nothing but itself: styles and the filter script are inline,
figures are base64 SVG images, and a Content-Security-Policy allows only that
inline script and style (by hash) and ``data:`` images, so the file works
offline and can be mailed or archived as is. Every piece of text that comes
from an article (quotes, speakers, headlines, ids) is HTML-escaped.

Sections: the documents; who is quoted (actors by side); the side x frame heat
map; stance toward each target by actor, with article-bootstrap intervals;
keyness; and a searchable table of the quotes, where the words behind each
score are highlighted (hover for what they contributed) and Arabic quotes are
laid out right to left.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ._optional import optional_module

__all__ = ["render", "write_report", "highlight"]

#: Languages whose quotes are laid out right to left.
RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "yi"})

# Which kind gives a highlighted stretch its colour when several entries cover it.
_KIND_ORDER = ("negative", "positive", "frame", "hedge", "distancing", "target")
_MODIFIER = "modifier"


def _e(value: Any) -> str:
    """Escape anything for HTML text or a double-quoted attribute."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


def _num(value: Any, digits: int = 2, signed: bool = False) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if not np.isfinite(v):
        return "–"
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


# --------------------------------------------------------------------------------------
# Figures


def _svg_image(fig, alt: str) -> str:
    """A figure as an ``<img>`` holding base64 SVG (text drawn as paths: no font needed)."""
    matplotlib = optional_module("matplotlib", "quoteframe.report")
    buf = io.BytesIO()
    # A fixed salt and no date make the SVG, hence the report, identical run to run.
    with matplotlib.rc_context({"svg.hashsalt": "quoteframe", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="figure" src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}">'


def _figure_or_note(draw, alt: str) -> str:
    """The figure ``draw()`` returns, or a note saying why there is none."""
    try:
        fig = draw()
    except ValueError as exc:  # too few groups, no words...: say so instead of failing the report
        return f'<p class="note">No figure: {_e(exc)}</p>'
    return _svg_image(fig, alt)


# --------------------------------------------------------------------------------------
# Tables


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """An HTML table from already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _headline(path: Any) -> str:
    if not isinstance(path, str) or not path:
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readline().strip()
    except OSError:
        return ""


def _documents_section(quotes: pd.DataFrame) -> str:
    docs = quotes.attrs.get("documents")
    if docs is None or not len(docs):
        counts = quotes.groupby("doc_id", sort=False).size() if len(quotes) else pd.Series(dtype=int)
        rows = [(_e(d), "", _e(n), "", "") for d, n in counts.items()]
    else:
        rows = []
        for d in docs.itertuples(index=False):
            status = _e(d.status) if d.status == "ok" else f'<span class="bad">{_e(d.status)}: {_e(d.error)}</span>'
            head = _headline(getattr(d, "path", ""))
            attr = ' dir="rtl"' if d.lang in RTL_LANGS else ""
            rows.append((_e(d.doc_id), _e(d.lang), _e(d.n_quotes), status, f"<span{attr}>{_e(head)}</span>"))
    return _table(["document", "language", "quotes", "status", "headline"], rows, "docs")


def _who_section(quotes: pd.DataFrame, actor_labels: Dict[str, str]) -> str:
    if not len(quotes):
        return '<p class="note">No quotes.</p>'
    q = quotes.assign(side=quotes["side"].fillna("(no side)"), actor=quotes["actor"].fillna("(unattributed)"))
    g = q.groupby(["side", "actor"], sort=True).agg(n=("quote_id", "size"), articles=("doc_id", "nunique"))
    g = g.reset_index().sort_values(["side", "n"], ascending=[True, False], kind="stable")
    rows = [(_e(r.side), _e(actor_labels.get(r.actor, r.actor)), _e(r.n), _e(r.articles))
            for r in g.itertuples(index=False)]
    return _table(["side", "speaker", "quotes", "articles"], rows, "who")


def _stance_rows(table: pd.DataFrame, feature: str, labels: Dict[str, str]) -> List[Tuple[str, ...]]:
    means = table[(table["feature"] == feature) & (table["kind"] == "mean")].sort_values("estimate")
    return [(_e(labels.get(r.group, r.group)), _num(r.estimate, signed=True),
             "–" if int(r.clusters) < 2 else f"[{_num(r.ci_low, signed=True)}, {_num(r.ci_high, signed=True)}]",
             _e(int(r.n)), _e(int(r.clusters))) for r in means.itertuples(index=False)]


def _stance_section(quotes: pd.DataFrame, targets: Sequence[str], labels: Dict[str, str],
                    n_boot: int, seed: int) -> str:
    from . import plot
    from .compare import compare

    parts = []
    for target in targets:
        feature = f"stance_{target}"
        parts.append(f"<h3>Toward {_e(target)}</h3>")
        try:
            table = compare(quotes, by="actor", features=[feature], n_boot=n_boot, seed=seed, n_perm=0)
        except ValueError as exc:
            parts.append(f'<p class="note">No comparison: {_e(exc)}</p>')
            continue
        parts.append('<div class="pair">')
        parts.append(_svg_image(plot.stance(quotes, target, by="actor", table=table),
                                f"mean stance toward {target} by speaker, with 95% intervals"))
        parts.append(_table(["speaker", "mean", "95% CI", "quotes", "articles"],
                            _stance_rows(table, feature, labels), "num"))
        parts.append("</div>")
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# The quotes, with the words behind their scores


def _explanation_line(row) -> str:
    kind = row.kind
    pattern = f" ({row.pattern})" if isinstance(row.pattern, str) and row.pattern != row.text else ""
    if kind == "frame":
        head = f"frame {str(row.feature).replace('frame_', '')}{pattern}"
    elif kind in ("positive", "negative", "directive"):
        toward = f" toward {row.target}" if isinstance(row.target, str) and row.target else ""
        head = f"{kind}{toward}{pattern}"
    elif kind == "target":
        head = f"mentions {row.target}{pattern}"
    else:
        head = f"{kind}{pattern}"
    tail = ""
    if isinstance(row.feature, str) and row.feature and kind != "target":
        tail = f" → {row.feature} {row.contribution:+.2f}"
    mods = f" [{row.modifiers}]" if isinstance(row.modifiers, str) and row.modifiers else ""
    return head + tail + mods


def _kind_class(kinds: Iterable[str]) -> str:
    kinds = set(kinds)
    for k in _KIND_ORDER:
        if k in kinds:
            return k
    return _MODIFIER


def highlight(text: str, start: int, spans: Optional[pd.DataFrame]) -> str:
    """The quote ``text`` (starting at document offset ``start``) as escaped HTML, with
    every explained span wrapped in ``<mark>`` and a tooltip of what it contributed.

    ``spans`` has the columns of ``attrs["explanations"]`` (document offsets).
    Overlapping entries are split at every boundary; a stretch covered by several
    entries lists them all and takes the colour of the strongest kind.
    """
    if spans is None or not len(spans) or not text:
        return _e(text)
    n = len(text)
    items = []
    for row in spans.itertuples(index=False):
        a, b = max(0, int(row.start) - start), min(n, int(row.end) - start)
        if a < b:
            items.append((a, b, row))
    if not items:
        return _e(text)
    cuts = sorted({0, n, *(a for a, _, _ in items), *(b for _, b, _ in items)})
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        cover = [row for (s, t, row) in items if s <= a and t >= b]
        piece = _e(text[a:b])
        if not cover:
            out.append(piece)
            continue
        lines = list(dict.fromkeys(_explanation_line(r) for r in cover))
        cls = _kind_class(r.kind for r in cover)
        out.append(f'<mark class="hl {cls}" title="{_e(chr(10).join(lines))}">{piece}</mark>')
    return "".join(out)


def _score_chips(row: pd.Series, stance_cols: Sequence[str], frame_cols: Sequence[str]) -> str:
    chips = []
    for col in stance_cols:
        v = row[col]
        label = row.get(f"{col}_label")
        sign = "pos" if label == 1 else "neg" if label == -1 else "zero"
        chips.append(f'<span class="chip {sign}">{_e(col[len("stance_"):])} {_num(v, signed=True)}</span>')
    frames = [(c, row[c]) for c in frame_cols if isinstance(row[c], (int, float)) and row[c] > 0]
    for col, v in sorted(frames, key=lambda cv: -cv[1]):
        chips.append(f'<span class="chip frame">{_e(col[len("frame_"):])} {_num(v)}</span>')
    for col in ("uncertainty", "distancing"):
        if col in row.index and isinstance(row[col], (int, float)) and row[col] > 0:
            chips.append(f'<span class="chip other">{col} {_num(row[col])}</span>')
    return " ".join(chips)


def _quotes_section(quotes: pd.DataFrame, actor_labels: Dict[str, str]) -> str:
    explanations = quotes.attrs.get("explanations")
    by_quote: Dict[str, pd.DataFrame] = {}
    if explanations is not None and len(explanations):
        by_quote = {k: g for k, g in explanations.groupby("quote_id", sort=False)}
    stance_cols = [c for c in quotes.columns if c.startswith("stance_") and not c.endswith("_label")]
    frame_cols = [c for c in quotes.columns if c.startswith("frame_")]
    sides = sorted({s for s in quotes["side"].dropna()}) if len(quotes) else []
    options = "".join(f'<option value="{_e(s)}">{_e(s)}</option>' for s in sides)
    rows = []
    for _, r in quotes.iterrows():
        actor = r["actor"] if isinstance(r["actor"], str) else ""
        speaker = r["speaker"] if isinstance(r["speaker"], str) else ""
        side = r["side"] if isinstance(r["side"], str) else ""
        source = r["source"] if isinstance(r["source"], str) else ""
        label = actor_labels.get(actor, actor)
        search = " ".join([str(r["text"]), speaker, label, actor, side, source, str(r["doc_id"]),
                           str(r["type"]), *(c[len("frame_"):] for c in frame_cols if r[c] > 0)]).lower()
        rtl = str(r["lang"]) in RTL_LANGS
        row_attrs = f' data-side="{_e(side)}" data-q="{_e(search)}"'
        if rtl:
            row_attrs += f' dir="rtl" lang="{_e(r["lang"])}"'
        who = f'<span class="speaker">{_e(speaker) or "<i>(unattributed)</i>"}</span>'
        if label and label != speaker:
            who += f'<br><span class="actor">{_e(label)}</span>'
        who += (f'<br><span class="meta" dir="ltr">{_e(r["attribution"])}, '
                f'confidence {_num(r["confidence"])}</span>')
        text = highlight(str(r["text"]), int(r["start"]), by_quote.get(r["quote_id"]))
        nested = ' <span class="meta">(nested)</span>' if bool(r.get("nested", False)) else ""
        rows.append(
            f"<tr{row_attrs}>"
            f'<td dir="ltr" class="doc">{_e(r["doc_id"])}<br><span class="meta">¶{_e(r["paragraph"])} · '
            f'{_e(r["type"])}{nested}</span></td>'
            f"<td>{who}</td>"
            f'<td dir="ltr">{_e(side)}</td>'
            f'<td dir="ltr">{_e(source)}</td>'
            f'<td class="quote">{text}</td>'
            f'<td dir="ltr" class="scores">{_score_chips(r, stance_cols, frame_cols)}</td>'
            "</tr>"
        )
    note = ""
    if explanations is None:
        note = ('<p class="note">These quotes carry no explanations (analyze(..., explain=True)), '
                "so no words are highlighted.</p>")
    legend = ('<p class="legend">Highlighted words (hover for their contribution): '
              '<mark class="hl positive">positive</mark> <mark class="hl negative">negative</mark> '
              '<mark class="hl frame">frame</mark> <mark class="hl hedge">hedge</mark> '
              '<mark class="hl distancing">distancing</mark> <mark class="hl target">target mention</mark> '
              '<mark class="hl modifier">negator, intensifier…</mark></p>')
    controls = (
        '<div class="controls"><label>Filter <input id="filter" type="search" '
        'placeholder="a word, speaker, side, source, frame…" autocomplete="off"></label> '
        f'<label>Side <select id="side-filter"><option value="">all</option>{options}</select></label> '
        f'<span id="shown">{len(quotes)} quotes</span></div>'
    )
    header = "".join(f"<th>{h}</th>" for h in ("document", "speaker", "side", "source", "quote", "scores"))
    table = (f'<table id="quotes"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return note + legend + controls + table


# --------------------------------------------------------------------------------------
# The page

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --bg: #ffffff; --soft: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--bg);
  font: 15px/1.45 "DejaVu Sans", "Noto Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.caveat { background: #fff8e6; border-left: 4px solid #e6a100; padding: 8px 12px; margin: 12px 0; }
.note { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 9px; text-align: start; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
table.num td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
img.figure { max-width: 100%; height: auto; display: block; margin: 6px 0; }
.pair { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.pair img.figure { max-width: 720px; }
.controls { position: sticky; top: 0; background: var(--bg); padding: 8px 0; z-index: 1;
  display: flex; gap: 16px; align-items: center; flex-wrap: wrap; border-bottom: 1px solid var(--line); }
.controls input { width: 320px; padding: 5px 8px; font: inherit; }
.controls select { padding: 4px 6px; font: inherit; }
#shown { color: var(--muted); }
#quotes { width: 100%; font-size: 14px; }
#quotes td.quote { min-width: 380px; max-width: 600px; }
#quotes td.scores { min-width: 240px; max-width: 300px; }
#quotes tr[dir="rtl"] td.quote { font-size: 16px; }
#quotes td.doc { font-size: 12px; white-space: nowrap; }
.meta, .actor { color: var(--muted); font-size: 12px; }
.speaker { font-weight: 600; }
.bad { color: #b3261e; }
mark.hl { border-radius: 3px; padding: 0 1px; color: inherit; cursor: help; }
mark.positive { background: #cdeccf; }
mark.negative { background: #f8cfcb; }
mark.frame { background: #d6e6fa; }
mark.hedge, mark.distancing { background: #fbe7b5; }
mark.target { background: transparent; border-bottom: 2px dotted #7a5cc0; border-radius: 0; }
mark.modifier { background: #e4e4e4; }
.chip { display: inline-block; border-radius: 10px; padding: 0 7px; margin: 1px 0; font-size: 12px;
  background: var(--soft); border: 1px solid var(--line); white-space: nowrap; }
.chip.pos { background: #e3f4e4; border-color: #9fd3a3; }
.chip.neg { background: #fbe3e1; border-color: #eba9a2; }
.chip.frame { background: #e7f0fb; border-color: #a9c6ee; }
.legend mark { font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"""

_JS = """
(function () {
  var box = document.getElementById("filter");
  var side = document.getElementById("side-filter");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#quotes tbody tr"));
  function apply() {
    var q = box.value.trim().toLowerCase();
    var s = side.value;
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.getAttribute("data-q").indexOf(q) >= 0) && (!s || r.getAttribute("data-side") === s);
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " quotes";
  }
  box.addEventListener("input", apply);
  side.addEventListener("change", apply);
  apply();
})();
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def _codebook_title(name: Optional[str]) -> str:
    if not name:
        return ""
    try:
        from .codebook import load_codebook

        return load_codebook(name).title or name
    except (FileNotFoundError, ValueError, ImportError):
        return name


def render(
    quotes: pd.DataFrame,
    *,
    title: Optional[str] = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> str:
    """The report page for ``quotes`` (from :func:`quoteframe.analyze`) as an HTML string.

    Pass quotes analysed with ``explain=True`` to get the words behind the scores
    highlighted. ``n_boot`` and ``seed`` go to :func:`quoteframe.compare` (the
    stance intervals); the same inputs give the same bytes. Needs matplotlib
    (``pip install 'quoteframe[plot]'``).
    """
    if not isinstance(quotes, pd.DataFrame):
        raise ValueError(f"render() needs the quotes DataFrame of analyze(), got {type(quotes).__name__}")
    missing = [c for c in ("doc_id", "quote_id", "text", "start", "side", "actor", "lang") if c not in quotes.columns]
    if missing:
        raise ValueError(f"render(): the quotes table has no column(s) {', '.join(missing)}")
    optional_module("matplotlib", "quoteframe.report")
    from . import __version__, plot
    from .plot import _actor_labels

    codebook = quotes.attrs.get("codebook")
    cb_title = _codebook_title(codebook)
    title = title or (f"quoteframe report: {cb_title}" if cb_title else "quoteframe report")
    actor_labels = _actor_labels(quotes)
    docs = quotes.attrs.get("documents")
    n_docs = len(docs) if docs is not None else quotes["doc_id"].nunique()
    langs = sorted(set(docs["lang"].dropna()) if docs is not None else set(quotes["lang"].dropna()))
    targets = [c[len("stance_"):] for c in quotes.columns if c.startswith("stance_") and not c.endswith("_label")]
    n_articles = quotes["doc_id"].nunique()

    body = [f"<h1>{_e(title)}</h1>",
            f'<p class="sub">{_e(n_docs)} document{"s" * (n_docs != 1)} ({_e(", ".join(langs)) or "none"}), '
            f'{len(quotes)} quote{"s" * (len(quotes) != 1)}, codebook {_e(codebook or "?")}</p>',
            '<p class="caveat">Intervals resample whole articles (quotes of one article are not independent). '
            f"With {n_articles} article{'s' * (n_articles != 1)} quoting anyone they are wide, and a speaker "
            "quoted in a single article has no interval at all. A translation or a copy of another article "
            "counts as one more article, and gives its quotes twice the weight (quoteframe.align_corpus "
            "finds such pairs). Read the figures as a description of these articles, not as estimates "
            "for a wider press.</p>",
            "<h2>Documents</h2>", _documents_section(quotes),
            "<h2>Who is quoted</h2>", _who_section(quotes, actor_labels),
            "<h2>How each side frames the event</h2>",
            '<p class="sub">Mean frame score per quote (weighted codebook hits per 10 words); '
            "the row label counts the quotes.</p>",
            _figure_or_note(lambda: plot.frame_profile(quotes, by="side", title=None),
                            "heat map of mean frame intensity by side"),
            "<h2>Stance by speaker</h2>",
            _stance_section(quotes, targets, actor_labels, n_boot, seed) if targets
            else '<p class="note">The codebook has no stance targets.</p>',
            "<h2>Keyness: the words of each side</h2>",
            '<p class="sub">Log-odds z-scores, each side against all the others, with the quotes themselves '
            "as the Dirichlet prior, so that words seen once or twice do not crowd the top. Words are "
            "compared as written: each language's words count separately.</p>",
            _figure_or_note(lambda: plot.keyness(quotes, by="side", top=15, title=None, prior="corpus"),
                            "keyness z-scores of the words of each side"),
            "<h2>The quotes</h2>", _quotes_section(quotes, actor_labels),
            f"<footer>quoteframe {_e(__version__)}; bootstrap {int(n_boot)} replicates, seed {int(seed)}.</footer>"]
    csp = (f"default-src 'none'; img-src data:; style-src {_csp_hash(_CSS)}; "
           f"script-src {_csp_hash(_JS)}; base-uri 'none'; form-action 'none'")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n</main>\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def write_report(
    source: Any,
    path: Union[str, "os.PathLike[str]"],
    *,
    codebook: Any = "csto-kazakhstan-2022",
    lang: Optional[str] = None,
    threads: Optional[int] = None,
    title: Optional[str] = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> Path:
    """Write the report of ``source`` to ``path`` (UTF-8) and return the path.

    ``source`` is either the quotes of :func:`quoteframe.analyze` (a DataFrame
    with a ``quote_id`` column) or anything ``analyze`` accepts (a folder, a
    glob, a list of paths...), which is then analysed with ``codebook``,
    ``lang``, ``threads`` and ``explain=True``.
    """
    if isinstance(source, pd.DataFrame) and "quote_id" in source.columns:
        quotes = source
    else:
        optional_module("matplotlib", "quoteframe.report")  # fail before the analysis, not after
        from .analyze import analyze

        quotes = analyze(source, codebook=codebook, lang=lang, threads=threads, explain=True)
    page = render(quotes, title=title, n_boot=n_boot, seed=seed)
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
