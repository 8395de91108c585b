"""The ``quoteframe`` command line (also ``python -m quoteframe``)."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 3


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="quoteframe", description="Find, attribute and score quotes in news.")
    sub = p.add_subparsers(dest="command", required=True)

    ins = sub.add_parser("inspect", help="show what the text layer finds per document")
    ins.add_argument("corpus", help="a folder of .txt files, a glob, or a file")
    ins.add_argument("--lang", default=None, help="language code (default: detect)")
    ins.add_argument("--errors", choices=["strict", "replace"], default="strict",
                     help="invalid UTF-8: fail (strict) or substitute U+FFFD (replace)")
    ins.set_defaults(func=_cmd_inspect)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except FileNotFoundError as e:
        print(f"quoteframe: {e}", file=sys.stderr)
        return EXIT_INPUT
    except ValueError as e:
        print(f"quoteframe: {e}", file=sys.stderr)
        return EXIT_INPUT
