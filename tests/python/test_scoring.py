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
    # The targets (#4): 0.80 for both stances, 0.75 for frames. Measured
    # now: csto 0.860 (37/43), west 0.837 (36/43), frame micro-F1 0.790.
    assert _get(ev, "stance_csto_accuracy") >= 0.80
    assert _get(ev, "stance_west_accuracy") >= 0.80
    assert _get(ev, "frame_f1") >= 0.75
    # Per language too, so one language cannot carry the other.
    for lang in ("fr", "ar"):
        assert _get(ev, "stance_csto_accuracy", lang) >= 0.80, lang


def test_zakharova_pretend_quote_supports_the_mission(scored):
    row = scored[scored.text.str.startswith("Aimeriez-vous")]
    assert len(row) == 1
    assert row.stance_csto.iat[0] > 0
    # "prétendre que toute cette histoire est illégitime, illégale" is not her claim.
    ex = explain(scored, row.quote_id.iat[0])
    attributed = ex[ex.text.isin(["illégitime", "illégale"]) & ex.kind.eq("negative")]
    assert len(attributed) == 2 and (attributed.factor == 0).all()
    assert attributed.modifiers.str.contains("attributed").all()
    # "… illégale. Que la Russie est à nouveau l'agresseur": the bare complementiser
    # continues the pretended claim, so "agresseur" is not hers either.
    aggressor = ex[ex.text.eq("agresseur") & ex.kind.eq("negative")]
    assert len(aggressor) == 1 and aggressor.factor.iat[0] == 0
    assert "continuation" in set(ex.kind)


def test_zakharova_pretend_quote_in_arabic_supports_the_mission(scored):
    # The machine translation of the same quote: the same reading, through the same
    # general mechanisms (legality and precision nouns; "وأن" continues the claim).
    row = scored[scored.text.str.startswith("هل تريدون أن يكون")]
    assert len(row) == 1
    assert row.stance_csto.iat[0] > 0 and row.stance_csto_label.iat[0] == 1
    ex = explain(scored, row.quote_id.iat[0])
    claimed = ex[ex.text.isin(["غير شرعية", "غير قانونية", "المعتدية"]) & ex.kind.eq("negative")]
    assert len(claimed) == 3 and (claimed.factor == 0).all()
    praised = ex[ex.kind.eq("positive") & ex.target.eq("csto")]
    assert {"ودقة", "وقانونية"} <= set(praised.text)


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
        ("Le ministre a déclaré que l'OTSC a accompli avec succès sa mission.", 1),
        ("Le ministre a déclaré que les forces de l'OTSC ont achevé leur mission.", 1),
        ("Le ministre a déclaré que Washington ne comprend pas ce qui se passe.", 0),
        ("Le ministre a déclaré qu'il pouvait très bien comprendre la décision de l'OTSC.", 0),
        ("Le ministre a déclaré que tous les pays, y compris l'OTSC, étaient présents.", 0),
    ],
    ids=["plain", "negated", "shifted", "doubt", "attributed", "completed", "achieved",
         "not-understanding-is-about-washington", "understanding-is-not-praise", "y-compris"],
)
def test_context_rules_in_french(text, sign):
    q = analyze(["Titre\n" + text], lang="fr")
    assert len(q) == 1
    assert q.stance_csto_label.iat[0] == sign


def test_failing_to_understand_blames_its_subject():
    q = analyze(["Titre\nLe ministre a déclaré que Washington ne comprend pas ce qui se passe."], lang="fr")
    assert q.stance_west_label.iat[0] == -1


# Directives: the addressee named between the verb and its particle (or right after
# the verb) gets the reversed evaluations of the scope and a mild reproach of its
# own; the other target is left alone.
@pytest.mark.parametrize(
    "lang, text",
    [
        ("fr", "« Nous appelons Washington à respecter le droit international », a déclaré le ministre."),
        ("fr", "« Nous appelons toutes les organisations, et Washington en premier lieu, à respecter le droit "
               "international », a déclaré le ministre."),
        ("en", "\"We call on Washington to respect international law,\" the minister said."),
        ("en", "\"We urge Washington to respect international law,\" the minister said."),
        ("ru", "«Мы призываем Вашингтон уважать международное право», — заявил министр."),
        ("ar", "وقال الوزير: \"ندعو واشنطن إلى احترام القانون الدولي\"."),
    ],
    ids=["fr", "fr-long-addressee", "en-call-on", "en-urge", "ru", "ar"],
)
def test_directives_reproach_their_addressee(lang, text):
    q = analyze(["Title\n" + text], lang=lang, explain=True)
    assert len(q) == 1
    assert q.stance_west_label.iat[0] == -1
    assert q.stance_csto_label.iat[0] == 0
    ex = explain(q, q.quote_id.iat[0])
    directive = ex[ex.kind.eq("directive")]
    assert len(directive) == 1 and directive.target.iat[0] == "west"
    assert directive.contribution.iat[0] < 0


def test_naming_is_not_a_directive():
    # "appeler X un « Y »" names: the quote mark stops the search for the particle.
    q = analyze(["Titre\n« L'Occident continue d'appeler la Russie un « agresseur » à tort », a dit la ministre."],
                lang="fr", explain=True)
    assert len(q) >= 1
    ex = explain(q)
    assert not (ex.kind.eq("directive") & ex.contribution.ne(0)).any()


def test_arabic_kaana_is_not_as_if():
    # كأن (as if) normalises to كان (was): only its suffixed forms are counterfactual.
    q = analyze(["عنوان\nوقال الوزير إن تدخل منظمة معاهدة الأمن الجماعي كان ناجحا."], lang="ar", explain=True)
    assert len(q) == 1
    assert q.stance_csto_label.iat[0] == 1
    ex = explain(q)
    assert not ex.kind.eq("counterfactual").any()


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
