"""Shared fixtures: the case corpus in ../shared beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    docs = CORPUS / "docs"
    if not docs.is_dir():
        pytest.skip(f"the case corpus is not beside the project ({docs})")
    return docs


@pytest.fixture(scope="session")
def gold_path() -> Path:
    p = CORPUS / "gold" / "quotes.jsonl"
    if not p.is_file():
        pytest.skip(f"the gold quotes are not beside the project ({p})")
    return p
