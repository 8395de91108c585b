"""Static checks on the shipped codebooks and lexicons (pure data, no _core needed).

These run on the TOML with the standard library only, so they catch a broken data file
before the C++ loader sees it. The loader's own validation is tested separately.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    tomllib = pytest.importorskip("tomli")

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "quoteframe"
CODEBOOKS = PACKAGE / "codebooks"
LEXICONS = PACKAGE / "data" / "lexicon"

CASE = CODEBOOKS / "csto-kazakhstan-2022.toml"
MFC = CODEBOOKS / "mfc.toml"
CODEBOOK_FILES = [CASE, MFC]
LANGS = ("fr", "ar", "en", "ru")
LEXICON_FILES = [LEXICONS / f"{lang}.toml" for lang in LANGS]

ID_RE = re.compile(r"^[a-z0-9_]+$")
KINDS = {"person", "organisation", "country", "group"}
GENDERS = {"female", "male", "plural", "unknown"}
MODIFIER_LISTS = ("negators", "intensifiers", "diminishers", "hedges", "distancing",
                  "contrast", "counterfactual", "directives", "continuations")

# Actor ids and sides exactly as /shared/corpus/README.md lists them.
README_ACTORS = {
    "maria_zakharova": "russia",
    "vladimir_putin": "russia",
    "jen_psaki": "united_states",
    "ned_price": "united_states",
    "us_state_department": "united_states",
    "united_states": "united_states",
    "west": "united_states",
    "kassym_jomart_tokayev": "kazakhstan",
    "kazakh_authorities": "kazakhstan",
    "nikol_pashinyan": "csto",
    "stanislav_zas": "csto",
}
README_FRAMES = ("legality", "security", "humanitarian", "sovereignty", "efficacy",
                 "withdrawal", "blame", "scrutiny")
MFC_FRAMES = ("economic", "capacity_resources", "morality", "fairness_equality", "legality",
              "policy", "crime_punishment", "security_defense", "health_safety",
              "quality_of_life", "cultural_identity", "public_opinion", "political",
              "external_regulation_reputation", "other")

# Per-language size promises (inclusive).
CASE_FRAME_SIZE = (25, 60)
MFC_FRAME_SIZE = (20, 50)
LEXICON_POLARITY_SIZE = (300, 800)
LEXICON_MIN_PER_POLARITY = 100
# A wildcard stem shorter than this over-matches (Arabic roots are short, hence 3).
MIN_STEM = {"ar": 3, "fr": 4, "en": 4, "ru": 4}

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02b9\u00b4\u2032`"})


def normalise(pattern: str) -> str:
    """Approximate the core's normalisation, enough to find duplicates."""
    text = unicodedata.normalize("NFKC", pattern).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD).translate(_APOSTROPHES)
    return " ".join(text.split())


def words(pattern: str) -> list[str]:
    """Whitespace words with French elisions split off (l'occident -> l' occident)."""
    out: list[str] = []
    for w in normalise(pattern).split():
        m = re.match(r"^(l'|d'|qu')(.+)$", w)
        out.extend(m.groups() if m else [w])
    return out


def pattern_text(entry: object) -> str:
    if isinstance(entry, str):
        return entry
    assert isinstance(entry, dict), f"pattern entry must be a string or table: {entry!r}"
    assert "pattern" in entry, f"table entry without 'pattern': {entry!r}"
    return entry["pattern"]


def load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def check_pattern_list(where: str, lang: str, entries: list, weight_key: str | None,
                       weight_range: tuple[float, float]) -> list[str]:
    """Return a list of problems with one list of patterns."""
    problems = []
    seen: dict[str, str] = {}
    for entry in entries:
        text = pattern_text(entry)
        if isinstance(entry, dict):
            extra = set(entry) - {"pattern", weight_key}
            if extra:
                problems.append(f"{where}: {text!r}: unknown keys {sorted(extra)}")
            if weight_key in entry:
                w = entry[weight_key]
                if not (weight_range[0] <= w <= weight_range[1]):
                    problems.append(f"{where}: {text!r}: {weight_key} {w} out of {weight_range}")
        ws = words(text)
        if not ws:
            problems.append(f"{where}: empty pattern")
            continue
        if len(ws) > 12:
            problems.append(f"{where}: {text!r}: more than 12 words")
        for w in ws:
            if "*" in w[:-1]:
                problems.append(f"{where}: {text!r}: '*' inside a word")
            # Other words of a phrase constrain a short stem (военн* баз*), so the
            # language minimum applies to single-word patterns and 3 to phrases.
            min_stem = MIN_STEM[lang] if len(ws) == 1 else 3
            if w.endswith("*") and len(w) - 1 < min_stem:
                problems.append(f"{where}: {text!r}: wildcard stem shorter than {min_stem}")
        key = " ".join(ws)
        if key in seen:
            problems.append(f"{where}: duplicate {text!r} (same as {seen[key]!r})")
        seen[key] = text
    return problems


# ----------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", CODEBOOK_FILES + LEXICON_FILES, ids=lambda p: p.name)
def test_file_parses(path: Path) -> None:
    assert path.is_file(), f"missing data file {path}"
    assert isinstance(load(path), dict)


# ----------------------------------------------------------------------------------------
# Codebooks
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=CODEBOOK_FILES, ids=lambda p: p.name)
def codebook(request: pytest.FixtureRequest) -> dict:
    return load(request.param)


def test_codebook_header(codebook: dict) -> None:
    head = codebook["codebook"]
    for key in ("name", "title", "description", "languages"):
        assert head.get(key), f"[codebook] lacks {key}"
    assert set(head["languages"]) <= set(LANGS)
    assert len(set(head["languages"])) == len(head["languages"])
    if "default_target" in head:
        assert head["default_target"] in {t["id"] for t in codebook.get("targets", [])}


def test_ids_well_formed_and_unique(codebook: dict) -> None:
    for section in ("sides", "actors", "media", "targets", "frames"):
        ids = [item["id"] for item in codebook.get(section, [])]
        bad = [i for i in ids if not ID_RE.match(i)]
        assert not bad, f"{section}: malformed ids {bad}"
        dups = {i for i in ids if ids.count(i) > 1}
        assert not dups, f"{section}: duplicate ids {dups}"


def test_actors_have_declared_sides(codebook: dict) -> None:
    sides = {s["id"] for s in codebook.get("sides", [])}
    for actor in codebook.get("actors", []):
        assert actor["side"] in sides, f"actor {actor['id']}: undeclared side {actor['side']}"
        assert actor["kind"] in KINDS, f"actor {actor['id']}: kind {actor['kind']}"
        assert actor["gender"] in GENDERS, f"actor {actor['id']}: gender {actor['gender']}"
        assert actor["roles"] and all(ID_RE.match(r) for r in actor["roles"]), actor["id"]
        assert actor.get("label"), actor["id"]


def _language_tables(codebook: dict):
    """Yield (where, lang, entries) for every per-language list of the codebook."""
    for actor in codebook.get("actors", []):
        for field in ("names", "descriptions"):
            for lang, entries in actor.get(field, {}).items():
                yield f"actors.{actor['id']}.{field}.{lang}", lang, entries
    for medium in codebook.get("media", []):
        for lang, entries in medium.get("names", {}).items():
            yield f"media.{medium['id']}.names.{lang}", lang, entries
    for section in ("targets", "frames"):
        for item in codebook.get(section, []):
            for lang, entries in item.get("patterns", {}).items():
                yield f"{section}.{item['id']}.patterns.{lang}", lang, entries


def test_only_declared_languages(codebook: dict) -> None:
    langs = set(codebook["codebook"]["languages"])
    used = {lang for _, lang, _ in _language_tables(codebook)}
    for polarity in ("positive", "negative"):
        used |= set(codebook.get("lexicon", {}).get(polarity, {}))
    assert used <= langs, f"undeclared languages {used - langs}"


def test_pattern_lists_are_clean(codebook: dict) -> None:
    problems: list[str] = []
    for where, lang, entries in _language_tables(codebook):
        key = None if ".names." in where or ".descriptions." in where else "weight"
        problems += check_pattern_list(where, lang, entries, key, (0.5, 2.0))
    for polarity in ("positive", "negative"):
        for lang, entries in codebook.get("lexicon", {}).get(polarity, {}).items():
            problems += check_pattern_list(f"lexicon.{polarity}.{lang}", lang, entries,
                                           "strength", (0.25, 3.0))
    assert not problems, "\n".join(problems)


def test_names_are_plain_strings(codebook: dict) -> None:
    for where, _, entries in _language_tables(codebook):
        if ".names." in where or ".descriptions." in where:
            assert all(isinstance(e, str) for e in entries), where


def test_no_name_shared_by_two_actors(codebook: dict) -> None:
    owner: dict[tuple[str, str], str] = {}
    clashes = []
    for item_kind in ("actors", "media"):
        for item in codebook.get(item_kind, []):
            for field in ("names", "descriptions"):
                for lang, entries in item.get(field, {}).items():
                    for e in entries:
                        key = (lang, " ".join(words(e)))
                        who = f"{item_kind}.{item['id']}"
                        if key in owner and owner[key] != who:
                            clashes.append(f"{lang} {e!r}: {owner[key]} and {who}")
                        owner.setdefault(key, who)
    assert not clashes, "\n".join(clashes)


def test_frames_cover_every_language(codebook: dict) -> None:
    langs = codebook["codebook"]["languages"]
    low, high = CASE_FRAME_SIZE if codebook["codebook"]["name"] != "mfc" else MFC_FRAME_SIZE
    problems = []
    for frame in codebook["frames"]:
        assert frame.get("label") and frame.get("description"), frame["id"]
        if frame["id"] == "other":  # the MFC residual category has no vocabulary
            continue
        for lang in langs:
            n = len(frame.get("patterns", {}).get(lang, []))
            if not (low <= n <= high):
                problems.append(f"frame {frame['id']} [{lang}]: {n} patterns, want {low}-{high}")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------
# The case codebook against the corpus README
# ----------------------------------------------------------------------------------------

def test_case_codebook_has_readme_actors() -> None:
    cb = load(CASE)
    actors = {a["id"]: a["side"] for a in cb["actors"]}
    for actor_id, side in README_ACTORS.items():
        assert actor_id in actors, f"missing README actor {actor_id}"
        assert actors[actor_id] == side, f"{actor_id}: side {actors[actor_id]}, README says {side}"


def test_case_codebook_frames_targets_and_media() -> None:
    cb = load(CASE)
    assert tuple(f["id"] for f in cb["frames"]) == README_FRAMES
    assert {"russia", "united_states", "kazakhstan", "csto"} <= {s["id"] for s in cb["sides"]}
    assert {t["id"] for t in cb["targets"]} >= {"csto", "west"}
    assert cb["codebook"]["default_target"] == "csto"
    for actor in cb["actors"]:
        for lang in LANGS:
            assert actor["names"].get(lang), f"{actor['id']}: no {lang} names"
    # Actors named by role only in the corpus need role phrases in every language.
    for actor_id in ("stanislav_zas", "kazakh_authorities", "jen_psaki", "ned_price"):
        actor = next(a for a in cb["actors"] if a["id"] == actor_id)
        for lang in LANGS:
            assert actor["descriptions"].get(lang), f"{actor_id}: no {lang} descriptions"
    media = {m["id"] for m in cb["media"]}
    assert {"tass", "ria_novosti", "reuters", "afp", "the_national"} <= media


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "OTSC"),
        ("ar", "منظمة معاهدة الامن الجماعى"),  # as the corpus spells it, before folding
        ("ar", "منظمة الأمن الشامل"),  # one of the machine-translation renderings
        ("en", "CSTO"),
        ("ru", "ОДКБ"),
    ],
)
def test_csto_target_names_the_organisation(lang: str, text: str) -> None:
    cb = load(CASE)
    target = next(t for t in cb["targets"] if t["id"] == "csto")
    keys = {" ".join(words(pattern_text(e))) for e in target["patterns"][lang]}
    assert " ".join(words(text)) in keys


def test_frames_avoid_words_of_the_csto_name() -> None:
    # Every mention of the organisation would otherwise fire security/legality.
    cb = load(CASE)
    banned = {"fr": {"sécurité", "traité", "collective", "paix"},
              "en": {"security", "treaty", "collective", "peace"},
              "ru": {"безопасности", "договора", "коллективной"},
              "ar": {"الامن", "معاهده", "الجماعي", "السلام"}}
    for frame in cb["frames"]:
        for lang, entries in frame["patterns"].items():
            for e in entries:
                ws = words(pattern_text(e))
                assert not (len(ws) == 1 and ws[0] in banned[lang]), (frame["id"], e)


# ----------------------------------------------------------------------------------------
# MFC codebook
# ----------------------------------------------------------------------------------------

def test_mfc_has_the_fifteen_dimensions() -> None:
    cb = load(MFC)
    assert tuple(f["id"] for f in cb["frames"]) == MFC_FRAMES
    assert cb.get("actors", []) == []


# ----------------------------------------------------------------------------------------
# General lexicons
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_lexicon_sizes_and_shape(lang: str) -> None:
    lex = load(LEXICONS / f"{lang}.toml")["lexicon"]
    assert lex["language"] == lang
    pos, neg = lex["positive"], lex["negative"]
    assert len(pos) >= LEXICON_MIN_PER_POLARITY, f"{lang}: {len(pos)} positive"
    assert len(neg) >= LEXICON_MIN_PER_POLARITY, f"{lang}: {len(neg)} negative"
    low, high = LEXICON_POLARITY_SIZE
    assert low <= len(pos) + len(neg) <= high, f"{lang}: {len(pos) + len(neg)} polarity entries"
    for name in MODIFIER_LISTS:
        assert lex.get(name), f"{lang}: empty or missing {name}"
        assert all(isinstance(e, str) for e in lex[name]), f"{lang}.{name}: strings only"


@pytest.mark.parametrize("lang", LANGS)
def test_lexicon_patterns_are_clean(lang: str) -> None:
    lex = load(LEXICONS / f"{lang}.toml")["lexicon"]
    problems: list[str] = []
    for name in ("positive", "negative") + MODIFIER_LISTS:
        problems += check_pattern_list(f"{lang}.{name}", lang, lex[name], "strength", (0.25, 3.0))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_lexicon_gaps_only_where_the_scorer_reads_them(lang: str) -> None:
    # "head … tail": one gap with words on both sides, in polarity entries and directives
    # only (elsewhere the scorer would read "…" as a literal and never match).
    lex = load(LEXICONS / f"{lang}.toml")["lexicon"]
    problems = []
    for name in ("positive", "negative") + MODIFIER_LISTS + ("shifters", "situational"):
        for e in lex.get(name, []):
            text = pattern_text(e).replace(" ... ", " … ")
            if "…" not in text and "..." not in text:
                continue
            parts = text.split("…")
            if name not in ("positive", "negative", "directives"):
                problems.append(f"{lang}.{name}: {text!r}: a gap is not read here")
            elif len(parts) != 2 or not all(p.strip() for p in parts):
                problems.append(f"{lang}.{name}: {text!r}: one gap between words")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_lexicon_lists_do_not_overlap(lang: str) -> None:
    lex = load(LEXICONS / f"{lang}.toml")["lexicon"]
    seen: dict[str, str] = {}
    clashes = []
    for name in ("positive", "negative") + MODIFIER_LISTS:
        for e in lex[name]:
            key = " ".join(words(pattern_text(e)))
            if key in seen and seen[key] != name:
                clashes.append(f"{pattern_text(e)!r} in {seen[key]} and {name}")
            seen.setdefault(key, name)
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("lang", LANGS)
def test_case_lexicon_entries_are_additions(lang: str) -> None:
    # A case entry must neither contradict nor repeat the general lexicon.
    general = load(LEXICONS / f"{lang}.toml")["lexicon"]
    case = load(CASE)["lexicon"]
    known = {" ".join(words(pattern_text(e))): name
             for name in ("positive", "negative") + MODIFIER_LISTS for e in general[name]}
    problems = []
    for polarity in ("positive", "negative"):
        for e in case[polarity].get(lang, []):
            key = " ".join(words(pattern_text(e)))
            if key in known:
                problems.append(f"case {polarity} {pattern_text(e)!r} already in general {known[key]}")
    assert not problems, "\n".join(problems)
