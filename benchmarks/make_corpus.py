"""Make a large benchmark corpus by recombining the paragraphs of real articles.

The case corpus (../shared/corpus/docs: three French articles and one Arabic one) and
the project's test articles (tests/data/articles: three each in Arabic, English,
French and Russian) are cut into their headlines and paragraphs (one a line, blank
lines dropped), pooled by language, and recombined into new documents until the
folder holds the size asked for:

- each document picks a language by the weights of ``--mix``;
- its first line is a headline of that language, the rest ``--paragraphs A-B``
  paragraphs of that language drawn at random (with replacement), so every quote,
  cue and attribution of the sources occurs in many contexts and orders;
- it is written as UTF-8 to ``OUT/<number>_<lang>.txt`` (a flat folder, as
  ``quoteframe analyze`` and ``quoteframe.iter_analyze`` read it), and a
  ``MANIFEST.json`` beside the documents records the arguments, the sources and what
  was written.

The generator is seeded (``--seed``, default 0): the same arguments give the same
files, byte for byte, on any machine, so figures can be compared across runs.
The corpus is only as varied as its sources (a few hundred distinct paragraphs):
use it for speed and memory, never for accuracy.

Usage::

    python3 benchmarks/make_corpus.py /tmp/qf-100mb --size-mb 100
    python3 benchmarks/make_corpus.py /tmp/qf-1gb --size-mb 1000 --seed 1
    python3 benchmarks/make_corpus.py /tmp/qf-fr --size-mb 2 --mix fr=1
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = (ROOT.parent / "shared" / "corpus" / "docs", ROOT / "tests" / "data" / "articles")
DEFAULT_MIX = "fr=0.4,ar=0.2,en=0.2,ru=0.2"
LANG_OF_CASE_DOC = {"002_86eea7aa340d39ba": "ar"}  # the case corpus's one Arabic article


def _lang_of(path: Path) -> str:
    """The language of a source article: its folder (tests/data/articles/<lang>/) or the case list."""
    if path.stem in LANG_OF_CASE_DOC:
        return LANG_OF_CASE_DOC[path.stem]
    if path.parent.name in ("ar", "en", "fr", "ru"):
        return path.parent.name
    return "fr"  # the other case documents are French


def load_pools(sources: Sequence[Path]) -> Tuple[Dict[str, List[str]], Dict[str, List[str]], List[str]]:
    """(headlines by language, paragraphs by language, source files read)."""
    headlines: Dict[str, List[str]] = {}
    paragraphs: Dict[str, List[str]] = {}
    used: List[str] = []
    for src in sources:
        if not src.is_dir():
            continue
        for path in sorted(src.rglob("*.txt")):
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            lines = [line for line in lines if line]
            if len(lines) < 2:
                continue
            lang = _lang_of(path)
            headlines.setdefault(lang, []).append(lines[0])
            paragraphs.setdefault(lang, []).extend(lines[1:])
            used.append(str(path))
    return headlines, paragraphs, used


def parse_mix(spec: str) -> Dict[str, float]:
    mix: Dict[str, float] = {}
    for part in spec.split(","):
        lang, _, weight = part.partition("=")
        try:
            mix[lang.strip()] = float(weight)
        except ValueError:
            raise SystemExit(f"--mix: expected lang=weight pairs, got {part!r}") from None
    if not mix or any(w < 0 for w in mix.values()) or sum(mix.values()) <= 0:
        raise SystemExit(f"--mix: weights must be >= 0 and not all 0: {spec!r}")
    return mix


def make_corpus(out: Path, size_mb: float, seed: int = 0, mix: str = DEFAULT_MIX,
                paragraphs: Tuple[int, int] = (8, 24), sources: Sequence[Path] = DEFAULT_SOURCES) -> dict:
    """Write the corpus into ``out`` (which must be empty or new); returns the manifest."""
    heads, paras, used = load_pools(sources)
    weights = parse_mix(mix)
    missing = [lang for lang, w in weights.items() if w > 0 and lang not in paras]
    if missing:
        raise SystemExit(f"no source paragraphs for {', '.join(missing)} (sources: {', '.join(map(str, sources))})")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: choose a new folder")
    langs = sorted(lang for lang, w in weights.items() if w > 0)
    cum = [weights[lang] for lang in langs]
    rng = random.Random(seed)
    target = int(size_mb * 1e6)
    written = 0
    by_lang = {lang: [0, 0] for lang in langs}  # documents, bytes
    lo, hi = paragraphs
    t0 = time.perf_counter()
    i = 0
    while written < target:
        lang = rng.choices(langs, weights=cum)[0]
        body = [rng.choice(heads[lang])] + [rng.choice(paras[lang]) for _ in range(rng.randint(lo, hi))]
        data = ("\n".join(body) + "\n").encode("utf-8")
        (out / f"{i:07d}_{lang}.txt").write_bytes(data)
        written += len(data)
        by_lang[lang][0] += 1
        by_lang[lang][1] += len(data)
        i += 1
    manifest = {
        "generator": "benchmarks/make_corpus.py",
        "seed": seed,
        "size_mb_asked": size_mb,
        "mix": weights,
        "paragraphs_per_document": [lo, hi],
        "sources": used,
        "distinct_paragraphs": {lang: len(set(p)) for lang, p in paras.items()},
        "documents": i,
        "bytes": written,
        "by_language": {lang: {"documents": d, "bytes": b} for lang, (d, b) in by_lang.items()},
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="the folder to create (must be new or empty)")
    p.add_argument("--size-mb", type=float, default=100.0, help="total size in MB of UTF-8 text (default 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--mix", default=DEFAULT_MIX, help=f"language weights (default {DEFAULT_MIX})")
    p.add_argument("--paragraphs", default="8-24", help="paragraphs per document, A-B (default 8-24)")
    p.add_argument("--source", type=Path, action="append", default=None,
                   help="a folder of source .txt articles (repeatable; default: the case corpus and "
                        "tests/data/articles)")
    args = p.parse_args(argv)
    lo, _, hi = args.paragraphs.partition("-")
    manifest = make_corpus(args.out, args.size_mb, args.seed, args.mix, (int(lo), int(hi or lo)),
                           args.source or DEFAULT_SOURCES)
    print(f"wrote {manifest['documents']} documents, {manifest['bytes'] / 1e6:.1f} MB, into {args.out} "
          f"in {manifest['seconds']} s: " +
          ", ".join(f"{k} {v['documents']}" for k, v in manifest["by_language"].items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
