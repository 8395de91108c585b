"""Summarise a callgrind profile of benchmarks/profile_driver.cpp by pipeline stage.

callgrind records, for every call site (caller function, source file and line, callee),
the instructions executed inside the call. With the core built with ``-g``, call sites
keep their source lines even in inlined code, so the ICU BreakIterator calls made by
the word segmentation (``segment_words`` in cpp/src/text/document.cpp) can be told
from those made by the sentence splitting, although both are inlined into
``Pipeline::process``. This script reads a callgrind output file and prints one row per
stage, as a share of ``Analyzer::analyze`` (the whole chain, without loading the
codebook), in a Markdown table.

Usage::

    python3 benchmarks/profile_summary.py callgrind.out [--mb 2.0]

The stages are found by the names of the core's functions and by the source lines of
the inlined code in cpp/src/text/document.cpp (looked up in the file itself, so that
moving code around does not silently break the table).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]

# (caller function, call-site file, call-site line, callee function) -> inclusive instructions
CallSites = Dict[Tuple[str, str, int, str], int]


def _num(token: str, last: int) -> int:
    if token == "*":
        return last
    if token[0] in "+-":
        return last + int(token, 0)
    return int(token, 0)


def parse(path: Path) -> Tuple[CallSites, Dict[str, int], int]:
    """(call sites, self cost per function, total) from a callgrind file (``--dump-instr=yes`` or not)."""
    names: Dict[str, Dict[str, str]] = {k: {} for k in ("fl", "fn", "ob")}
    sites: CallSites = defaultdict(int)
    self_cost: Dict[str, int] = defaultdict(int)
    fn = file = fl = ""
    callee: Optional[str] = None
    n_pos = 1
    last = [0, 0]
    total = 0

    def name(kind: str, value: str) -> str:
        m = re.match(r"\((\d+)\)(?: (.*))?$", value)
        if not m:
            return value
        table = names[kind]
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), value)

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                pos = [_num(t, last[i]) for i, t in enumerate(parts[:n_pos])]
                last[:n_pos] = pos
                cost = int(parts[n_pos]) if len(parts) > n_pos else 0
                lineno = pos[-1] if n_pos == 2 else pos[0]
                if callee is not None:
                    sites[(fn, file, lineno, callee)] += cost
                    callee = None
                else:
                    self_cost[fn] += cost
                continue
            if line.startswith("positions:"):
                n_pos = len(line.split(":", 1)[1].split())
                continue
            if line.startswith("summary:"):
                total = int(line.split(":")[1])
                continue
            key, _, value = line.partition("=")
            if key == "fl":
                fl = file = name("fl", value)
            elif key in ("fi", "fe"):
                file = name("fl", value)
            elif key == "fn":
                fn = name("fn", value)
                file = fl
            elif key in ("cfl", "cfi"):
                name("fl", value)
            elif key in ("ob", "cob"):
                name("ob", value)
            elif key == "cfn":
                callee = name("fn", value)
            elif key == "calls":
                pass  # the next cost line is the call site and its inclusive cost
    return sites, self_cost, total


def _lines_of(path: Path, start: str, end: str) -> range:
    """The line numbers from the first line containing ``start`` to the next containing ``end``."""
    text = path.read_text(encoding="utf-8").splitlines()
    a = next(i for i, line in enumerate(text, 1) if start in line)
    b = next(i for i, line in enumerate(text, 1) if i > a and end in line)
    return range(a, b + 1)


def _sum(sites: CallSites, caller: Optional[str] = None, callee: Optional[str] = None, file: Optional[str] = None,
         lines: Optional[Iterable[int]] = None) -> int:
    lines = set(lines) if lines is not None else None
    total = 0
    for (fn, fl, ln, cf), cost in sites.items():
        if caller is not None and not re.search(caller, fn):
            continue
        if callee is not None and not re.search(callee, cf):
            continue
        if file is not None and not fl.endswith(file):
            continue
        if lines is not None and ln not in lines:
            continue
        total += cost
    return total


def summarise(path: Path) -> List[Tuple[str, int, str]]:
    sites, _, _ = parse(path)
    doc = ROOT / "cpp" / "src" / "text" / "document.cpp"
    seg = _lines_of(doc, "void segment_words(", "while (pi < np) first_token")
    sent = _lines_of(doc, "// Sentences from ICU", "sentence_bounds(p.begin, p.end)")
    process = r"quoteframe::text::Pipeline::(process\(|Impl::push_token)"
    iterator = r"RuleBasedBreakIterator|BreakIterator::|utext_|Impl::set_text"
    chain = _sum(sites, caller=r"Analyzer::analyze\(", callee=r"process_one")
    if chain == 0:  # threads: process_one is reached through the worker lambda
        chain = _sum(sites, callee=r"process_one\(")
    text_layer = _sum(sites, caller=r"process_one", callee=r"quoteframe::text::Pipeline::process\(")
    words_icu = _sum(sites, caller=process, callee=iterator, file="document.cpp", lines=seg)
    sentences = _sum(sites, caller=process, callee=iterator, file="document.cpp", lines=sent)
    fold = _sum(sites, caller=process, callee=r"Folder::fold")
    props = _sum(sites, caller=process, callee=r"^u_(?!strFromUTF8)|UnicodeString::(char32At|moveIndex32)")
    # Validation and conversion are one pass (ICU's strict conversion).
    from_utf8 = _sum(sites, caller=process, callee=r"UnicodeString::fromUTF8|u_strFromUTF8")
    validate = _sum(sites, caller=process, callee=r"require_utf8")
    detect = _sum(sites, caller=process, callee=r"detect_language")
    keys = _sum(sites, caller=r"process_one", callee=r"Scorer::keys|Extractor::keys")
    extract = _sum(sites, caller=r"process_one", callee=r"Extractor::extract")
    trie_in_extract = _sum(sites, caller=r"quotes::", callee=r"Trie::(longest_at|find_all)")
    collect = _sum(sites, caller=r"process_one", callee=r"Scorer::collect")
    trie_in_collect = _sum(sites, caller=r"Scorer::collect", callee=r"Trie::(longest_at|find_all)")
    process_other = text_layer - words_icu - sentences - fold - props - from_utf8 - validate - detect
    after = _sum(sites, caller=r"Analyzer::analyze", callee=r"Scorer::(matrix|features)")
    rest = chain - text_layer - keys - extract - collect
    rows = [
        ("ICU word iterator (RuleBasedBreakIterator next/setText, in segment_words)", words_icu, "text"),
        ("ICU sentence iterator (RuleBasedBreakIterator next/setText)", sentences, "text"),
        ("folding each token (Folder::fold, in push_token)", fold, "text"),
        ("character properties (u_isalpha/isupper/istitle for case flags, white space, char32At)", props,
         "text"),
        ("UTF-8 validation (require_utf8, only after a failed conversion)", validate, "text"),
        ("UTF-8 to UTF-16, validating (u_strFromUTF8WithSub, strict)", from_utf8, "text"),
        ("language detection (detect_language; no lang given)", detect, "text"),
        ("rest of Pipeline::process (paragraphs, token vector, space flags, sentence merging)", process_other,
         "text"),
        ("keys: tokens to vocabulary ids (Vocabulary::keys, StringIds::find)", keys, "match"),
        ("trie matching called by the extractor (cues, actors, roles)", trie_in_extract, "match"),
        ("extraction without its trie calls (scan_marks, indirect, attribution)", extract - trie_in_extract,
         "extract"),
        ("trie matching called by the scorer (lexicon, frames)", trie_in_collect, "score"),
        ("scoring without its trie calls (Scorer::collect: modifiers, Eigen triplets)", collect - trie_in_collect,
         "score"),
        ("result columns (quote rows, text slices), rest of process_one", rest, "other"),
    ]
    rows = [(label, cost, group) for label, cost, group in rows]
    rows.append(("total: Analyzer::analyze -> process_one (the whole chain)", chain, "total"))
    rows.append(("(after the documents: sparse matrix and features, Scorer::matrix/features)", after, "other"))
    return rows


# --------------------------------------------------------------------------------------
# Time: perf samples (cpu-clock), each attributed to one stage by its call stack

PERF_STAGES = [
    "ICU word iterator", "ICU sentence iterator", "folding each token", "character properties",
    "UTF-8 validation", "UTF-8 to UTF-16", "language detection", "rest of Pipeline::process",
    "keys: tokens to vocabulary ids", "trie matching called by the extractor",
    "extraction without its trie calls", "trie matching called by the scorer",
    "scoring without its trie calls", "result columns, rest of process_one",
]


def _perf_samples(path: Path) -> Iterable[List[Tuple[str, str]]]:
    """Each sample of ``perf script -F ip,sym,srcline --no-inline``: [(symbol, srcline)], leaf first."""
    frames: List[Tuple[str, str]] = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                if frames:
                    yield frames
                frames = []
                continue
            if line.startswith("\t"):
                parts = line.strip().split(None, 1)
                frames.append((parts[1] if len(parts) > 1 else "", ""))
            elif frames and line.startswith("  "):
                frames[-1] = (frames[-1][0], line.strip())
    if frames:
        yield frames


def _stage_of(frames: List[Tuple[str, str]], seg: range, sent: range) -> Optional[str]:
    """The stage of one sample (None: not in the chain, e.g. loading the codebook)."""
    syms = [sym for sym, _ in frames]
    if not any("process_one" in sym for sym in syms):
        return None

    def has(pattern: str) -> bool:
        return any(re.search(pattern, sym) for sym in syms)

    if has(r"BreakIterator|^utext_"):
        for sym, src in frames:
            if "Pipeline::process" in sym:
                m = re.search(r"document\.cpp:(\d+)", src)
                line = int(m.group(1)) if m else -1
                return "ICU sentence iterator" if line in sent else "ICU word iterator" if line in seg else \
                    "rest of Pipeline::process"
    if has(r"Folder::fold"):
        return "folding each token"
    if has(r"detect_language"):
        return "language detection"
    if has(r"require_utf8|find_invalid_utf8"):
        return "UTF-8 validation"
    if has(r"fromUTF8|u_strFromUTF8"):
        return "UTF-8 to UTF-16"
    if has(r"Trie::"):
        return "trie matching called by the scorer" if has(r"Scorer::collect") else \
            "trie matching called by the extractor"
    if has(r"Vocabulary::keys|StringIds::find|Scorer::keys|Extractor::keys"):
        return "keys: tokens to vocabulary ids"
    if has(r"Extractor::|quotes::"):
        return "extraction without its trie calls"
    if has(r"Scorer::collect"):
        return "scoring without its trie calls"
    if has(r"Pipeline::process"):
        nearest = next((sym for sym in syms if "quoteframe::" in sym), "")
        if "Pipeline::process" in nearest and re.search(r"^u_|^ucase_|char32At|moveIndex32", syms[0]):
            return "character properties"
        return "rest of Pipeline::process"
    return "result columns, rest of process_one"


def summarise_perf(path: Path) -> Tuple[Dict[str, int], int, int]:
    """(samples per stage, samples in the chain, all samples)."""
    doc = ROOT / "cpp" / "src" / "text" / "document.cpp"
    seg = _lines_of(doc, "void segment_words(", "while (pi < np) first_token")
    sent = _lines_of(doc, "// Sentences from ICU", "sentence_bounds(p.begin, p.end)")
    counts: Dict[str, int] = defaultdict(int)
    total = 0
    for frames in _perf_samples(path):
        total += 1
        stage = _stage_of(frames, seg, sent)
        if stage is not None:
            counts[stage] += 1
    return counts, sum(counts.values()), total


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("callgrind_out", type=Path)
    p.add_argument("--mb", type=float, default=None, help="MB of text profiled, for instructions per byte")
    p.add_argument("--perf", type=Path, default=None,
                   help="also: the output of perf script -F ip,sym,srcline --no-inline (time shares)")
    args = p.parse_args(argv)
    if args.perf:
        counts, chain_samples, all_samples = summarise_perf(args.perf)
        rows = summarise(args.callgrind_out)
        ir = {label: cost for label, cost, _ in rows}
        chain_ir = rows[-2][1]
        print(f"| stage | time (perf, {chain_samples} samples) | instructions (callgrind) |")
        print("|---|---:|---:|")
        for (label, cost, _), stage in zip(rows[:len(PERF_STAGES)], PERF_STAGES):
            print(f"| {label} | {100 * counts.get(stage, 0) / chain_samples:.1f} % | {100 * cost / chain_ir:.1f} % |")
        print(f"| total: the whole chain | 100 % ({chain_samples} of {all_samples} samples; the rest is "
              f"loading the codebook and reading files) | 100 % ({chain_ir / 1e6:,.0f} M) |")
        return 0
    rows = summarise(args.callgrind_out)
    chain = rows[-2][1]
    print("| stage | instructions (M) | share of the chain |" + (" instr./byte |" if args.mb else ""))
    print("|---|---:|---:|" + ("---:|" if args.mb else ""))
    for label, cost, _ in rows:
        per_byte = f" {cost / (args.mb * 1e6):.0f} |" if args.mb else ""
        print(f"| {label} | {cost / 1e6:,.0f} | {100 * cost / chain:.1f} % |{per_byte}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
