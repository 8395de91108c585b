"""quoteframe.report and ``quoteframe report``: one self-contained, escaped, working HTML page.

The last tests open the page in headless Chromium (Debian's ``chromium`` package) over
the DevTools protocol on a pipe: no console error, no uncaught exception, no blocked
resource, a working filter box, right-to-left Arabic, and a screenshot. Set
``QUOTEFRAME_SCREENSHOTS=<folder>`` to keep the screenshots.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Optional

import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import quoteframe as qf  # noqa: E402
from quoteframe import cli, report  # noqa: E402

N_BOOT = 200  # enough to exercise the intervals; the default 2000 only costs time here

EVIL_HEADLINE = 'Titre <script>alert("headline")</script> & <b>gras</b>'
EVIL_QUOTE = ('Le <script>alert(1)</script> est illégal " onmouseover="alert(2) et '
              "</td></tr><img src=x onerror=alert(3)>")
EVIL_TEXT = (f"{EVIL_HEADLINE}\n"
             f"Le ministre a déclaré : « {EVIL_QUOTE} » selon TASS.\n"
             "Maria Zakharova a affirmé que l'opération <b>illégale</b> était un échec.\n")
EVIL_NAME = "<img src=x onerror=alert(9)>"


# ---------------------------------------------------------------- a small HTML reader


class Page(HTMLParser):
    """What the tests check in a report: scripts, resources, handlers and the quote rows."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: List[tuple] = []
        self.scripts: List[str] = []
        self.styles: List[str] = []
        self.rows: List[Dict[str, Any]] = []
        self._stack: List[str] = []
        self._in: Optional[str] = None
        self._cell: Optional[Dict[str, Any]] = None
        self._row: Optional[Dict[str, Any]] = None
        self._in_quotes = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.styles).append("")
        if tag == "table" and attrs.get("id") == "quotes":
            self._in_quotes = True
        if self._in_quotes and tag == "tr" and "data-q" in attrs:
            self._row = {"attrs": attrs, "cells": [], "marks": []}
            self.rows.append(self._row)
        if self._row is not None and tag == "td":
            self._cell = {"attrs": attrs, "text": ""}
            self._row["cells"].append(self._cell)
        if self._row is not None and tag == "mark":
            self._row["marks"].append(attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None
        if tag == "td":
            self._cell = None
        if tag == "tr":
            self._row = None
        if tag == "table":
            self._in_quotes = False

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        if self._cell is not None:
            self._cell["text"] += data

    def quote_cell(self, row) -> Dict[str, Any]:
        return next(c for c in row["cells"] if c["attrs"].get("class") == "quote")


@pytest.fixture(scope="module")
def quotes(corpus_dir):
    return qf.analyze(corpus_dir, explain=True)


@pytest.fixture(scope="module")
def page_html(quotes):
    return report.render(quotes, n_boot=N_BOOT)


@pytest.fixture(scope="module")
def page(page_html):
    return Page(page_html)


@pytest.fixture(scope="module")
def evil_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil")
    (folder / f"{EVIL_NAME}.txt").write_text(EVIL_TEXT, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def evil_html(evil_corpus):
    quotes = qf.analyze(evil_corpus, explain=True, lang="fr")
    assert EVIL_QUOTE in set(quotes["text"]), "the test article should yield the hostile quote"
    return report.render(quotes, n_boot=N_BOOT, title='<script>alert("title")</script>')


# ---------------------------------------------------------------- the page itself


def test_page_is_self_contained(page):
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "poster", "data", "action"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("data:", "#")), f"<{tag} {name}={value[:60]!r}> loads a resource"
    css = "".join(page.styles)
    assert "url(" not in css and "@import" not in css
    assert len(page.scripts) == 1 and "fetch(" not in page.scripts[0] and "XMLHttpRequest" not in page.scripts[0]


def test_content_security_policy_pins_the_inline_script_and_style(page):
    metas = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = metas[0]["content"]
    assert "default-src 'none'" in policy and "img-src data:" in policy

    def digest(text):
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    assert f"'sha256-{digest(page.scripts[0])}'" in policy
    assert f"'sha256-{digest(page.styles[0])}'" in policy


def test_figures_are_valid_inline_svg(page):
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 4  # frames, stance toward csto, toward west, keyness
    for img in images:
        assert img["src"].startswith("data:image/svg+xml;base64,")
        assert img.get("alt")
        root = ET.fromstring(base64.b64decode(img["src"].split(",", 1)[1]))
        assert root.tag.endswith("svg")


def test_every_quote_has_a_row_with_its_exact_text(page, quotes):
    assert len(page.rows) == len(quotes)
    for row, q in zip(page.rows, quotes.itertuples(index=False)):
        assert page.quote_cell(row)["text"] == q.text
        assert row["attrs"]["data-side"] == (q.side if isinstance(q.side, str) else "")


def test_arabic_rows_are_right_to_left(page, quotes):
    rtl = [r["attrs"].get("dir") == "rtl" for r in page.rows]
    assert rtl == list(quotes["lang"] == "ar")
    assert sum(rtl) == 15
    arabic = next(r for r in page.rows if r["attrs"].get("dir") == "rtl")
    assert arabic["attrs"]["lang"] == "ar"
    # The columns that hold ids and numbers stay left to right inside an Arabic row.
    assert [c["attrs"].get("dir") for c in arabic["cells"]] == ["ltr", None, "ltr", "ltr", None, "ltr"]


def test_the_words_behind_the_scores_are_marked(page, quotes):
    ex = quotes.attrs["explanations"]
    first = page.rows[0]
    titles = [m["title"] for m in first["marks"]]
    # Zakharova's first quote: "légitimes" counts for legality and for stance toward the CSTO.
    legit = next(t for t in titles if "frame_legality" in t)
    assert "stance_csto (raw) +1.00" in legit
    assert len(first["marks"]) >= ex[ex.quote_id == quotes.quote_id.iat[0]][["start", "end"]].drop_duplicates().shape[0]
    kinds = {m["class"].split()[1] for r in page.rows for m in r["marks"]}
    assert {"positive", "negative", "frame", "target"} <= kinds


def test_rendering_is_reproducible(quotes, page_html):
    assert report.render(quotes, n_boot=N_BOOT) == page_html


# ---------------------------------------------------------------- highlight, case by case


def spans(*rows):
    cols = ["quote_id", "start", "end", "text", "kind", "pattern", "lang", "target", "weight", "factor",
            "modifiers", "feature", "contribution"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def row(start, end, kind="frame", feature="frame_blame", contribution=0.5, target=None, modifiers="", pattern="p*"):
    return ("q", start, end, "", kind, pattern, "fr", target, 1.0, 1.0, modifiers, feature, contribution)


MARK = '<mark class="hl frame" title="frame blame (p*) → frame_blame +0.50">'


@pytest.mark.parametrize(
    "text, offset, table, expected",
    [
        ("plain <b>", 0, None, "plain &lt;b&gt;"),
        ("", 0, spans(row(0, 3)), ""),
        ("abc", 10, spans(), "abc"),
        # A span outside the quote (e.g. the cue) is ignored; one that overhangs is clipped.
        ("abcdef", 10, spans(row(0, 5)), "abcdef"),
        ("abcdef", 10, spans(row(8, 12)), f"{MARK}ab</mark>cdef"),
        # Text inside a mark is escaped too.
        ("x <y> z", 0, spans(row(2, 5)), f"x {MARK}&lt;y&gt;</mark> z"),
    ],
)
def test_highlight_edge_cases(text, offset, table, expected):
    assert report.highlight(text, offset, table) == expected


def test_highlight_overlaps_split_and_take_the_strongest_kind():
    table = spans(row(0, 9), row(4, 13, kind="negative", feature="stance_csto (raw)", contribution=-1.5,
                                 target="csto", modifiers="negated"))
    out = report.highlight("une guerre illégale", 0, table)
    parts = re.findall(r'<mark class="hl (\w+)" title="([^"]*)">([^<]*)</mark>', out)
    assert [(k, t) for k, _, t in parts] == [("frame", "une "), ("negative", "guerr"), ("negative", "e il")]
    both = html.unescape(parts[1][1])
    assert both.splitlines() == ["frame blame (p*) → frame_blame +0.50",
                                 "negative toward csto (p*) → stance_csto (raw) -1.50 [negated]"]
    assert re.sub(r"<[^>]+>", "", out) == "une guerre illégale"


def test_a_directive_names_its_addressee():
    table = spans(row(0, 18, kind="directive", feature="stance_west (raw)", contribution=-0.5, target="west",
                      pattern="appel* … à"))
    out = report.highlight("appeler Washington à respecter", 0, table)
    title = html.unescape(re.search(r'title="([^"]*)"', out).group(1))
    assert title == "directive toward west (appel* … à) → stance_west (raw) -0.50"


# ---------------------------------------------------------------- hostile text


def test_article_text_cannot_inject_html(evil_html):
    page = Page(evil_html)
    assert len(page.scripts) == 1
    handlers = [(t, k) for t, a in page.tags for k in a if k.lower().startswith("on")]
    assert handlers == []
    assert [a for t, a in page.tags if t == "img" and not a.get("src", "").startswith("data:")] == []
    assert "alert(" not in page.scripts[0]
    # The hostile strings are shown, as text.
    texts = [page.quote_cell(r)["text"] for r in page.rows]
    assert EVIL_QUOTE in texts
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in evil_html
    assert html.escape(EVIL_NAME) in evil_html and EVIL_NAME not in evil_html
    assert html.escape(EVIL_HEADLINE) in evil_html


def test_a_report_with_too_few_groups_explains_the_missing_figures(evil_html):
    # One actor with a side: no comparison is possible, and the page says why instead of failing.
    assert 'class="note">No comparison: need at least 2 groups' in evil_html


def test_a_corpus_without_quotes_still_gives_a_page(tmp_path):
    (tmp_path / "calm.txt").write_text("Titre\nIl a fait beau toute la journée.\n", encoding="utf-8")
    quotes = qf.analyze(tmp_path, explain=True, lang="fr")
    assert quotes.empty
    page = Page(report.render(quotes, n_boot=N_BOOT))
    assert page.rows == []
    assert len([a for t, a in page.tags if t == "img"]) == 1  # the (empty) heat map only


def test_render_rejects_what_is_not_a_quotes_table():
    with pytest.raises(ValueError, match="quotes DataFrame"):
        report.render("corpus/")
    with pytest.raises(ValueError, match="quote_id"):
        report.render(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}))


# ---------------------------------------------------------------- writing it


def test_write_report_from_quotes(quotes, tmp_path, page_html):
    # (From a corpus folder: test_cli_report.)
    written = report.write_report(quotes, tmp_path / "a" / "r.html", n_boot=N_BOOT)
    assert written == tmp_path / "a" / "r.html"
    assert written.read_text(encoding="utf-8") == page_html
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["r.html"]  # no partial file left


def test_cli_report(corpus_dir, tmp_path, capsys, page_html):
    out = tmp_path / "report.html"
    code = cli.main(["report", str(corpus_dir), "-o", str(out), "--n-boot", str(N_BOOT)])
    captured = capsys.readouterr()
    assert code == cli.EXIT_OK, captured.err
    assert f"wrote {out}" in captured.out
    assert out.read_text(encoding="utf-8") == page_html


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["report", "{missing}", "-o", "{out}"], cli.EXIT_INPUT, "no such corpus folder"),
        (["report", "{corpus}", "-o", "{tmp}"], cli.EXIT_INPUT, "is a folder"),
        (["report", "{corpus}", "-o", "{out}", "--n-boot", "-1"], cli.EXIT_USAGE, "--n-boot"),
        (["report", "{corpus}", "-o", "{out}", "--lang", "xx"], cli.EXIT_USAGE, "--lang xx"),
        (["report", "{corpus}", "-o", "{out}", "--codebook", "nope"], cli.EXIT_INPUT, "nope"),
        (["report", "{corpus}"], cli.EXIT_USAGE, "-o"),
    ],
)
def test_cli_report_errors(corpus_dir, tmp_path, capsys, argv, code, message):
    values = {"missing": tmp_path / "nope", "out": tmp_path / "r.html", "tmp": tmp_path, "corpus": corpus_dir}
    assert cli.main([a.format(**values) for a in argv]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


# ---------------------------------------------------------------- in a real browser


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, exe: str, workdir: Path, timeout: float = 30.0):
        self.timeout = timeout
        self.events: List[dict] = []
        self._id = 0
        self._buf = b""
        self.log = workdir / "chromium.log"
        cmd_read, self._cmd_write = os.pipe()
        self._reply_read, reply_write = os.pipe()

        def child():  # pragma: no cover - runs in the forked child
            import fcntl

            # Move both ends above 10 first: one of them may already be fd 3 or 4.
            a = fcntl.fcntl(cmd_read, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(reply_write, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)  # dup2 leaves the copies inheritable; the originals close on exec
            os.dup2(b, 4)

        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
                 "--remote-debugging-pipe", f"--user-data-dir={workdir / 'profile'}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=child, close_fds=False,
            )
        os.close(cmd_read)
        os.close(reply_write)
        self.session: Optional[str] = None

    def _next(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._reply_read], [], [], left)
            if ready:
                chunk = os.read(self._reply_read, 1 << 20)
                if not chunk:
                    raise EOFError("chromium closed the DevTools pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: Optional[dict] = None, page: bool = True) -> dict:
        self._id += 1
        message: Dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if page and self.session:
            message["sessionId"] = self.session
        os.write(self._cmd_write, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._next()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self._next()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def open_page(self) -> None:
        targets = self.send("Target.getTargets", page=False)["targetInfos"]
        target = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                                 page=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def load(self, path: Path) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> List[str]:
        """Console errors and warnings, uncaught exceptions, browser log errors, dialogs."""
        self.evaluate("0")  # flush the events the page produced so far
        found = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {p['exceptionDetails'].get('exception', {}).get('description') or p}")
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{p['type']}: {[a.get('value', a.get('description')) for a in p['args']]}")
            elif method == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                found.append(f"log {p['entry']['level']}: {p['entry']['text']}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {p.get('message')}")
        return found

    def screenshot(self, path: Path) -> bytes:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        })
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        keep = os.environ.get("QUOTEFRAME_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)
        return data

    def close(self) -> None:
        try:
            self.send("Browser.close", page=False)
        except (EOFError, TimeoutError, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_write)
        os.close(self._reply_read)


@pytest.fixture(scope="module")
def browser():
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    if exe is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    workdir = Path(tempfile.mkdtemp(prefix="quoteframe-chromium-"))
    chromium = Chromium(exe, workdir)
    try:
        chromium.open_page()
    except (EOFError, TimeoutError, RuntimeError, OSError) as exc:
        chromium.close()
        tail = chromium.log.read_text(errors="replace")[-600:]
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.skip(f"Chromium could not start ({exc}): {tail}")
    yield chromium
    chromium.close()
    shutil.rmtree(workdir, ignore_errors=True)


def test_the_browser_check_catches_errors(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><meta charset="utf-8"><script>console.error("boom"); nope();</script>',
                   encoding="utf-8")
    browser.load(bad)
    problems = browser.problems()
    assert any("boom" in p for p in problems) and any("nope" in p for p in problems)


def test_report_in_chromium(browser, page_html, page, quotes, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    browser.load(path)
    assert browser.problems() == []
    assert browser.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert browser.evaluate("document.getElementById('shown').textContent") == f"{len(quotes)} of {len(quotes)} quotes"

    # The filter box: typing narrows the rows to those that mention the words.
    visible = "document.querySelectorAll('#quotes tbody tr:not([hidden])').length"
    typed = browser.evaluate("(() => { const b = document.getElementById('filter'); b.value = 'PSAKI';"
                             f" b.dispatchEvent(new Event('input')); return {visible}; }})()")
    expected = sum("psaki" in r["attrs"]["data-q"] for r in page.rows)
    assert typed == expected >= (quotes["actor"] == "jen_psaki").sum()
    # The side menu, with the box cleared.
    sided = browser.evaluate("(() => { const b = document.getElementById('filter'); b.value = '';"
                             " b.dispatchEvent(new Event('input')); const s = document.getElementById('side-filter');"
                             f" s.value = 'russia'; s.dispatchEvent(new Event('change')); return {visible}; }})()")
    assert sided == (quotes["side"] == "russia").sum()
    browser.evaluate("(() => { const s = document.getElementById('side-filter'); s.value = '';"
                     " s.dispatchEvent(new Event('change')); })()")

    direction = browser.evaluate("getComputedStyle(document.querySelector('#quotes tr[lang=ar] td.quote')).direction")
    assert direction == "rtl"
    png = browser.screenshot(tmp_path / "report.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == 1280 and height > 3000  # the whole page, not a blank viewport
    assert browser.problems() == []


def test_hostile_report_in_chromium(browser, evil_html, tmp_path):
    path = tmp_path / "evil.html"
    path.write_text(evil_html, encoding="utf-8")
    browser.load(path)
    assert browser.problems() == []  # an injected script would open a dialog or trip the CSP
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.title") == '<script>alert("title")</script>'
    browser.screenshot(tmp_path / "evil.png")
