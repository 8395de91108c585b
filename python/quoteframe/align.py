"""``align`` and ``drift``: translation pairs, reused quotes, and what changed between versions.

News is syndicated and machine-translated. This module finds, without any
machine translation, which documents are versions of one another (a
translation, or a same-language copy) and which quotes they share, then audits
each pair: quotes present in one version only, attributions dropped or changed
(including the grammatical gender of the reporting verb), entities renamed
(the CSTO rendered as "the OAS"), and frames and stances that differ.

Everything rests on language-independent anchors:

* numbers, normalised across scripts and digit grouping (``2 030``, ``2.030``,
  ``٢٬٠٣٠`` and ``2030`` are one value; see :func:`normalize_number`);
* codebook actors, media and targets, found over the whole text by the core's own
  matcher (:func:`quoteframe.mentions` with ``targets=True``), and quote speakers;
* structure: quote order, relative positions and lengths, paragraphs, headlines;
* the words themselves, only when both documents share a language.

Document pairs are scored from these anchors (:func:`doc_pairs`); quotes are then
aligned within a pair by a monotone dynamic programme over the two quote sequences,
plus a second pass for quotes that moved (:func:`align`). Paragraphs are aligned
the same way, and inside aligned quotes and paragraphs each entity mention is
matched to its counterpart (:func:`renderings`), so that a rendering standing where
the other version has one of the entity's own names can be flagged. :func:`drift` lists
every difference as one row. :func:`align_corpus` computes all of it at once.

Offsets are half-open ``[start, end)`` code points of the original texts.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import weakref
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _core
from ._resources import LANG_DIR, pipeline
from .analyze import Analyzer, _analyzer, analyze, mentions
from .text import Corpus, Document, read_corpus

__all__ = [
    "Alignment",
    "align",
    "align_corpus",
    "doc_pairs",
    "drift",
    "find_numbers",
    "normalize_number",
    "renderings",
    "RELATIONS",
    "DOC_PAIR_COLUMNS",
    "QUOTE_PAIR_COLUMNS",
    "RENDERING_COLUMNS",
    "DRIFT_COLUMNS",
    "DRIFT_KINDS",
]

#: How two documents relate, from the strongest to none.
#: ``translation``: versions of one article in two languages; ``same_article``: two
#: versions in one language (a syndicated copy, an edit); ``shared_quotes``: different
#: articles that reuse at least one quote; ``unrelated``: none of these.
RELATIONS = ("translation", "same_article", "shared_quotes", "unrelated")

DOC_PAIR_COLUMNS = [
    "doc_a", "doc_b", "lang_a", "lang_b", "score", "relation", "anchors", "quotes", "order",
    "structure", "n_quotes_a", "n_quotes_b", "n_aligned",
]
QUOTE_PAIR_COLUMNS = [
    "doc_a", "doc_b", "relation", "quote_a", "quote_b", "start_a", "end_a", "start_b", "end_b",
    "score", "moved", "nested", "text_a", "text_b", "type_a", "type_b", "actor_a", "actor_b",
    "attribution_a", "attribution_b", "cue_a", "cue_b", "cue_gender_a", "cue_gender_b",
    "actor_gender", "speaker_change", "gender_change", "frames_a", "frames_b", "frames_only_a",
    "frames_only_b", "stances_a", "stances_b", "stance_changed",
]
RENDERING_COLUMNS = [
    "doc_id", "entity", "entity_kind", "start", "end", "text", "pattern", "weight", "canonical",
    "paragraph", "quote_id", "other_doc", "relation", "counterpart_start", "counterpart_end",
    "counterpart_text", "counterpart_canonical", "replaces_canonical", "suspect",
]
DRIFT_COLUMNS = [
    "doc_a", "doc_b", "relation", "kind", "entity", "start_a", "end_a", "text_a", "start_b",
    "end_b", "text_b", "value_a", "value_b", "detail",
]
#: The kinds of difference :func:`drift` reports.
DRIFT_KINDS = (
    "quote_missing", "paragraph_missing", "attribution_dropped", "attribution_added",
    "actor_changed", "gender_changed", "gender_conflict", "type_changed", "frame_changed",
    "stance_changed", "rendering_replaced",
)

# What align needs of a quotes DataFrame it is given (frame_* and stance_* are optional).
_QUOTE_INPUT_COLUMNS = ("doc_id", "quote_id", "start", "end", "text", "type", "nested", "parent_id", "cue",
                        "actor", "attribution", "paragraph")

# Attribution kinds that name the speaker in the quote's own sentence.
_NAMED = {"explicit", "pronoun", "role"}

# Tunable thresholds. Similarities are in [0, 1].
_QUOTE_MIN = 0.5       # a quote pair the monotone alignment may use
_PARA_MIN = 0.45       # a paragraph pair
_VERSION_SCORE = 0.55  # document score from which a pair may be two versions of one article
_VERSION_COVER = 0.5   # ... when at least this share of quotes is aligned
_SHARED_MIN = 0.75     # a quote pair that makes two articles "shared_quotes"
# Counterparts of entity pieces: the bonus for a name facing a name, a non-name facing a
# non-name, and a name facing a non-name (see _counterparts).
_NAME_NAME, _OTHER_OTHER, _NAME_OTHER = 1.0, 0.2, -0.3


# --------------------------------------------------------------------------------------
# Numbers


_SPACES = " \u00a0\u202f\u2009"
_GROUPING = _SPACES + "'\u2019\u066c"  # separators that only ever group thousands
_NUMBER_RE = re.compile(r"\d+(?:[" + re.escape(_GROUPING + ".,\u066b") + r"]\d+)*")


def _digits(s: str) -> str:
    """ASCII digits for the decimal digits of any script (Arabic-Indic, Persian...)."""
    return "".join(str(unicodedata.decimal(c)) for c in s)


def _value(int_groups: List[str], frac: Optional[str]) -> str:
    whole = str(int("".join(int_groups)))
    frac = (frac or "").rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def _split_number(match: str, offset: int) -> List[Tuple[int, int, str]]:
    """Cut one run of digits and separators into numbers, with their canonical values."""
    parts = re.split(r"(\D)", match)  # groups at even indices, one separator between each
    groups = [_digits(g) for g in parts[0::2]]
    seps = parts[1::2]
    out: List[Tuple[int, int, str]] = []
    pos = offset
    i = 0
    while i < len(groups):
        start = pos
        ints, frac, thousands_sep = [groups[i]], None, None
        end = pos + len(parts[2 * i])
        j = i
        while j + 1 < len(groups):
            sep, nxt = seps[j], groups[j + 1]
            # A grouping separator: the first group has 1-3 digits, every later one 3,
            # and one separator character is used throughout.
            groups_ok = frac is None and len(ints[0]) <= 3 and len(nxt) == 3 and thousands_sep in (None, sep)
            if sep in _GROUPING:
                if not groups_ok:
                    break
                ints.append(nxt)
                thousands_sep = sep
            elif sep == "\u066b" or (sep in ".," and not groups_ok):
                # A decimal mark: once, and never the character that grouped thousands.
                if frac is not None or sep == thousands_sep:
                    break
                frac = nxt
            else:  # "." or "," before exactly three digits: grouping ("2.030" is 2030)
                ints.append(nxt)
                thousands_sep = sep
            end += len(sep) + len(parts[2 * (j + 1)])
            j += 1
        out.append((start, end, _value(ints, frac)))
        # the next number starts after the separator that broke this one
        pos = end
        if j + 1 < len(groups):
            pos += len(seps[j])
        i = j + 1
    return out


def find_numbers(text: str) -> List[Tuple[int, int, str]]:
    """Every number of ``text`` as ``(start, end, value)``, the value canonical.

    Digits of any script count; spaces, no-break spaces, apostrophes and the Arabic
    thousands sign group thousands; ``.`` and ``,`` group thousands before exactly
    three digits (``2.030``, ``2,030``) and are decimal marks otherwise (``2,5``).
    The rule is the one news in the four languages follows; ``1.500`` meaning one and
    a half is read as 1500.

    >>> find_numbers("totalisant 2 030 soldats et 250 matériels")
    [(11, 16, '2030'), (28, 31, '250')]
    """
    out: List[Tuple[int, int, str]] = []
    for m in _NUMBER_RE.finditer(text):
        out.extend(_split_number(m.group(), m.start()))
    return out


def normalize_number(text: str) -> Optional[str]:
    """The canonical value of a written number, or None when ``text`` is not one number.

    >>> [normalize_number(s) for s in ["2 030", "2.030", "٢٠٣٠", "2,5", "1.234,5", "abc"]]
    ['2030', '2030', '2030', '2.5', '1234.5', None]
    """
    found = find_numbers(text.strip())
    if len(found) != 1 or found[0][1] - found[0][0] != len(text.strip()):
        return None
    return found[0][2]


# --------------------------------------------------------------------------------------
# The gender a reporting verb or pronoun shows

# The language-file lists (section [quotes]) whose words show each grammatical gender.
_GENDER_LISTS = {
    "female": ("speech_verbs_female", "pronouns_female", "participle_cues_female"),
    "male": ("speech_verbs_male", "pronouns_male", "participle_cues_male"),
    "plural": ("speech_verbs_plural", "pronouns_plural"),
}


@lru_cache(maxsize=None)
def _gender_words(lang: str) -> Optional[Analyzer]:
    """The language's gendered cue words as a compiled codebook of three targets, or None.

    Read once per language. The words are matched by the core (:func:`mentions`), so
    clitic prefixes are stripped exactly as they are for cues ("وقالت" through "قالت").
    """
    path = LANG_DIR / f"{lang}.toml"
    if not lang or not path.is_file():
        return None
    lists = _core.parse_toml(path.read_text(encoding="utf-8"), str(path)).get("quotes", {})
    # JSON strings are valid TOML basic strings.
    lines = ["[codebook]", f"name = {json.dumps('cue-gender-' + lang)}", f"languages = [{json.dumps(lang)}]"]
    for gender, keys in _GENDER_LISTS.items():
        words = [w for k in keys for w in lists.get(k) or []]
        if words:
            quoted = ", ".join(json.dumps(w, ensure_ascii=False) for w in words)
            lines += ["[[targets]]", f"id = {json.dumps(gender)}", f"patterns.{json.dumps(lang)} = [{quoted}]"]
    if len(lines) == 3:
        return None
    return Analyzer(_core.Codebook.from_string("\n".join(lines), str(path)))


def _cue_genders(cues: Sequence, lang: str) -> List[Optional[str]]:
    """For each cue, ``female``, ``male`` or ``plural`` when its words show it (قالت, a-t-elle), else None."""
    out: List[Optional[str]] = [None] * len(cues)
    words = _gender_words(lang or "")
    keep = [i for i, c in enumerate(cues) if isinstance(c, str) and c]
    if words is None or not keep:
        return out
    # A frame, not a list of strings: a cue that happens to name a file stays text.
    texts = pd.DataFrame({"doc_id": [str(i) for i in keep], "text": [cues[i] for i in keep], "lang": lang})
    found = mentions(texts, codebook=words, targets=True)
    for doc, genders in found.groupby("doc_id", sort=False)["id"]:
        if genders.nunique() == 1:  # words of two genders show none
            out[int(doc)] = genders.iat[0]
    return out


def _gender_of_cue(cue: Optional[str], lang: str) -> Optional[str]:
    """``female``, ``male`` or ``plural`` when the cue's words show it (قالت, a-t-elle), else None."""
    return _cue_genders([cue], lang)[0]


# --------------------------------------------------------------------------------------
# Entity renderings: codebook targets, actors and media, from the core's matcher


@dataclass
class _Rendering:
    doc: str
    entity: str
    entity_kind: str  # target, actor, medium
    start: int
    end: int
    text: str
    pattern: Optional[str]
    weight: float
    canonical: bool
    paragraph: int
    pieces: List[Tuple[int, int, bool]]  # (start, end, is_name) used to find counterparts
    quote_id: Optional[str] = None


_OWNERS: "weakref.WeakKeyDictionary[Analyzer, Dict[str, frozenset]]" = weakref.WeakKeyDictionary()


def _name_owners(an: Analyzer) -> Dict[str, frozenset]:
    """For each target, the actors whose names are among its patterns (the CSTO target and the
    CSTO organisation): their names are the target's own names. Built once per analyzer."""
    owners = _OWNERS.get(an)
    if owners is None:
        pipe = pipeline()
        owners = {}
        for t in an.codebook.targets:
            pats = {tuple(pipe.tokenize_pattern(p, lang)) for lang, es in t["patterns"].items() for p, _ in es}
            owners[t["id"]] = frozenset(
                a["id"] for a in an.codebook.actors
                if any(tuple(pipe.tokenize_pattern(n, lang)) in pats for lang, ns in a["names"].items() for n in ns))
        _OWNERS[an] = owners
    return owners


def _names_inside(targets: pd.DataFrame, langs: Dict[str, str], an: Analyzer) -> List[List[Tuple[int, int]]]:
    """For each target mention, the spans of the target's own names inside it.

    The core matches each rendering's text on its own: in the whole document a name
    can be swallowed by a longer match (the White House inside "the press secretary
    of the White House", a description of Psaki).
    """
    out: List[List[Tuple[int, int]]] = [[] for _ in range(len(targets))]
    owners = _name_owners(an)
    if not any(owners.values()) or not len(targets):
        return out
    texts = pd.DataFrame({"doc_id": [str(i) for i in range(len(targets))], "text": targets["text"].tolist(),
                          "lang": [langs[d] for d in targets["doc_id"]]})
    found = mentions(texts, codebook=an)
    found = found[(found["kind"] == "actor") & ~found["by_description"]]
    starts, ids = targets["start"].to_numpy(), targets["id"].tolist()
    for doc, s, e, actor in found[["doc_id", "start", "end", "id"]].itertuples(index=False):
        i = int(doc)
        if actor in owners[ids[i]]:
            out[i].append((int(starts[i] + s), int(starts[i] + e)))
    return out


def _pieces(start: int, end: int, names: List[Tuple[int, int]], tokens: pd.DataFrame) -> List[Tuple[int, int, bool]]:
    """The rendering cut at the entity's names: "forces de l'OTSC" -> "forces de l'" + "OTSC".

    The part outside the names becomes a piece of its own when it holds a word of
    three letters or more, so that "forces" can pair with "قوات" and "OTSC" with
    whatever the other version puts in its place.
    """
    ts, te = tokens["start"].to_numpy(), tokens["end"].to_numpy()
    norms, kinds = tokens["norm"].to_numpy(), tokens["kind"].to_numpy()
    pieces: List[Tuple[int, int, bool]] = []

    def rest(s: int, e: int) -> None:
        sel = np.flatnonzero((ts >= s) & (te <= e))
        if any(kinds[i] == "word" and len(norms[i]) >= 3 for i in sel):
            pieces.append((int(ts[sel[0]]), int(te[sel[-1]]), False))

    cur = start
    for s, e in sorted(names):
        rest(cur, s)
        pieces.append((s, e, True))
        cur = e
    rest(cur, end)
    return pieces


def _renderings(docs: List[Document], ments: pd.DataFrame, an: Analyzer,
                lang: Optional[str]) -> Dict[str, List[_Rendering]]:
    """Every entity mention of every document as a rendering, in text order.

    ``ments`` is ``mentions(docs, lang=lang, targets=True)``. A target rendering is
    canonical when one of the target's own names is inside it; an actor or medium
    when it is a name rather than a description.
    """
    by_id = {d.id: d for d in docs}
    para_starts = {d.id: d.paragraph_spans[:, 0] for d in docs}
    out: Dict[str, List[_Rendering]] = {d.id: [] for d in docs}

    def add(row, kind, pattern, weight, name, pieces) -> None:
        s = int(row.start)
        para = max(int(np.searchsorted(para_starts[row.doc_id], s, side="right")) - 1, 0)
        out[row.doc_id].append(_Rendering(row.doc_id, row.id, kind, s, int(row.end), row.text, pattern, weight,
                                          name, para, pieces))

    is_target = (ments["kind"] == "target").to_numpy()
    targets = ments[is_target]
    names = _names_inside(targets, {d.id: lang or d.lang for d in docs}, an)
    tokens: Dict[str, pd.DataFrame] = {}
    for row, inside in zip(targets.itertuples(index=False), names):
        pieces = [(int(row.start), int(row.end), False)]
        if inside:
            if row.doc_id not in tokens:
                tokens[row.doc_id] = by_id[row.doc_id].tokens
            pieces = _pieces(int(row.start), int(row.end), inside, tokens[row.doc_id])
        # The core keeps weights as float32: round back to the codebook's decimals.
        add(row, "target", row.pattern, round(float(row.weight), 6), bool(inside), pieces)
    for row in ments[~is_target].itertuples(index=False):
        name = not bool(row.by_description)
        add(row, row.kind, None, 1.0, name, [(int(row.start), int(row.end), name)])
    return out


# --------------------------------------------------------------------------------------
# Per-document features


@dataclass
class _Quote:
    row: int  # index in the quotes frame
    qid: str
    start: int
    end: int
    nested: bool
    parent: Optional[str]
    actor: Optional[str]
    type: str
    para: int
    numbers: Counter
    entities: frozenset
    words: frozenset
    pos: float
    rel_len: float


@dataclass
class _Para:
    index: int
    start: int
    end: int
    headline: bool
    numbers: Counter
    entities: frozenset
    words: frozenset
    quotes: List[str]
    pos: float
    rel_len: float


@dataclass
class _DocInfo:
    id: str
    lang: str
    text: str
    quotes: List[_Quote]
    top: List[_Quote]  # not nested
    paras: List[_Para]
    anchors: Counter
    sequence: List[str]
    renderings: List[_Rendering] = field(default_factory=list)


def _words_in(tokens: pd.DataFrame, start: int, end: int) -> frozenset:
    sel = (tokens["start"].to_numpy() >= start) & (tokens["end"].to_numpy() <= end)
    norms = tokens["norm"].to_numpy()[sel]
    kinds = tokens["kind"].to_numpy()[sel]
    return frozenset(n for n, k in zip(norms, kinds) if k in ("word", "number") and len(n) >= 3)


def _in_span(items, start: int, end: int):
    return [x for x in items if x[0] >= start and x[1] <= end]


def _doc_info(doc: Document, quotes: pd.DataFrame, rend: List[_Rendering]) -> _DocInfo:
    text = doc.text
    n = max(len(text), 1)
    tokens = doc.tokens
    numbers = find_numbers(text)
    ents = [(r.start, r.end, f"{r.entity_kind}:{r.entity}") for r in rend]
    spans = doc.paragraph_spans
    headline = doc.headline is not None
    qs: List[_Quote] = []
    for row, r in quotes.iterrows():
        s, e = int(r["start"]), int(r["end"])
        qs.append(_Quote(
            row=row, qid=r["quote_id"], start=s, end=e, nested=bool(r["nested"]),
            parent=r["parent_id"] if isinstance(r["parent_id"], str) else None,
            actor=r["actor"] if isinstance(r["actor"], str) else None, type=str(r["type"]),
            para=int(r["paragraph"]),
            numbers=Counter(v for _, _, v in _in_span(numbers, s, e)),
            entities=frozenset(k for _, _, k in _in_span(ents, s, e)),
            words=_words_in(tokens, s, e), pos=(s + e) / 2 / n, rel_len=(e - s) / n,
        ))
    paras: List[_Para] = []
    for i, (s, e) in enumerate(spans.tolist()):
        paras.append(_Para(
            index=i, start=s, end=e, headline=headline and i == 0,
            numbers=Counter(v for _, _, v in _in_span(numbers, s, e)),
            entities=frozenset(k for _, _, k in _in_span(ents, s, e)),
            words=_words_in(tokens, s, e), quotes=[q.qid for q in qs if s <= q.start < e and not q.nested],
            pos=(s + e) / 2 / n, rel_len=(e - s) / n,
        ))
    # Document anchors: numbers, actors and media, speakers, targets (weakly).
    anchors: Counter = Counter()
    seq: List[Tuple[int, str]] = []
    for s, _, v in numbers:
        anchors[f"num:{v}"] += 1
        seq.append((s, f"num:{v}"))
    for s, _, k in ents:
        if not k.startswith("target:"):
            seq.append((s, k))
        anchors[k] += 1
    for q in qs:
        if q.actor and not q.nested:
            anchors[f"speaker:{q.actor}"] += 1
    top = [q for q in qs if not q.nested]
    return _DocInfo(doc.id, doc.lang, text, qs, top, paras, anchors, [k for _, k in sorted(seq)], rend)


# --------------------------------------------------------------------------------------
# Similarities


def _multiset_jaccard(a: Counter, b: Counter, weight=lambda k: 1.0) -> float:
    keys = set(a) | set(b)
    if not keys:
        return 0.0
    num = sum(weight(k) * min(a[k], b[k]) for k in keys)
    den = sum(weight(k) * max(a[k], b[k]) for k in keys)
    return num / den if den else 0.0


def _set_jaccard(a: frozenset, b: frozenset) -> float:
    u = len(a | b)
    return len(a & b) / u if u else 0.0


def _closeness(a: float, b: float, scale: float) -> float:
    return max(0.0, 1.0 - abs(a - b) / scale)


def _ratio(a: float, b: float) -> float:
    return min(a, b) / max(a, b) if max(a, b) > 0 else 1.0


def _quote_sim(a: _Quote, b: _Quote, same_lang: bool) -> Tuple[float, bool]:
    """(similarity in [0, 1], is the pair the same quote whatever its place).

    Identity evidence comes from who said the quotes and what they hold (speaker,
    numbers, entities, and the words when the language is shared); structure
    (relative position, relative length, type) only supports it, so a pair without
    any identity anchor stays below 0.4 wherever it sits.

    The second value marks a pair that is the same quote even out of place (reused
    in another article, or moved): in one language, half the words shared; across
    languages, the same speaker and half the numbers shared.
    """
    ident, w_ident = 0.0, 0.0
    same_speaker = None
    if a.actor and b.actor:
        same_speaker = a.actor == b.actor
        ident += 2.0 * same_speaker
        w_ident += 2.0
    numbers = None
    if a.numbers or b.numbers:
        numbers = _multiset_jaccard(a.numbers, b.numbers)
        ident += 3.0 * numbers
        w_ident += 3.0
    if a.entities or b.entities:
        ident += 1.5 * _set_jaccard(a.entities, b.entities)
        w_ident += 1.5
    words = None
    if same_lang:
        words = _set_jaccard(a.words, b.words)
        ident += 5.0 * words
        w_ident += 5.0
    evidence = ident / w_ident if w_ident else 0.0
    types = 1.0 if a.type == b.type else (0.5 if "mixed" in (a.type, b.type) else 0.0)
    struct = (2.0 * _closeness(a.pos, b.pos, 0.2) + 1.0 * _ratio(a.rel_len, b.rel_len) + 0.5 * types) / 3.5
    sim = 0.65 * evidence + 0.35 * struct if w_ident else 0.4 * struct
    if words is not None:
        # Nearly the same words are the same quote even when the attribution changed
        # (a moved paragraph re-resolves "a-t-elle ajouté" to someone else).
        strong = words >= 0.8 or (words >= 0.5 and same_speaker is not False)
    else:
        strong = bool(numbers is not None and numbers >= 0.5 and same_speaker)
    return sim, strong


def _para_sim(a: _Para, b: _Para, same_lang: bool, quote_links: Dict[str, str]) -> Tuple[float, bool]:
    """(similarity, is it the same paragraph whatever its place), like :func:`_quote_sim`.

    A paragraph pair is strong, and may pair out of order, when half its quotes are
    aligned to quotes of the other, or (in one language) half its words are shared.
    """
    total, w = 0.0, 0.0
    linked, words = None, None
    if a.numbers or b.numbers:
        total += 3.0 * _multiset_jaccard(a.numbers, b.numbers)
        w += 3.0
    if a.entities or b.entities:
        total += 1.5 * _set_jaccard(a.entities, b.entities)
        w += 1.5
    if a.quotes or b.quotes:
        linked = 2 * sum(1 for q in a.quotes if quote_links.get(q) in b.quotes) / (len(a.quotes) + len(b.quotes))
        total += 4.0 * linked
        w += 4.0
    if a.headline or b.headline:
        total += 3.0 * (a.headline and b.headline)
        w += 3.0
    if same_lang:
        words = _set_jaccard(a.words, b.words)
        total += 4.0 * words
        w += 4.0
    total += 2.0 * _closeness(a.pos, b.pos, 0.2) + 1.0 * _ratio(a.rel_len, b.rel_len)
    w += 3.0
    strong = (linked is not None and linked >= 0.5) or (words is not None and words >= 0.5)
    return total / w, strong


def _monotone(sim: np.ndarray, threshold: float) -> List[Tuple[int, int]]:
    """The order-preserving one-to-one alignment maximising the sum of (sim - threshold)."""
    n, m = sim.shape
    gain = sim - threshold
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diag = best[i - 1, j - 1] + gain[i - 1, j - 1] if gain[i - 1, j - 1] >= 0 else -np.inf
            best[i, j] = max(best[i - 1, j], best[i, j - 1], diag)
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        g = gain[i - 1, j - 1]
        if g >= 0 and best[i, j] == best[i - 1, j - 1] + g:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i, j] == best[i - 1, j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _assign(score: np.ndarray) -> List[Tuple[int, int]]:
    """Maximum-weight one-to-one assignment (Hungarian method); entries <= 0 are never paired."""
    n, m = score.shape
    if n == 0 or m == 0:
        return []
    flip = n > m
    s = score.T if flip else score
    n, m = s.shape
    # A pair scoring <= 0 costs what leaving both sides unpaired costs: it is dropped below.
    cost = float(s.max(initial=0.0)) - np.maximum(s, 0.0)
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    p, way = np.zeros(m + 1, dtype=int), np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], np.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1, j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    out = []
    for j in range(1, m + 1):
        i = p[j]
        if i and s[i - 1, j - 1] > 0:
            out.append((j - 1, i - 1) if flip else (i - 1, j - 1))
    return sorted(out)


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


# --------------------------------------------------------------------------------------
# Pair alignment


@dataclass
class _PairResult:
    a: str
    b: str
    score: float
    relation: str
    anchors: float
    quotes: float
    order: float
    structure: float
    n_aligned: int
    quote_pairs: List[Tuple[_Quote, _Quote, float, bool]]
    para_pairs: List[Tuple[int, int, float]]


def _align_quotes(a: _DocInfo, b: _DocInfo) -> List[Tuple[_Quote, _Quote, float, bool, bool]]:
    """Quote pairs (quote_a, quote_b, similarity, moved, strong), top-level quotes first.

    A monotone alignment first (versions of one article keep their order); then the
    quotes left over are paired when they are strongly the same quote (moved).
    Nested quotes follow their parents, in order, within each aligned parent pair.
    """
    same = a.lang == b.lang
    qa, qb = a.top, b.top
    if not qa or not qb:
        return []
    sim = np.zeros((len(qa), len(qb)))
    strong = np.zeros(sim.shape, dtype=bool)
    for i, x in enumerate(qa):
        for j, y in enumerate(qb):
            sim[i, j], strong[i, j] = _quote_sim(x, y, same)
    pairs = [(i, j, False) for i, j in _monotone(sim, _QUOTE_MIN)]
    used_a = {i for i, _, _ in pairs}
    used_b = {j for _, j, _ in pairs}
    cand = sorted((-sim[i, j], i, j) for i in range(len(qa)) for j in range(len(qb))
                  if i not in used_a and j not in used_b and strong[i, j])
    for _, i, j in cand:
        if i not in used_a and j not in used_b:
            pairs.append((i, j, True))
            used_a.add(i)
            used_b.add(j)
    pairs.sort()
    out = [(qa[i], qb[j], float(sim[i, j]), moved, bool(strong[i, j] or sim[i, j] >= _SHARED_MIN))
           for i, j, moved in pairs]
    kids_a, kids_b = _children(a.quotes), _children(b.quotes)
    for x, y, _, _, st in list(out):
        ka, kb = kids_a.get(x.qid, []), kids_b.get(y.qid, [])
        if ka and kb:
            s = np.array([[_quote_sim(u, v, same)[0] for v in kb] for u in ka])
            for i, j in _monotone(s, 0.3):
                out.append((ka[i], kb[j], float(s[i, j]), False, st))
    return out


def _children(quotes: List[_Quote]) -> Dict[str, List[_Quote]]:
    out: Dict[str, List[_Quote]] = {}
    for q in quotes:
        if q.nested and q.parent:
            out.setdefault(q.parent, []).append(q)
    return out


def _align_paragraphs(a: _DocInfo, b: _DocInfo, qpairs) -> List[Tuple[int, int, float]]:
    """Paragraph pairs (index_a, index_b, similarity): monotone first, then moved ones."""
    links = {x.qid: y.qid for x, y, *_ in qpairs}
    same = a.lang == b.lang
    n, m = len(a.paras), len(b.paras)
    sim = np.zeros((n, m))
    strong = np.zeros((n, m), dtype=bool)
    for i, x in enumerate(a.paras):
        for j, y in enumerate(b.paras):
            sim[i, j], strong[i, j] = _para_sim(x, y, same, links)
    pairs = _monotone(sim, _PARA_MIN)
    used_a, used_b = {i for i, _ in pairs}, {j for _, j in pairs}
    for _, i, j in sorted((-sim[i, j], i, j) for i in range(n) for j in range(m)
                          if strong[i, j] and i not in used_a and j not in used_b):
        if i not in used_a and j not in used_b:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    return [(i, j, float(sim[i, j])) for i, j in sorted(pairs)]


def _pair(a: _DocInfo, b: _DocInfo, idf: Dict[str, float], min_anchors: float) -> Optional[_PairResult]:
    kind_weight = {"num": 2.0, "actor": 1.0, "medium": 1.0, "speaker": 1.0, "target": 0.25}

    def weight(k: str) -> float:
        return kind_weight.get(k.split(":", 1)[0], 1.0) * idf.get(k, 1.0)

    anchors = _multiset_jaccard(a.anchors, b.anchors, weight)
    if anchors < min_anchors:
        return None  # too little in common to be worth aligning
    qpairs = _align_quotes(a, b)
    top_pairs = [p for p in qpairs if not p[0].nested]
    n_q = len(a.top) + len(b.top)
    quotes = 2 * sum(p[2] for p in top_pairs) / n_q if n_q else anchors
    la, lb = len(a.sequence), len(b.sequence)
    order = 2 * _lcs(a.sequence, b.sequence) / (la + lb) if la + lb else 0.0
    structure = _ratio(len(a.paras), len(b.paras))
    score = 0.3 * anchors + 0.35 * quotes + 0.25 * order + 0.1 * structure
    cover = 2 * len(top_pairs) / n_q if n_q else 0.0
    if score >= _VERSION_SCORE and (cover >= _VERSION_COVER or not n_q):
        relation = "translation" if a.lang != b.lang else "same_article"
    elif any(p[4] for p in top_pairs):
        relation = "shared_quotes"
        qpairs = [p for p in qpairs if p[4]]  # only the quotes really shared
    else:
        relation = "unrelated"
        qpairs = []
    paras = _align_paragraphs(a, b, qpairs) if relation in ("translation", "same_article") else []
    pairs = [(x, y, s, moved) for x, y, s, moved, _ in qpairs]
    return _PairResult(a.id, b.id, round(score, 6), relation, round(anchors, 6), round(quotes, 6), round(order, 6),
                       round(structure, 6), sum(not x.nested for x, *_ in pairs), pairs, paras)


# --------------------------------------------------------------------------------------
# The whole corpus


class Alignment:
    """Everything :func:`align_corpus` computed: four tables and the inputs.

    ``doc_pairs``, ``quote_pairs``, ``renderings`` and ``drift`` are DataFrames
    (columns :data:`DOC_PAIR_COLUMNS`, :data:`QUOTE_PAIR_COLUMNS`,
    :data:`RENDERING_COLUMNS`, :data:`DRIFT_COLUMNS`); ``quotes`` is the
    analyzed quotes frame the alignment used.
    """

    def __init__(self, doc_pairs, quote_pairs, renderings, drift, quotes):
        self.doc_pairs = doc_pairs
        self.quote_pairs = quote_pairs
        self.renderings = renderings
        self.drift = drift
        self.quotes = quotes

    def __repr__(self) -> str:
        rel = Counter(self.doc_pairs["relation"])
        parts = ", ".join(f"{r} {rel[r]}" for r in RELATIONS if rel.get(r))
        return (f"Alignment({len(self.doc_pairs)} document pairs: {parts or 'none'}; "
                f"{len(self.quote_pairs)} quote pairs, {len(self.drift)} differences)")


def _documents(source, corpus, lang) -> List[Document]:
    if corpus is None:
        corpus = source
    if isinstance(corpus, Corpus):
        return list(corpus)
    if isinstance(corpus, Document):
        return [corpus]
    if isinstance(corpus, (list, tuple)) and corpus and all(isinstance(d, Document) for d in corpus):
        return list(corpus)
    if isinstance(corpus, pd.DataFrame):
        raise ValueError("align: a quotes DataFrame needs the documents too: align(quotes, corpus=FOLDER)")
    return list(read_corpus(corpus, lang=lang))


def align_corpus(
    source,
    corpus=None,
    codebook="csto-kazakhstan-2022",
    lang: Optional[str] = None,
    min_score: float = 0.0,
    min_anchors: float = 0.1,
) -> Alignment:
    """Pair the documents of a corpus, align their quotes, and audit every related pair.

    ``source`` is a corpus (a folder, glob, list of paths, :class:`~quoteframe.Corpus`)
    or a quotes DataFrame from :func:`quoteframe.analyze`; with a DataFrame, ``corpus``
    gives the documents it was computed from. ``codebook`` names the actors and
    targets used as anchors (with a DataFrame, its ``attrs["codebook"]`` wins when
    set). Document pairs scoring below ``min_score`` are left out of ``doc_pairs``.

    Only pairs of documents sharing an anchor other than a target are considered, and
    only those whose anchors overlap by at least ``min_anchors`` (weighted Jaccard) are
    scored and listed; the others are unrelated (``min_anchors=0`` scores every pair that
    shares an anchor, slower on large corpora). The result does not depend on the order
    of the documents.
    """
    docs = sorted(_documents(source, corpus, lang), key=lambda d: d.id)
    an: Analyzer = codebook if isinstance(codebook, Analyzer) else _analyzer(codebook)
    if isinstance(source, pd.DataFrame):
        quotes = source
        used = quotes.attrs.get("codebook")
        if used and used != an.codebook.name:
            raise ValueError(f"align: the quotes were analyzed with the codebook {used!r}, not "
                             f"{an.codebook.name!r}: pass the same codebook= to align")
        absent = [c for c in _QUOTE_INPUT_COLUMNS if c not in quotes.columns]
        if absent:
            raise ValueError(f"align: the quotes DataFrame lacks the columns {', '.join(absent)} "
                             "(pass the output of quoteframe.analyze)")
        missing = sorted(set(quotes["doc_id"]) - {d.id for d in docs})
        if missing:
            raise ValueError(f"align: the quotes name documents that are not in the corpus: {', '.join(missing[:5])}")
    else:
        quotes = analyze(docs, codebook=an, lang=lang) if docs else analyze([], codebook=an)
    quotes = quotes.reset_index(drop=True)
    rends = _renderings(docs, mentions(docs, codebook=an, lang=lang, targets=True), an, lang)
    infos: Dict[str, _DocInfo] = {}
    for d in docs:
        infos[d.id] = _doc_info(d, quotes[quotes["doc_id"] == d.id], rends[d.id])
        _attach_quotes(rends[d.id], infos[d.id].quotes)
    # Candidate pairs: documents sharing an anchor that is not a target.
    df: Counter = Counter()
    for info in infos.values():
        df.update(k for k in info.anchors if not k.startswith("target:"))
    n = len(infos)
    idf = {k: 1.0 + math.log(n / c) for k, c in df.items()}
    index: Dict[str, List[str]] = {}
    for info in infos.values():
        for k in info.anchors:
            if not k.startswith("target:"):
                index.setdefault(k, []).append(info.id)
    cands = sorted({(x, y) for ids in index.values() for i, x in enumerate(ids) for y in ids[i + 1:]})
    results = [r for r in (_pair(infos[a], infos[b], idf, min_anchors) for a, b in cands) if r is not None]
    results = [r for r in results if r.score >= min_score]
    results.sort(key=lambda r: (-r.score, r.a, r.b))
    pairs_df = _doc_pair_frame(results, infos)
    qp = _quote_pair_frame(results, quotes, an, {k: v.lang for k, v in infos.items()})
    rd = _rendering_frame(results, infos)
    dr = _drift_frame(results, infos, qp, rd)
    return Alignment(pairs_df, qp, rd, dr, quotes)


def _attach_quotes(rend: List[_Rendering], quotes: List[_Quote]) -> None:
    for r in rend:
        inner = [q for q in quotes if q.start <= r.start and r.end <= q.end]
        if inner:  # the innermost quote holding the rendering
            r.quote_id = min(inner, key=lambda q: q.end - q.start).qid


# --------------------------------------------------------------------------------------
# Tables


def _doc_pair_frame(results: List[_PairResult], infos: Dict[str, _DocInfo]) -> pd.DataFrame:
    rows = [(r.a, r.b, infos[r.a].lang, infos[r.b].lang, r.score, r.relation, r.anchors, r.quotes, r.order,
             r.structure, len(infos[r.a].top), len(infos[r.b].top), r.n_aligned) for r in results]
    return pd.DataFrame(rows, columns=DOC_PAIR_COLUMNS)


def _frames_present(row: pd.Series, frame_cols: List[str]) -> List[str]:
    return [c[len("frame_"):] for c in frame_cols if float(row[c]) > 0]


def _quote_pair_frame(results: List[_PairResult], quotes: pd.DataFrame, an: Analyzer,
                      langs: Dict[str, str]) -> pd.DataFrame:
    frame_cols = [c for c in quotes.columns if c.startswith("frame_")]
    stance_cols = [c for c in quotes.columns if c.startswith("stance_") and c.endswith("_label")]
    genders = {a["id"]: a.get("gender") for a in an.codebook.actors}
    # The gender each paired quote's cue shows, one batch per language.
    by_lang: Dict[str, set] = {}
    for r in results:
        for x, y, _, _ in r.quote_pairs:
            by_lang.setdefault(langs.get(r.a, ""), set()).add(x.row)
            by_lang.setdefault(langs.get(r.b, ""), set()).add(y.row)
    cue_gender: Dict[int, Optional[str]] = {}
    for lang_, rows_ in by_lang.items():
        rows_ = sorted(rows_)
        cue_gender.update(zip(rows_, _cue_genders(quotes.loc[rows_, "cue"].tolist(), lang_)))
    rows = []
    for r in results:
        for x, y, score, moved in r.quote_pairs:
            qa, qb = quotes.loc[x.row], quotes.loc[y.row]
            ga, gb = cue_gender[x.row], cue_gender[y.row]
            actor = x.actor or y.actor
            fa, fb = _frames_present(qa, frame_cols), _frames_present(qb, frame_cols)
            stance = [c[len("stance_"):-len("_label")] for c in stance_cols if int(qa[c]) != int(qb[c])]
            rows.append({
                "doc_a": r.a, "doc_b": r.b, "relation": r.relation, "quote_a": x.qid, "quote_b": y.qid,
                "start_a": x.start, "end_a": x.end, "start_b": y.start, "end_b": y.end,
                "score": round(score, 6), "moved": moved, "nested": x.nested,
                "text_a": qa["text"], "text_b": qb["text"], "type_a": x.type, "type_b": y.type,
                "actor_a": x.actor, "actor_b": y.actor,
                "attribution_a": str(qa["attribution"]), "attribution_b": str(qb["attribution"]),
                "cue_a": qa["cue"] if isinstance(qa["cue"], str) else None,
                "cue_b": qb["cue"] if isinstance(qb["cue"], str) else None,
                "cue_gender_a": ga, "cue_gender_b": gb,
                "actor_gender": genders.get(actor) if actor else None,
                "speaker_change": _speaker_change(x.actor, y.actor, str(qa["attribution"]), str(qb["attribution"])),
                "gender_change": bool(ga and gb and ga != gb),
                "frames_a": ";".join(fa), "frames_b": ";".join(fb),
                "frames_only_a": ";".join(f for f in fa if f not in fb),
                "frames_only_b": ";".join(f for f in fb if f not in fa),
                "stances_a": ";".join(f"{c[len('stance_'):-len('_label')]}={int(qa[c])}" for c in stance_cols),
                "stances_b": ";".join(f"{c[len('stance_'):-len('_label')]}={int(qb[c])}" for c in stance_cols),
                "stance_changed": ";".join(stance),
            })
    out = pd.DataFrame(rows, columns=QUOTE_PAIR_COLUMNS)
    return out.astype({"moved": bool, "nested": bool, "gender_change": bool}) if len(out) else out


def _speaker_change(actor_a, actor_b, attr_a: str, attr_b: str) -> Optional[str]:
    if actor_a and actor_b and actor_a != actor_b:
        return "actor_changed"
    if attr_a in _NAMED and attr_b not in _NAMED:
        return "attribution_dropped"
    if attr_b in _NAMED and attr_a not in _NAMED:
        return "attribution_added"
    return None


def _rendering_frame(results: List[_PairResult], infos: Dict[str, _DocInfo]) -> pd.DataFrame:
    """Each rendering, once per related document it has (or once with no counterpart)."""
    rows = []
    texts = {k: v.text for k, v in infos.items()}
    partners: Dict[str, List[_PairResult]] = {}
    for r in results:
        if r.relation in ("translation", "same_article"):
            partners.setdefault(r.a, []).append(r)
            partners.setdefault(r.b, []).append(r)
    for doc_id in sorted(infos):
        info = infos[doc_id]
        rend = sorted(info.renderings, key=lambda x: (x.start, x.end, x.entity_kind, x.entity))
        prs = partners.get(doc_id, [])
        if not prs:
            rows.extend(_rendering_row(x, None, None, None, texts) for x in rend)
            continue
        for r in prs:
            other = r.b if r.a == doc_id else r.a
            links = _counterparts(info, infos[other], r, doc_id == r.a)
            rows.extend(_rendering_row(x, other, r.relation, links.get(id(x)), texts) for x in rend)
    out = pd.DataFrame(rows, columns=RENDERING_COLUMNS)
    return out.astype({"counterpart_start": "Int64", "counterpart_end": "Int64"})


def _rendering_row(x: _Rendering, other, relation, link, texts: Dict[str, str]) -> dict:
    # link: (the counterpart rendering, its piece, whether that piece is a name of the entity)
    cp, piece, cp_name = link if link else (None, None, None)
    replaces = bool(link and not x.canonical and cp_name)
    return {
        "doc_id": x.doc, "entity": x.entity, "entity_kind": x.entity_kind, "start": x.start, "end": x.end,
        "text": x.text, "pattern": x.pattern, "weight": x.weight, "canonical": x.canonical,
        "paragraph": x.paragraph, "quote_id": x.quote_id, "other_doc": other, "relation": relation,
        "counterpart_start": piece[0] if link else None, "counterpart_end": piece[1] if link else None,
        "counterpart_text": texts[cp.doc][piece[0]:piece[1]] if link else None,
        "counterpart_canonical": cp_name, "replaces_canonical": replaces, "suspect": replaces and x.weight < 1.0,
    }


def _counterparts(a: _DocInfo, b: _DocInfo, r: _PairResult, a_first: bool) -> Dict[int, tuple]:
    """For each rendering of ``a``: (the rendering of ``b`` in its place, that piece, is it a name).

    The units are the aligned quote pairs and, for the text outside quotes, the
    aligned paragraph pairs (machine translation often moves a cue clause to the
    other side of its quote, so a paragraph's quotes and narration are compared
    apart). Inside each unit pair, the pieces of one entity's renderings (names and
    the words around them, see :func:`_pieces`) are matched one to one,
    maximising closeness of relative position plus a bonus for pieces of the same
    kind: a name of the entity in both versions is the strongest evidence that two
    pieces correspond (it survives reordering), and a name facing a non-name is
    accepted only when nothing fits better. Position counts twice: relative offset
    in the unit and rank among the entity's pieces.
    """
    out: Dict[int, tuple] = {}
    # _pieces_by_unit lists each entity's pieces in text order, so u and v are ranks.
    units = [(("q", x.qid), ("q", y.qid)) if a_first else (("q", y.qid), ("q", x.qid))
             for x, y, _, _ in r.quote_pairs if not x.nested]
    units += [(("p", i), ("p", j)) if a_first else (("p", j), ("p", i)) for i, j, _ in r.para_pairs]
    pa, pb = _pieces_by_unit(a), _pieces_by_unit(b)
    for ua, ub in units:
        ga, gb = pa.get(ua, {}), pb.get(ub, {})
        for entity in sorted(set(ga) & set(gb)):
            xs, ys = ga[entity], gb[entity]
            score = np.zeros((len(xs), len(ys)))
            for u, (_, _, n1, p1) in enumerate(xs):
                for v, (_, _, n2, p2) in enumerate(ys):
                    near = _closeness(p1, p2, 0.5)
                    if near <= 0:
                        continue
                    rank = 1.0 - abs((u + 0.5) / len(xs) - (v + 0.5) / len(ys))
                    kind = _NAME_NAME if n1 and n2 else (_OTHER_OTHER if n1 == n2 else _NAME_OTHER)
                    score[u, v] = max(0.0, 0.5 * near + 0.5 * rank + kind)
            for u, v in _assign(score):
                rx, _, n1, _ = xs[u]
                ry, piece, n2, _ = ys[v]
                # A rendering made of several pieces keeps the counterpart of its name piece.
                if id(rx) not in out or n1:
                    out[id(rx)] = (ry, piece, n2)
    return out


def _pieces_by_unit(info: _DocInfo) -> Dict[tuple, Dict[str, list]]:
    """Rendering pieces grouped by unit and entity, each with its relative position in the unit.

    A piece inside a top-level quote belongs to that quote (position relative to
    the quote); any other piece to its paragraph, with the top-level quotes cut out
    of the paragraph before positions are measured.
    """
    tops = sorted(info.top, key=lambda q: q.start)
    out: Dict[tuple, Dict[str, list]] = {}
    for x in info.renderings:
        key = f"{x.entity_kind}:{x.entity}"
        for piece in x.pieces:
            s, e, is_name = piece
            mid = (s + e) / 2
            q = next((q for q in tops if q.start <= mid < q.end), None)
            if q is not None:
                unit, pos = ("q", q.qid), (mid - q.start) / max(q.end - q.start, 1)
            else:
                p = info.paras[x.paragraph]
                inside = [(max(q.start, p.start), min(q.end, p.end))
                          for q in tops if q.start < p.end and q.end > p.start]
                cut = sum(max(0, min(qe, mid) - qs) for qs, qe in inside)
                rest = (p.end - p.start) - sum(qe - qs for qs, qe in inside)
                unit, pos = ("p", x.paragraph), (mid - p.start - cut) / max(rest, 1)
            out.setdefault(unit, {}).setdefault(key, []).append((x, (s, e), is_name, pos))
    return out


def _cue_words(cue) -> str:
    return f"the cue {cue!r}" if isinstance(cue, str) and cue else "no cue"


def _drift_frame(results: List[_PairResult], infos: Dict[str, _DocInfo], qp: pd.DataFrame,
                 rd: pd.DataFrame) -> pd.DataFrame:
    rows: List[dict] = []

    def add(r, kind, entity=None, qa=None, qb=None, value_a=None, value_b=None, detail=""):
        rows.append({
            "doc_a": r.a, "doc_b": r.b, "relation": r.relation, "kind": kind, "entity": entity,
            "start_a": qa[0] if qa else None, "end_a": qa[1] if qa else None, "text_a": qa[2] if qa else None,
            "start_b": qb[0] if qb else None, "end_b": qb[1] if qb else None, "text_b": qb[2] if qb else None,
            "value_a": value_a, "value_b": value_b, "detail": detail,
        })

    by_pair = {k: g for k, g in qp.groupby(["doc_a", "doc_b"], sort=False)} if len(qp) else {}
    for r in results:
        if r.relation == "unrelated":
            continue
        a, b = infos[r.a], infos[r.b]
        pairs = by_pair.get((r.a, r.b))
        if r.relation in ("translation", "same_article"):
            linked_a = {x.qid for x, _, _, _ in r.quote_pairs}
            linked_b = {y.qid for _, y, _, _ in r.quote_pairs}
            for side, info, linked in (("a", a, linked_a), ("b", b, linked_b)):
                for q in info.quotes:
                    if q.qid in linked:
                        continue
                    span = (q.start, q.end, info.text[q.start:q.end])
                    what = "nested quote" if q.nested else "quote"
                    add(r, "quote_missing", q.actor, span if side == "a" else None, span if side == "b" else None,
                        detail=f"{what} of {q.actor or 'an unknown speaker'} only in {info.id}")
            paired_a = {i for i, _, _ in r.para_pairs}
            paired_b = {j for _, j, _ in r.para_pairs}
            for side, info, paired in (("a", a, paired_a), ("b", b, paired_b)):
                for p in info.paras:
                    if p.index in paired:
                        continue
                    span = (p.start, p.end, info.text[p.start:p.end])
                    add(r, "paragraph_missing", None, span if side == "a" else None, span if side == "b" else None,
                        detail=f"paragraph {p.index} only in {info.id}")
        if pairs is not None:
            for q in pairs.itertuples(index=False):
                sa, sb = (q.start_a, q.end_a, q.text_a), (q.start_b, q.end_b, q.text_b)
                actor = q.actor_a or q.actor_b
                if q.speaker_change == "actor_changed":
                    add(r, "actor_changed", actor, sa, sb, q.actor_a, q.actor_b,
                        "the two versions name different speakers")
                elif q.speaker_change in ("attribution_dropped", "attribution_added"):
                    add(r, q.speaker_change, actor, sa, sb, q.attribution_a, q.attribution_b,
                        f"attributed by {_cue_words(q.cue_a)} in {r.a}, {_cue_words(q.cue_b)} in {r.b}")
                if q.gender_change:
                    add(r, "gender_changed", actor, sa, sb, q.cue_gender_a, q.cue_gender_b,
                        f"{_cue_words(q.cue_a)} is {q.cue_gender_a}, {_cue_words(q.cue_b)} is {q.cue_gender_b}")
                for side, g, cue in (("a", q.cue_gender_a, q.cue_a), ("b", q.cue_gender_b, q.cue_b)):
                    if g in ("female", "male") and q.actor_gender in ("female", "male") and g != q.actor_gender:
                        add(r, "gender_conflict", actor, sa if side == "a" else None, sb if side == "b" else None,
                            q.actor_gender, g, f"{_cue_words(cue)} is {g}; {actor} is {q.actor_gender}")
                if q.type_a != q.type_b:
                    add(r, "type_changed", actor, sa, sb, q.type_a, q.type_b)
                for f in filter(None, q.frames_only_a.split(";")):
                    add(r, "frame_changed", f, sa, sb, "present", "absent", f"frame {f} only in {r.a}")
                for f in filter(None, q.frames_only_b.split(";")):
                    add(r, "frame_changed", f, sa, sb, "absent", "present", f"frame {f} only in {r.b}")
                st_a = dict(kv.split("=") for kv in filter(None, q.stances_a.split(";")))
                st_b = dict(kv.split("=") for kv in filter(None, q.stances_b.split(";")))
                for t in filter(None, q.stance_changed.split(";")):
                    add(r, "stance_changed", t, sa, sb, st_a.get(t), st_b.get(t),
                        f"stance label toward {t}: {st_a.get(t)} in {r.a}, {st_b.get(t)} in {r.b}")
    # Renderings that stand where the other version names the entity.
    if len(rd):
        flagged = rd[rd["replaces_canonical"]]
        for x in flagged.itertuples(index=False):
            r = next(p for p in results if {p.a, p.b} == {x.doc_id, x.other_doc})
            mine = (x.start, x.end, x.text)
            theirs = (x.counterpart_start, x.counterpart_end, x.counterpart_text)
            in_a = x.doc_id == r.a
            note = (f"{x.text!r} (pattern {x.pattern!r}, weight {x.weight:g}) stands where {x.other_doc} "
                    f"has {x.counterpart_text!r}, a name of {x.entity}")
            add(r, "rendering_replaced", x.entity, mine if in_a else theirs, theirs if in_a else mine,
                x.text if in_a else x.counterpart_text, x.counterpart_text if in_a else x.text, note)
    out = pd.DataFrame(rows, columns=DRIFT_COLUMNS)
    out = out.astype({c: "Int64" for c in ("start_a", "end_a", "start_b", "end_b")})
    if len(out):
        order = {k: i for i, k in enumerate(DRIFT_KINDS)}
        out["_k"] = out["kind"].map(order)
        key = out["start_a"].fillna(out["start_b"]).astype(float)
        out["_s"] = key
        out = out.sort_values(["doc_a", "doc_b", "_s", "_k"], kind="stable").drop(columns=["_k", "_s"])
        out = out.reset_index(drop=True)
    return out


# --------------------------------------------------------------------------------------
# The public one-table functions


def doc_pairs(source, corpus=None, codebook="csto-kazakhstan-2022", lang: Optional[str] = None,
              min_score: float = 0.0) -> pd.DataFrame:
    """Scored document pairs, best first (columns :data:`DOC_PAIR_COLUMNS`).

    ``score`` in [0, 1] combines ``anchors`` (weighted Jaccard of the anchor
    multisets: numbers, actors, media, speakers, targets), ``quotes`` (how much of
    both quote sequences aligns, and how well), ``order`` (agreement of the anchor
    sequences: common subsequence over their mean length) and ``structure``
    (paragraph counts). ``relation`` is one of :data:`RELATIONS`.
    """
    return align_corpus(source, corpus, codebook, lang, min_score).doc_pairs


def align(source, corpus=None, codebook="csto-kazakhstan-2022", lang: Optional[str] = None,
          min_score: float = 0.0) -> pd.DataFrame:
    """Quote pairs of every related document pair (columns :data:`QUOTE_PAIR_COLUMNS`).

    ``source`` is a corpus or a quotes DataFrame (then pass ``corpus``). Each row
    pairs a quote of ``doc_a`` with one of ``doc_b`` (``score``: its similarity;
    ``moved``: found out of order), with the differences: speakers and how they are
    attributed (``speaker_change``), the gender the cue shows against the actor's
    (``cue_gender_*``, ``actor_gender``, ``gender_change``), frames present in one
    version only and stances that differ. ``result.attrs["doc_pairs"]`` holds the
    document pairs.
    """
    res = align_corpus(source, corpus, codebook, lang, min_score)
    out = res.quote_pairs
    out.attrs["doc_pairs"] = res.doc_pairs
    return out


def renderings(source, corpus=None, codebook="csto-kazakhstan-2022", lang: Optional[str] = None) -> pd.DataFrame:
    """Every rendering of every codebook entity, per document (columns :data:`RENDERING_COLUMNS`).

    Targets come from matching the codebook's target patterns over the whole text
    (``pattern``, ``weight`` say which entry matched); actors and media come from
    :func:`quoteframe.mentions`. ``canonical``: the rendering contains one of the
    entity's own names (for a target, the names of the codebook actors whose names
    are among its patterns; for an actor, a name rather than a description).

    A document that is a version of another (translation or same article) has one
    row per rendering and partner, with the ``counterpart_*`` rendering that stands
    in its place in the partner. ``replaces_canonical``: not a name of the entity,
    though the partner has one there; ``suspect``: that, with a codebook weight
    below 1 (machine-translation names of other bodies are kept at low weight).
    """
    return align_corpus(source, corpus, codebook, lang).renderings


def drift(source, corpus=None, codebook="csto-kazakhstan-2022", lang: Optional[str] = None) -> pd.DataFrame:
    """Every difference between related documents, one row each (columns :data:`DRIFT_COLUMNS`).

    ``kind`` is one of :data:`DRIFT_KINDS`: quotes and paragraphs present in one
    version only (translations and same-article pairs), speakers dropped, added or
    changed, cue gender that differs or contradicts the actor's, quote type, frames,
    stances, and renderings that replace a name of the entity. ``*_a`` and ``*_b``
    locate the difference in each document; ``detail`` says it in words.

    The one call for a report: ``quoteframe.drift("corpus/docs")``.
    """
    return align_corpus(source, corpus, codebook, lang).drift
