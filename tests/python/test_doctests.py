"""The examples in the public docstrings run, and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["quoteframe.text", "quoteframe.analyze", "quoteframe.codebook", "quoteframe.evaluate", "quoteframe.stats", "quoteframe.compare", "quoteframe.kwic"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
