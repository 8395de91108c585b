"""Codebooks and TOML from Python: properties, error type and message, pickling."""

from __future__ import annotations

import copy
import pickle
import textwrap
from pathlib import Path

import pytest

from quoteframe import _core

EXAMPLE = textwrap.dedent(
    """\
    [codebook]
    name = "csto-kazakhstan-2022"
    title = "The CSTO mission"
    languages = ["fr", "ar"]
    default_target = "csto"

    [[sides]]
    id = "russia"
    label = "Russia"

    [[actors]]
    id = "maria_zakharova"
    label = "Maria Zakharova"
    side = "russia"
    gender = "female"
    roles = ["spokesperson"]
    [actors.names]
    fr = ["Maria Zakharova", "Zakharova"]
    ar = ["ماريا زاخاروفا"]

    [[media]]
    id = "tass"
    [media.names]
    fr = ["TASS"]

    [[targets]]
    id = "csto"
    label = "The CSTO mission"
    [targets.patterns]
    fr = ["OTSC", { pattern = "troupes", weight = 0.5 }]

    [[frames]]
    id = "legality"
    label = "Legality"
    [frames.patterns]
    fr = ["légitim*"]

    [lexicon.negative]
    fr = ["échec*"]
    """
)

# pickle.dumps(Codebook.from_string(GOLDEN_TEXT, "golden.toml"), protocol=2) as
# written by pickle format version 1: (1, source, TOML text). Loading it must
# keep working for as long as version 1 is supported.
GOLDEN_TEXT = '[codebook]\nname = "golden"\nlanguages = ["fr"]\n'
GOLDEN_PICKLE = (
    b"\x80\x02cquoteframe._core\nCodebook\nq\x00)\x81q\x01K\x01X\x0b\x00\x00\x00golden.tomlq\x02X."
    b'\x00\x00\x00[codebook]\nname = "golden"\nlanguages = ["fr"]\nq\x03\x87q\x04b.'
)


@pytest.fixture()
def codebook() -> _core.Codebook:
    return _core.Codebook.from_string(EXAMPLE)


def test_properties_expose_every_section(codebook: _core.Codebook) -> None:
    assert codebook.name == "csto-kazakhstan-2022"
    assert codebook.title == "The CSTO mission"
    assert codebook.description == ""
    assert codebook.source == "<string>"
    assert codebook.languages == ["fr", "ar"]
    assert codebook.default_target == "csto"
    assert codebook.sides == [{"id": "russia", "label": "Russia", "line": 7}]
    (actor,) = codebook.actors
    assert actor == {
        "id": "maria_zakharova",
        "label": "Maria Zakharova",
        "side": "russia",
        "kind": "person",
        "gender": "female",
        "roles": ["spokesperson"],
        "names": {"ar": ["ماريا زاخاروفا"], "fr": ["Maria Zakharova", "Zakharova"]},
        "descriptions": {},
        "line": 11,
    }
    assert codebook.media == [{"id": "tass", "label": "tass", "names": {"fr": ["TASS"]}, "line": 21}]
    assert codebook.targets[0]["patterns"] == {"fr": [("OTSC", 1.0), ("troupes", 0.5)]}
    assert codebook.frames[0]["patterns"] == {"fr": [("légitim*", 1.0)]}
    assert codebook.frames[0]["description"] == ""
    assert codebook.lexicon == {"positive": {}, "negative": {"fr": [("échec*", 1.0)]}}
    assert codebook.toml_text == EXAMPLE
    assert "csto-kazakhstan-2022" in repr(codebook)


def test_to_dict_matches_the_properties(codebook: _core.Codebook) -> None:
    d = codebook.to_dict()
    for key in ("name", "title", "description", "source", "languages", "default_target",
                "sides", "actors", "media", "targets", "frames", "lexicon"):
        assert d[key] == getattr(codebook, key)


def test_properties_are_read_only(codebook: _core.Codebook) -> None:
    with pytest.raises(AttributeError):
        codebook.name = "other"  # type: ignore[misc]


def test_default_target_is_none_when_absent() -> None:
    cb = _core.Codebook.from_string('[codebook]\nname = "x"\nlanguages = ["en"]\n')
    assert cb.default_target is None
    assert cb.actors == []


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(codebook: _core.Codebook, protocol: int) -> None:
    clone = pickle.loads(pickle.dumps(codebook, protocol=protocol))
    assert isinstance(clone, _core.Codebook)
    assert clone is not codebook
    assert clone.to_dict() == codebook.to_dict()
    assert clone.toml_text == codebook.toml_text


def test_pickle_keeps_the_file_source_without_the_file(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    original = _core.Codebook.from_file(path)
    payload = pickle.dumps(original)
    path.unlink()  # a Dask worker elsewhere has no access to the file
    clone = pickle.loads(payload)
    assert clone.source == str(path)
    assert clone.to_dict() == original.to_dict()


def test_copy_and_deepcopy(codebook: _core.Codebook) -> None:
    assert copy.copy(codebook).to_dict() == codebook.to_dict()
    assert copy.deepcopy(codebook).to_dict() == codebook.to_dict()


def test_golden_pickle_version_1_still_loads() -> None:
    cb = pickle.loads(GOLDEN_PICKLE)
    assert cb.name == "golden"
    assert cb.source == "golden.toml"
    assert cb.toml_text == GOLDEN_TEXT
    assert pickle.dumps(_core.Codebook.from_string(GOLDEN_TEXT, "golden.toml"), protocol=2) == GOLDEN_PICKLE


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ((2, "<string>", GOLDEN_TEXT), "unsupported Codebook pickle version 2"),
        ((1, "<string>"), "invalid Codebook pickle state"),
        (("1", "<string>", GOLDEN_TEXT), "invalid Codebook pickle state"),
    ],
)
def test_pickle_state_is_checked(state: tuple, message: str) -> None:
    blank = _core.Codebook.__new__(_core.Codebook)
    with pytest.raises(ValueError, match=message):
        blank.__setstate__(state)


def test_pickled_text_is_validated_again() -> None:
    blank = _core.Codebook.__new__(_core.Codebook)
    with pytest.raises(_core.CodebookError, match=r"^bad\.toml:1: codebook\.name: required key is missing$"):
        blank.__setstate__((1, "bad.toml", "[codebook]\nlanguages = ['fr']\n"))


def test_errors_are_codebook_errors_with_file_line_and_field() -> None:
    text = '[codebook]\nname = "x"\nlanguages = ["fr"]\n\n[[actors]]\nid = "a"\ngender = ["female"]\n'
    with pytest.raises(_core.CodebookError) as info:
        _core.Codebook.from_string(text, "my.toml")
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "my.toml:7: actors[0].gender: expected a string, got an array"


def test_unknown_keys_suggest_the_right_one() -> None:
    text = '[codebook]\nname = "x"\nlanguages = ["fr"]\ntitel = "T"\n'
    with pytest.raises(_core.CodebookError, match=r"<string>:4: codebook\.titel: unknown key 'titel' \(did you mean 'title'\?\)"):
        _core.Codebook.from_string(text)


def test_from_file_reports_missing_files(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(_core.CodebookError, match="cannot open the file"):
        _core.Codebook.from_file(missing)
    with pytest.raises(_core.CodebookError, match="is a directory"):
        _core.Codebook.from_file(str(tmp_path))


def test_from_file_accepts_str_and_path(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert _core.Codebook.from_file(str(path)).to_dict() == _core.Codebook.from_file(path).to_dict()


def test_parse_toml_returns_plain_python() -> None:
    text = 'a.b = [1, 2.5, true, "x", { c = 1 }]\n[[t]]\nx = 1\n[[t]]\n'
    assert _core.parse_toml(text) == {"a": {"b": [1, 2.5, True, "x", {"c": 1}]}, "t": [{"x": 1}, {}]}


def test_parse_toml_errors_name_the_source() -> None:
    with pytest.raises(_core.CodebookError, match=r"^lang\.toml:2: a: duplicate key \(first defined on line 1\)$"):
        _core.parse_toml("a = 1\na = 2\n", source="lang.toml")


@pytest.mark.parametrize("protocol", [0, 1])
def test_regression_old_pickle_protocols_aborted_the_interpreter(codebook: _core.Codebook, protocol: int) -> None:
    # pybind11's default path for protocols 0 and 1 called std::terminate.
    assert pickle.loads(pickle.dumps(codebook, protocol=protocol)).name == codebook.name


def test_the_documented_example_loads() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "codebook_format.md"
    text = doc.read_text(encoding="utf-8")
    example = text.split("## A complete small example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    book = _core.Codebook.from_string(example, str(doc))
    assert book.default_target == "csto"
    assert [a["id"] for a in book.actors] == ["maria_zakharova", "csto_secretary_general"]
