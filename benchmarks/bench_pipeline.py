"""Benchmark: quoteframe against a spaCy + textacy pipeline and a plain regex extractor.

One run measures, side by side on the same generated corpus (benchmarks/make_corpus.py):

``quoteframe-1``      :func:`quoteframe.iter_analyze` on one core thread, end to end: the
                      files read from disk, the whole chain (tokens, sentences, quotes,
                      attribution, scores), the quotes as pandas DataFrames (not written);
``quoteframe-all``    the same on every core (``threads=None``);
``regex``             a plain-Python extractor written for this benchmark (below): quote
                      marks of the four languages, plus a French cue-verb regex for the
                      speaker and for indirect speech ("X a déclaré que ...");
``spacy``             spaCy ``fr_core_news_sm`` (tagger, parser, NER, lemmatizer) and
                      ``textacy.extract.triples.direct_quotations`` per document. It is
                      far slower, so it runs on a French SUBSAMPLE (``--spacy-mb``, 2 MB by
                      default) and quoteframe and the regex run on that subsample too,
                      for a like-for-like ratio. textacy's extractor is rule-based on the
                      parse and knows French reporting verbs; it finds direct quotes only
                      and bails out of a document with an odd number of quote marks
                      (counted as "bailed").

Each measurement runs in a fresh child process (so its peak RSS, ``ru_maxrss``, is its
own), after the imports, the model load and the codebook compilation, which are timed
apart. Runs are interleaved (qf-1, qf-all, regex, spacy, qf-1, ...) and repeated
(``--repeats``); the medians are reported with the 1-minute load average before each
run. Before each run the script waits (up to ``--wait`` s) for the load to drop below
``--max-load``: the machine is shared.

spaCy may live in another virtual environment (``--spacy-python``, default
``/tmp/spacy-venv/bin/python`` when it exists): it is only ever run as a child process.

Usage::

    python3 benchmarks/make_corpus.py /tmp/qf-100mb --size-mb 100
    PYTHONPATH=python python3 benchmarks/bench_pipeline.py /tmp/qf-100mb --repeats 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve()
DEFAULT_SPACY_PYTHON = "/tmp/spacy-venv/bin/python"


# --------------------------------------------------------------------------------------
# The regex baseline

# Opening mark -> closing marks. ASCII double quotes pair with themselves.
_QUOTE = re.compile(
    r"«\s*(?P<g>[^«»]{2,}?)\s*»"           # French guillemets (and Arabic / Russian)
    r"|“(?P<c>[^“”\n]{2,}?)”"              # English curly quotes
    r"|„(?P<l>[^„“”\n]{2,}?)[“”]"          # Russian / German low-high quotes
    r"|\"(?P<a>[^\"\n]{2,}?)\""            # ASCII quotes (the Arabic translation uses them)
)
_FR_CUE = (
    r"(?:déclar|affirm|ajout|expliqu|estim|soulign|indiqu|précis|répond|assur|annonc|rappel|"
    r"insist|martel|confi|prévien|averti|dénonc|reconn|admi|not|lanc|promi|ajout|poursui)\w*"
    r"|dit|dire|a-t-(?:il|elle)\s+dit"
)
# "X a déclaré" / "X déclare" (speaker before) or "a déclaré X" / "déclare X" (inversion after a quote).
_FR_AUX = r"(?:a|ont|avait|avaient|aurait|auraient|va|vont)"
_FR_SPEAKER = r"(?P<speaker>(?:[A-ZÀ-Ý][\w’'-]+\s+){0,3}[A-ZÀ-Ý][\w’'-]+|il|elle|ils|elles)"
_FR_BEFORE = re.compile(rf"{_FR_SPEAKER}\s+(?:{_FR_AUX}\s+)?(?P<cue>{_FR_CUE})\b[^.«»\"]{{0,40}}$")
_FR_PRONOUN = r"(?:il|elle|ils|elles|on)"
_FR_AFTER = re.compile(
    rf"^\s*[,:]?\s*(?:{_FR_AUX}(?:-t)?-(?P<pro1>{_FR_PRONOUN})\s+|{_FR_AUX}\s+)?(?P<cue>{_FR_CUE})"
    rf"(?:(?:-t)?-(?P<pro2>{_FR_PRONOUN}))?\b\s*{_FR_SPEAKER}?"
)
_FR_INDIRECT = re.compile(
    rf"{_FR_SPEAKER}\s+(?:{_FR_AUX}\s+)?(?P<cue>{_FR_CUE})\s+(?:qu['’]|que\s+)(?P<content>[^.!?«»\"]{{8,}})"
)


def regex_quotes(text: str) -> List[tuple]:
    """(start, end, kind, speaker, cue) of every quote found by the regex baseline."""
    out = []
    for m in _QUOTE.finditer(text):
        group = m.lastgroup or "a"
        start, end = m.span(group)
        before = text[max(0, m.start() - 120):m.start()]
        after = text[m.end():m.end() + 80]
        speaker = cue = None
        hit = _FR_AFTER.match(after)
        if hit:
            speaker = hit.group("pro1") or hit.group("pro2") or hit.group("speaker")
            cue = hit.group("cue")
        else:
            hit = _FR_BEFORE.search(before)
            if hit:
                speaker, cue = hit.group("speaker"), hit.group("cue")
        out.append((start, end, "direct", speaker, cue))
    for m in _FR_INDIRECT.finditer(text):
        out.append((m.start("content"), m.end("content"), "indirect", m.group("speaker"), m.group("cue")))
    return out


# --------------------------------------------------------------------------------------
# Child processes: one engine, one list of files, one JSON line on stdout


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _child(engine: str, list_file: str, threads: int) -> dict:
    files = Path(list_file).read_text(encoding="utf-8").split("\n")
    files = [f for f in files if f]
    setup = time.perf_counter()
    extra: Dict[str, object] = {}
    if engine == "quoteframe":
        from quoteframe import Analyzer
        from quoteframe.stream import iter_analyze

        analyzer = Analyzer()
        extra["setup_s"] = time.perf_counter() - setup
        rss0 = _maxrss_mb()
        t0 = time.perf_counter()
        n_docs = n_quotes = n_bytes = 0
        for quotes, docs in iter_analyze([Path(f) for f in files], codebook=analyzer, threads=threads or None):
            n_docs += len(docs)
            n_quotes += len(quotes)
            n_bytes += int(docs["n_chars"].sum())  # code points; bytes are counted below
        seconds = time.perf_counter() - t0
        n_bytes = sum(os.path.getsize(f) for f in files)
    elif engine == "regex":
        extra["setup_s"] = 0.0
        rss0 = _maxrss_mb()
        t0 = time.perf_counter()
        n_docs = n_quotes = n_bytes = 0
        for f in files:
            data = Path(f).read_bytes()
            n_bytes += len(data)
            n_quotes += len(regex_quotes(data.decode("utf-8")))
            n_docs += 1
        seconds = time.perf_counter() - t0
    elif engine == "spacy":
        import spacy
        import textacy
        from textacy.extract.triples import direct_quotations

        nlp = spacy.load("fr_core_news_sm")
        extra["setup_s"] = time.perf_counter() - setup
        extra["versions"] = {"spacy": spacy.__version__, "textacy": textacy.__version__,
                             "model": nlp.meta.get("name", "") + " " + nlp.meta.get("version", "")}
        rss0 = _maxrss_mb()
        t0 = time.perf_counter()
        n_docs = n_quotes = n_bytes = bailed = 0

        def texts():
            nonlocal n_bytes
            for f in files:
                data = Path(f).read_bytes()
                n_bytes += len(data)
                yield data.decode("utf-8")

        for doc in nlp.pipe(texts(), batch_size=64):
            n_docs += 1
            try:
                n_quotes += sum(1 for _ in direct_quotations(doc))
            except ValueError:  # an odd number of quote marks: textacy gives up on the document
                bailed += 1
        seconds = time.perf_counter() - t0
        extra["bailed"] = bailed
    else:
        raise SystemExit(f"unknown engine {engine}")
    return {"engine": engine, "threads": threads, "seconds": seconds, "bytes": n_bytes, "docs": n_docs,
            "quotes": n_quotes, "maxrss_mb": _maxrss_mb(), "rss_before_work_mb": rss0, **extra}


# --------------------------------------------------------------------------------------
# The parent: corpus, scheduling, load, medians, ratios


def _corpus_files(folder: Path, limit_mb: Optional[float], lang: Optional[str] = None) -> List[str]:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
    if lang:
        files = [p for p in files if p.stem.endswith("_" + lang)]
    out, total = [], 0
    for p in files:
        if limit_mb is not None and total >= limit_mb * 1e6:
            break
        out.append(str(p))
        total += p.stat().st_size
    return out


def _wait_for_quiet(max_load: float, wait: float) -> float:
    deadline = time.time() + wait
    load = os.getloadavg()[0]
    while load > max_load and time.time() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def _run(python: str, engine: str, list_file: str, threads: int, env: dict) -> dict:
    cmd = [python, str(HERE), "--child", engine, "--files", list_file, "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(runs: List[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _summary(name: str, runs: List[dict]) -> dict:
    mb = runs[0]["bytes"] / 1e6
    secs = [r["seconds"] for r in runs]
    return {
        "name": name, "runs": len(runs), "mb": mb, "docs": runs[0]["docs"], "quotes": runs[0]["quotes"],
        "seconds_median": statistics.median(secs), "seconds_all": secs,
        "mb_per_s": mb / statistics.median(secs), "docs_per_s": runs[0]["docs"] / statistics.median(secs),
        "mb_per_s_all": [mb / s for s in secs],
        "peak_rss_mb": _median(runs, "maxrss_mb"), "rss_before_work_mb": _median(runs, "rss_before_work_mb"),
        "setup_s": _median(runs, "setup_s"), "load_before": [r["load_before"] for r in runs],
        "extra": {k: v for k, v in runs[0].items() if k in ("bailed", "versions")},
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", nargs="?", type=Path, help="a folder made by benchmarks/make_corpus.py")
    p.add_argument("--mb", type=float, default=None, help="use only the first MB of the corpus (default all)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--spacy-mb", type=float, default=2.0, help="size of the French subsample for spaCy (default 2)")
    p.add_argument("--spacy-python", default=None, help="a Python with spacy, textacy and fr_core_news_sm")
    p.add_argument("--skip-spacy", action="store_true")
    p.add_argument("--max-load", type=float, default=1.0, help="wait for the 1-min load to fall below this")
    p.add_argument("--wait", type=float, default=120.0, help="longest wait for a quiet machine, s (default 120)")
    p.add_argument("--package-path", type=Path, default=HERE.parents[1] / "python",
                   help="where quoteframe is imported from (default: this checkout's python/; a copy keeps "
                        "a long run safe from rebuilds)")
    p.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--files", default=None, help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.files, args.threads)))
        return 0
    if args.corpus is None:
        p.error("the corpus folder is required")

    spacy_python = args.spacy_python
    if spacy_python is None and not args.skip_spacy:
        spacy_python = DEFAULT_SPACY_PYTHON if Path(DEFAULT_SPACY_PYTHON).exists() else sys.executable
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(args.package_path), env.get("PYTHONPATH", "")])
    env.setdefault("OMP_NUM_THREADS", "1")  # spaCy's numpy: one thread, like quoteframe-1

    tmp = Path(tempfile.mkdtemp(prefix="qf-bench-"))
    main_list, fr_list = tmp / "main.txt", tmp / "fr.txt"
    main_files = _corpus_files(args.corpus, args.mb)
    fr_files = _corpus_files(args.corpus, args.spacy_mb, lang="fr")
    main_list.write_text("\n".join(main_files), encoding="utf-8")
    fr_list.write_text("\n".join(fr_files), encoding="utf-8")

    plan = [("quoteframe-1", sys.executable, "quoteframe", main_list, 1),
            ("quoteframe-all", sys.executable, "quoteframe", main_list, 0),
            ("regex", sys.executable, "regex", main_list, 1),
            ("fr/quoteframe-1", sys.executable, "quoteframe", fr_list, 1),
            ("fr/regex", sys.executable, "regex", fr_list, 1)]
    if not args.skip_spacy:
        plan.append(("fr/spacy+textacy", spacy_python, "spacy", fr_list, 1))
    runs: Dict[str, List[dict]] = {name: [] for name, *_ in plan}
    print(f"corpus {args.corpus}: {len(main_files)} documents; French subsample {len(fr_files)} documents; "
          f"{os.cpu_count()} cores; {args.repeats} repeats", flush=True)
    for rep in range(args.repeats):
        for name, python, engine, files, threads in plan:
            load = _wait_for_quiet(args.max_load, args.wait)
            r = _run(python, engine, str(files), threads, env)
            r["load_before"] = round(load, 2)
            r["load_after"] = round(os.getloadavg()[0], 2)
            runs[name].append(r)
            print(f"  [{rep + 1}/{args.repeats}] {name:<18} {r['bytes'] / 1e6 / r['seconds']:8.2f} MB/s  "
                  f"{r['seconds']:8.2f} s  peak RSS {r['maxrss_mb']:6.0f} MB  load {r['load_before']:.2f}",
                  flush=True)

    table = {name: _summary(name, rs) for name, rs in runs.items()}
    print()
    print(f"{'measurement':<20}{'MB':>8}{'docs':>8}{'quotes':>9}{'MB/s':>9}{'docs/s':>9}{'peak RSS':>10}"
          f"{'(before work)':>15}{'load':>14}")
    for s in table.values():
        loads = s["load_before"]
        print(f"{s['name']:<20}{s['mb']:8.1f}{s['docs']:8d}{s['quotes']:9d}{s['mb_per_s']:9.2f}{s['docs_per_s']:9.0f}"
              f"{s['peak_rss_mb']:9.0f}M{s['rss_before_work_mb']:14.0f}M"
              f"{min(loads):7.2f}-{max(loads):.2f}")
    q1, qa, rx = table["quoteframe-1"], table["quoteframe-all"], table["regex"]
    ratios = {
        "quoteframe-1 MB/s (target >= 30)": q1["mb_per_s"],
        "quoteframe-all / quoteframe-1 (target >= 1.8)": qa["mb_per_s"] / q1["mb_per_s"],
        "quoteframe-1 / regex": q1["mb_per_s"] / rx["mb_per_s"],
        "fr: quoteframe-1 / regex": table["fr/quoteframe-1"]["mb_per_s"] / table["fr/regex"]["mb_per_s"],
    }
    if "fr/spacy+textacy" in table:
        sp = table["fr/spacy+textacy"]
        ratios["fr: quoteframe-1 / spacy+textacy (target >= 100)"] = table["fr/quoteframe-1"]["mb_per_s"] / sp["mb_per_s"]
        print(f"\nspaCy + textacy ran on a {sp['mb']:.1f} MB French SUBSAMPLE ({sp['docs']} documents), not on the "
              f"whole corpus; model load {sp['setup_s']:.1f} s (not timed); textacy bailed out of "
              f"{sp['extra'].get('bailed', 0)} documents (odd number of quote marks); "
              f"{sp['extra'].get('versions', {})}")
    print()
    for k, v in ratios.items():
        print(f"{k:<52}{v:10.2f}")
    if args.json:
        args.json.write_text(json.dumps({"table": table, "ratios": ratios, "corpus": str(args.corpus),
                                         "cores": os.cpu_count()}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
