"""Translation pairs, quote alignment and the drift audit (quoteframe.align)."""

from __future__ import annotations

import doctest
import importlib
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quoteframe as qf
from quoteframe import cli
from quoteframe.align import (
    DOC_PAIR_COLUMNS,
    DRIFT_COLUMNS,
    DRIFT_KINDS,
    QUOTE_PAIR_COLUMNS,
    RELATIONS,
    RENDERING_COLUMNS,
    _assign,
    _gender_of_cue,
    _monotone,
    find_numbers,
    normalize_number,
)

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
ARTICLES_CODEBOOK = ARTICLES / "codebook.toml"
FR_000 = "000_951c9cf2a97bc695"
FR_001 = "001_8e5b8d439f3d6119"
AR_002 = "002_86eea7aa340d39ba"
FR_003 = "003_e456df425f2a002e"


@pytest.fixture(scope="module")
def case(corpus_dir):
    return qf.align_corpus(corpus_dir)


@pytest.fixture(scope="module")
def text_002(corpus_dir) -> str:
    return (corpus_dir / f"{AR_002}.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    "written, value",
    [
        ("2030", "2030"),
        ("2 030", "2030"),              # French grouping with a space
        ("2\u00a0030", "2030"),         # ... a no-break space
        ("2\u202f030", "2030"),         # ... a narrow no-break space
        ("2.030", "2030"),              # the Arabic translation's grouping
        ("2,030", "2030"),              # English grouping
        ("٢٠٣٠", "2030"),               # Arabic-Indic digits
        ("۲۰۳۰", "2030"),               # Extended (Persian) digits
        ("٢٬٠٣٠", "2030"),              # Arabic thousands sign
        ("10 000", "10000"),
        ("1.234.567", "1234567"),
        ("2,5", "2.5"),                 # French decimal comma
        ("2.5", "2.5"),
        ("٣٫٥", "3.5"),                 # Arabic decimal sign
        ("1.234,5", "1234.5"),          # both marks: the last one is decimal
        ("1,234.50", "1234.5"),
        ("007", "7"),
        ("12", "12"),
        ("", None),
        ("abc", None),
        ("2 03", None),                 # a space before two digits does not group: two numbers
        ("2030 12", None),              # a four-digit group cannot be grouped further
    ],
)
def test_number_normalisation_table(written, value):
    assert normalize_number(written) == value


def test_numbers_found_in_running_text_with_offsets():
    text = "en 2021 2 030 soldats et 250 matériels, le 12 janvier"
    found = find_numbers(text)
    assert [v for _, _, v in found] == ["2021", "2030", "250", "12"]
    assert [text[s:e] for s, e, _ in found] == ["2021", "2 030", "250", "12"]


def test_numbers_of_the_translation_pair_agree(corpus_dir, text_002):
    fr = (corpus_dir / f"{FR_000}.txt").read_text(encoding="utf-8")
    assert sorted({v for *_, v in find_numbers(fr)}) == sorted({v for *_, v in find_numbers(text_002)}) == [
        "12", "2030", "250"]


# --------------------------------------------------------------------------------------
# Document pairs


def test_translation_pair_is_the_top_pair(case):
    top = case.doc_pairs.iloc[0]
    assert {top.doc_a, top.doc_b} == {FR_000, AR_002}
    assert top.relation == "translation"
    assert list(case.doc_pairs.columns) == DOC_PAIR_COLUMNS
    assert set(case.doc_pairs["relation"]) <= set(RELATIONS)
    # the scores are sorted, and the translation pair leads by a clear margin
    assert case.doc_pairs["score"].is_monotonic_decreasing
    assert top.score - case.doc_pairs["score"].iloc[1] > 0.2


def test_same_story_articles_are_not_versions(case):
    dp = case.doc_pairs
    # 001 and 003: two different French articles on the same story.
    row = dp[(dp.doc_a == FR_001) & (dp.doc_b == FR_003)]
    assert len(row) == 1 and row.relation.iat[0] not in ("translation", "same_article")
    # Only 000/002 is a pair of versions; the others at most share quotes.
    versions = dp[dp.relation.isin(["translation", "same_article"])]
    assert [set(p) for p in versions[["doc_a", "doc_b"]].values.tolist()] == [{FR_000, AR_002}]


def test_unrelated_articles_are_never_paired():
    # Twelve invented articles in four languages; several share a kind of event (a port
    # strike in French and in Arabic, a mine ruling in both, floods in three languages),
    # none is a version of another or quotes another.
    files = str(ARTICLES / "*" / "*.txt")
    res = qf.align_corpus(files, codebook=ARTICLES_CODEBOOK)
    assert set(res.doc_pairs["relation"]) <= {"unrelated"}
    assert len(res.quote_pairs) == 0 and len(res.drift) == 0
    # Scoring every pair that shares any anchor (no pre-filter) changes nothing.
    full = qf.align_corpus(files, codebook=ARTICLES_CODEBOOK, min_anchors=0.0)
    assert len(full.doc_pairs) >= 20  # the pairs that share a number, an actor or a medium
    assert set(full.doc_pairs["relation"]) == {"unrelated"}
    assert full.doc_pairs["score"].max() < 0.3
    assert len(full.quote_pairs) == 0


# --------------------------------------------------------------------------------------
# Quote pairs against the gold `align` field


def _jaccard(a, b) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def _gold_pairs(gold_path):
    by_doc = {FR_000: [], AR_002: []}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        if g["doc_id"] in by_doc:
            by_doc[g["doc_id"]].append(g)
    return by_doc


def _pair_f1(pred: pd.DataFrame, gold_path, at: float = 0.8):
    """Precision, recall, F1 of predicted (000, 002) quote pairs against the gold `align` ids.

    A predicted pair is correct when both its quotes overlap the two gold quotes of
    one align id at >= `at` character Jaccard (pairs matched one to one, best first).
    As in the corpus README, a prediction whose quote matches an optional gold item
    (here the nested scare quotes) is dropped from the count.
    """
    gold = _gold_pairs(gold_path)
    spans = {d: [((g["start"], g["end"]), g) for g in gs] for d, gs in gold.items()}
    aligned = {}
    for d, gs in gold.items():
        for g in gs:
            if g.get("align"):
                aligned.setdefault(g["align"], {})[d] = (g["start"], g["end"])
    gold_ids = sorted(k for k, v in aligned.items() if len(v) == 2)
    cands, n_pred = [], 0
    for i, p in enumerate(pred.itertuples(index=False)):
        pa, pb = (p.start_a, p.end_a), (p.start_b, p.end_b)
        optional = any(g["optional"] and _jaccard(pa, s) >= at for s, g in spans[FR_000]) or any(
            g["optional"] and _jaccard(pb, s) >= at for s, g in spans[AR_002])
        if optional:
            continue
        n_pred += 1
        for k in gold_ids:
            ja, jb = _jaccard(pa, aligned[k][FR_000]), _jaccard(pb, aligned[k][AR_002])
            if ja >= at and jb >= at:
                cands.append((min(ja, jb), i, k))
    used_p, used_g = set(), set()
    for _, i, k in sorted(cands, reverse=True):
        if i not in used_p and k not in used_g:
            used_p.add(i)
            used_g.add(k)
    tp = len(used_g)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / len(gold_ids)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1, len(gold_ids)


def test_quote_pairs_of_the_translation_recover_the_gold_alignment(case, gold_path):
    qp = case.quote_pairs
    pred = qp[(qp.doc_a == FR_000) & (qp.doc_b == AR_002)]
    precision, recall, f1, n_gold = _pair_f1(pred, gold_path)
    assert n_gold == 14
    assert f1 >= 0.9, (precision, recall)


def test_the_f1_measure_can_fail(case, gold_path):
    # The measure itself must punish a wrong alignment: shift every pair by one quote.
    qp = case.quote_pairs
    pred = qp[(qp.doc_a == FR_000) & (qp.doc_b == AR_002) & ~qp.nested].reset_index(drop=True)
    shifted = pred.copy()
    shifted[["start_b", "end_b"]] = np.roll(pred[["start_b", "end_b"]].to_numpy(), 1, axis=0)
    assert _pair_f1(shifted, gold_path)[2] < 0.2


def test_quote_pair_table_columns_and_offsets(case, corpus_dir):
    qp = case.quote_pairs
    assert list(qp.columns) == QUOTE_PAIR_COLUMNS
    texts = {p.stem: p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.txt")}
    for r in qp.itertuples(index=False):
        assert texts[r.doc_a][r.start_a:r.end_a] == r.text_a
        assert texts[r.doc_b][r.start_b:r.end_b] == r.text_b


def test_reused_quotes_between_different_articles(case):
    qp = case.quote_pairs
    # 001 reprints Psaki's and Zakharova's quotes from the same wire copy as 000.
    shared = qp[(qp.doc_a == FR_000) & (qp.doc_b == FR_001)]
    assert (shared.relation == "shared_quotes").all()
    assert (shared.text_a == shared.text_b).sum() >= 3
    # 003 repeats Tokayev's figures (2 030 soldiers, 250 vehicles); 002 has them in Arabic.
    cross = qp[(qp.doc_a == AR_002) & (qp.doc_b == FR_003)]
    assert len(cross) == 1 and "2.030" in cross.text_a.iat[0] and "2 030" in cross.text_b.iat[0]


# --------------------------------------------------------------------------------------
# The audit


def test_attribution_changes_of_the_translation(case):
    dr = case.drift
    pair = dr[(dr.doc_a == FR_000) & (dr.doc_b == AR_002)]
    assert set(pair["kind"]) <= set(DRIFT_KINDS) and list(dr.columns) == DRIFT_COLUMNS
    # The attribution dropped by the translation: « Aimeriez-vous ... », a critiqué Zakharova.
    dropped = pair[pair.kind == "attribution_dropped"]
    assert len(dropped) == 1 and dropped.text_a.iat[0].startswith("Aimeriez-vous")
    assert (dropped.value_a.iat[0], dropped.value_b.iat[0]) == ("explicit", "context")
    # "he said" for a woman: a-t-elle déclaré became وقال.
    changed = pair[pair.kind == "gender_changed"]
    assert len(changed) == 1 and changed.text_a.iat[0].startswith("Bien sûr")
    assert (changed.value_a.iat[0], changed.value_b.iat[0]) == ("female", "male")
    conflicts = pair[pair.kind == "gender_conflict"]
    assert set(conflicts.entity) == {"maria_zakharova", "jen_psaki"}
    assert conflicts.text_a.isna().all()  # every conflict is in the Arabic version


@pytest.mark.parametrize(
    "cue, lang, gender",
    [("وقالت", "ar", "female"), ("وقال", "ar", "male"), ("قائلا", "ar", "male"), ("ووصفت", "ar", "female"),
     ("a-t-elle déclaré", "fr", "female"), ("il a déclaré", "fr", "male"), ("a déclaré", "fr", None),
     ("заявила", "ru", "female"), ("said", "en", None), (None, "fr", None), ("", "ar", None)],
)
def test_gender_shown_by_a_cue(cue, lang, gender):
    assert _gender_of_cue(cue, lang) == gender


# The names under which 002 renders the CSTO, read off the text paragraph by paragraph
# (found in this order): the headline's Latin "CSTO"; the right name (with the
# preposition ل) in the lead; "Comprehensive Security Organization" and the CTBTO in
# paragraph 2; "Organization of Unity" in 3; "Organization of Unity and Cooperation in
# the East of the country" twice in 4; the OAS in 5; the photo caption's "CSTO",
# "Organization of Unity" (after a doubled منظمة) and the ILO; the right name twice
# (10 and 13, spelled with ا and ى); "Organization of Comprehensive Action" in 12;
# "Nuclear Unity Organization" in 15; "CT company" in the last paragraph.
CSTO_NAMES_002 = [
    "CSTO",
    "لمنظمة معاهدة الأمن الجماعي",
    "منظمة الأمن الشامل",
    "منظمة معاهدة الحظر الشامل",
    "منظمة الوحدة",
    "منظمة الوحدة والتعاون",
    "منظمة الوحدة والتعاون",
    "منظمة الدول الأمريكية",
    "CSTO",
    "منظمة الوحدة",
    "منظمة العمل العالمية",
    "منظمة معاهدة الامن الجماعى",
    "منظمة العمل الشامل",
    "منظمة معاهدة الامن الجماعى",
    "منظمة الوحدة النووية",
    "لشركة سى تى",
]
# Of these, the ones standing where 000 names the OTSC without being its name: every
# wrong name outside the photo caption (000 has no caption, so those have no counterpart).
SUSPECT_002 = {2, 3, 4, 5, 6, 7, 12, 14, 15}


def _spans_in_order(text: str, phrases):
    spans, cursor = [], 0
    for p in phrases:
        s = text.index(p, cursor)
        spans.append((s, s + len(p)))
        cursor = s + len(p)
    return spans


def test_every_rendering_of_the_csto_in_002_is_listed(case, text_002):
    rd = case.renderings
    assert list(rd.columns) == RENDERING_COLUMNS
    mine = rd[(rd.doc_id == AR_002) & (rd.entity == "csto") & (rd.other_doc == FR_000)]
    listed = list(zip(mine.start, mine.end))
    for phrase, (s, e) in zip(CSTO_NAMES_002, _spans_in_order(text_002, CSTO_NAMES_002)):
        assert any(max(s, a) < min(e, b) for a, b in listed), f"{phrase!r} at {s} is not listed"
    for r in mine.itertuples(index=False):
        assert text_002[r.start:r.end] == r.text
        assert isinstance(r.pattern, str) and 0 < r.weight <= 1


def test_wrong_names_are_flagged_where_the_original_has_the_name(case, text_002):
    rd = case.renderings
    mine = rd[(rd.doc_id == AR_002) & (rd.entity == "csto") & (rd.other_doc == FR_000)]
    spans = _spans_in_order(text_002, CSTO_NAMES_002)
    suspect = mine[mine.suspect]
    hit = {i for i, (s, e) in enumerate(spans) for a, b in zip(suspect.start, suspect.end) if max(s, a) < min(e, b)}
    assert hit == SUSPECT_002
    assert len(suspect) == len(SUSPECT_002)
    assert (suspect.counterpart_text == "OTSC").all() and (suspect.weight < 1).all()
    # The right names are canonical and never flagged; nothing in the French original is.
    right = mine[mine.text.isin(["CSTO", "لمنظمة معاهدة الأمن الجماعي", "منظمة معاهدة الامن الجماعى"])]
    assert right.canonical.all() and not right.suspect.any() and len(right) == 5
    fr = rd[(rd.doc_id == FR_000) & (rd.other_doc == AR_002)]
    assert not fr.replaces_canonical.any()
    dr = case.drift
    assert (dr.kind == "rendering_replaced").sum() == len(SUSPECT_002)


def test_the_whole_text_matcher_agrees_with_the_core(corpus_dir, case):
    # Inside quotes, the target mentions the core reports are exactly those found here.
    q = qf.analyze(corpus_dir, explain=True)
    ex = q.attrs["explanations"]
    core = {(qid.split("#")[0], s, e, t) for qid, s, e, t in
            ex[ex.kind == "target"][["quote_id", "start", "end", "target"]].itertuples(index=False)}
    rd = case.renderings
    rd = rd[rd.entity_kind == "target"]
    ours = {(d, s, e, t) for d, s, e, t in rd[["doc_id", "start", "end", "entity"]].itertuples(index=False)}
    assert core and core <= ours


# --------------------------------------------------------------------------------------
# A synthetic copy: missing and moved quotes


@pytest.fixture(scope="module")
def copy_pair(tmp_path_factory):
    """fr_greve_port and a copy with paragraphs moved (4 to the front, 8 and 9 swapped)
    and three dropped: 6 (the minister's mediator), 12 (both of Ravel's closing quotes)
    and 13 (no quote)."""
    folder = tmp_path_factory.mktemp("copy")
    src = ARTICLES / "fr" / "fr_greve_port.txt"
    shutil.copy(src, folder / "fr_greve_port.txt")
    head, *body = src.read_text(encoding="utf-8").split("\n")
    kept = [body[i] for i in (4, 0, 1, 2, 3, 5, 7, 9, 8, 10, 11)]
    (folder / "fr_greve_port_copy.txt").write_text("\n".join([head] + kept), encoding="utf-8")
    return qf.align_corpus(folder, codebook=ARTICLES_CODEBOOK)


def test_missing_quotes_of_a_truncated_copy(copy_pair):
    dp = copy_pair.doc_pairs
    assert dp.relation.tolist() == ["same_article"]
    dr = copy_pair.drift
    missing = dr[dr.kind == "quote_missing"]
    assert missing.text_b.isna().all()  # nothing was added to the copy
    assert sorted(missing.text_a) == sorted([
        "un médiateur serait nommé d’ici vendredi si aucun accord n’était trouvé",
        "L’automatisation est inéluctable",
        "le port avait perdu 8\u00a0% de parts de marché en trois ans",
    ])
    assert set(missing.entity) == {"claire_dumas", "jean_paul_ravel"}
    # Moved paragraphs are found again; only the three dropped ones are missing.
    paras = dr[dr.kind == "paragraph_missing"]
    assert paras.text_b.isna().all() and len(paras) == 3
    assert paras.text_a.str.startswith(("La ministre a précisé", "L’automatisation", "Une nouvelle réunion")).all()


def test_moved_quotes_of_a_shuffled_copy_are_still_paired(copy_pair):
    qp = copy_pair.quote_pairs
    assert (qp.text_a == qp.text_b).all()
    moved = qp[qp.moved]
    assert "les 210 millions d’euros d’investissements prévus permettront au contraire de créer des postes " \
           "de techniciens qualifiés" in set(moved.text_a)
    assert len(qp[~qp.nested]) == 8  # eleven quotes, three dropped


# --------------------------------------------------------------------------------------
# Inputs, determinism, helpers, command line


def test_quotes_frame_input_gives_the_same_alignment(corpus_dir, case):
    quotes = qf.analyze(corpus_dir)
    pairs = qf.align(quotes, corpus=corpus_dir)
    pd.testing.assert_frame_equal(pairs, case.quote_pairs)
    pd.testing.assert_frame_equal(pairs.attrs["doc_pairs"], case.doc_pairs)
    with pytest.raises(ValueError, match="needs the documents"):
        qf.align(quotes)
    with pytest.raises(ValueError, match="analyzed with the codebook 'csto-kazakhstan-2022'"):
        qf.align(quotes, corpus=corpus_dir, codebook="mfc")
    with pytest.raises(ValueError, match="lacks the columns cue, actor"):
        qf.align(quotes.drop(columns=["cue", "actor"]), corpus=corpus_dir)


def test_degenerate_documents(corpus_dir, tmp_path):
    # Empty, blank, headline-only and quote-less documents beside a real one: no error,
    # and nothing paired with them.
    for name, text in [("empty", ""), ("blank", "\n\n"), ("headline", "Juste un titre"),
                       ("numbers", "Titre\n2 030 soldats et 250 véhicules."), ("und", "12345 67890")]:
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    shutil.copy(corpus_dir / f"{FR_000}.txt", tmp_path)
    res = qf.align_corpus(tmp_path)
    assert set(res.doc_pairs.relation) <= {"unrelated"}
    assert len(res.quote_pairs) == 0 and len(res.drift) == 0
    assert set(res.renderings.doc_id) == {FR_000}
    assert len(qf.align_corpus([]).doc_pairs) == 0


def test_results_do_not_depend_on_runs_or_input_order(corpus_dir, case):
    files = sorted(str(p) for p in corpus_dir.glob("*.txt"))
    again = qf.align_corpus(files[::-1])
    for name in ("doc_pairs", "quote_pairs", "renderings", "drift"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(case, name))


def test_assignment_is_optimal_on_small_matrices():
    rng = np.random.default_rng(7)
    for _ in range(40):
        n, m = (int(x) for x in rng.integers(1, 5, size=2))
        score = np.round(rng.uniform(-0.5, 1.5, size=(n, m)), 3)
        got = _assign(score)
        assert len({i for i, _ in got}) == len(got) == len({j for _, j in got})
        assert all(score[i, j] > 0 for i, j in got)
        # Brute force: every injective map from the smaller side; a pair scoring <= 0 counts 0.
        if n <= m:
            matchings = (zip(range(n), perm) for perm in itertools.permutations(range(m), n))
        else:
            matchings = (zip(perm, range(m)) for perm in itertools.permutations(range(n), m))
        best = max(sum(max(score[i, j], 0.0) for i, j in pairs) for pairs in matchings)
        assert sum(score[i, j] for i, j in got) == pytest.approx(best)


def test_monotone_alignment_keeps_order_and_threshold():
    sim = np.array([[0.9, 0.2, 0.1], [0.1, 0.1, 0.95], [0.2, 0.8, 0.1]])
    # (1, 2) and (2, 1) cross: the best order-preserving choice keeps (0, 0) and (1, 2).
    assert _monotone(sim, 0.5) == [(0, 0), (1, 2)]
    assert _monotone(sim, 0.99) == []


def test_docstring_examples():
    # quoteframe.align is the function; the module is reached through importlib.
    mod = importlib.import_module("quoteframe.align")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_cli_align_writes_the_tables(corpus_dir, tmp_path, capsys):
    out = tmp_path / "aligned"
    code = cli.main(["align", str(corpus_dir), "-o", str(out)])
    stdout, _ = capsys.readouterr()
    assert code == cli.EXIT_OK
    assert "translation" in stdout and f"{FR_000} ~ {AR_002}" in stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(cli.ALIGN_FILES)
    dp = pd.read_csv(out / "doc_pairs.csv")
    assert {dp.doc_a.iat[0], dp.doc_b.iat[0]} == {FR_000, AR_002}
    qp = pd.read_csv(out / "quote_pairs.csv")
    assert list(qp.columns[:10]) == ["doc_a", "doc_b", "relation", "quote_a", "quote_b", "start_a", "end_a",
                                     "start_b", "end_b", "score"]
    dr = pd.read_csv(out / "drift.csv")
    assert "rendering_replaced" in set(dr.kind)


@pytest.mark.parametrize(
    "argv, code, message",
    [(["--min-score", "2"], cli.EXIT_USAGE, "--min-score"),
     (["--lang", "xx"], cli.EXIT_USAGE, "--lang xx"),
     (["--codebook", "no_such.toml"], cli.EXIT_INPUT, "no codebook named")],
)
def test_cli_align_rejects_bad_options(corpus_dir, tmp_path, capsys, argv, code, message):
    assert cli.main(["align", str(corpus_dir), "-o", str(tmp_path / "o"), *argv]) == code
    assert message in capsys.readouterr().err


def test_cli_align_missing_corpus(tmp_path, capsys):
    assert cli.main(["align", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")]) == cli.EXIT_INPUT
    assert "no such corpus" in capsys.readouterr().err
