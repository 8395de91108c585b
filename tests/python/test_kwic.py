"""kwic(): matching on folded tokens, wildcards, multiword patterns, offsets."""

from __future__ import annotations

import quoteframe as qf


def test_kwic_on_the_case_corpus(corpus_dir):
    hits = qf.kwic(corpus_dir, "maintien de la paix", window=3)
    assert len(hits) >= 5
    texts = {p.stem: p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.txt")}
    for r in hits.itertuples():
        assert texts[r.doc_id][r.start:r.end] == r.match
        assert r.match.lower() == "maintien de la paix"
    # Arabic, through folding: the hamza-less spelling finds the written one.
    ar = qf.kwic(corpus_dir / "002_86eea7aa340d39ba.txt", "الامن")
    assert len(ar) >= 1 and all("من" in m for m in ar.match)


def test_wildcards_case_and_apostrophes():
    doc = qf.Document.from_text("Titre\nLÉGITIMITÉ et légitime ; l’Occident, l'occident.", id="d", lang="fr")
    assert qf.kwic(doc, "légitim*")["match"].tolist() == ["LÉGITIMITÉ", "légitime"]
    assert qf.kwic(doc, "légitime")["match"].tolist() == ["légitime"]
    assert qf.kwic(doc, "l’occident")["match"].tolist() == ["l’Occident", "l'occident"]
    assert qf.kwic(doc, "absent").empty
