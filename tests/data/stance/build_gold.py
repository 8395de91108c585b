"""Write gold.jsonl from the hand-coded items below, computing each span's offsets.

Run from anywhere: ``python3 tests/data/stance/build_gold.py``. Every quote must occur
exactly once in its text (after ``anchor`` when one is given); the script stops otherwise,
and checks ``text[start:end] == quote`` for every line it writes. The labels were set by
reading the texts only (see README.md); do not tune them to the program's output.

Item: (quote, type, speaker, {target: label}, extra) where extra may hold
``optional``/``nested`` (quoted fragments inside a reported clause) and ``anchor``.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Per document: language, its two targets (the codebook's ids, default first), items.
DOCS = {
    "fr_greve_hautes_combes": ("fr", ("greve", "direction"), [
        ("Cette grève est un échec pour tout le monde, et d’abord pour les usagers",
         "direct", "arnaud_vericel", {"greve": -1, "direction": 0}, {}),
        ("la direction avait présenté « une offre sérieuse et chiffrée » et que les syndicats "
         "l’avaient rejetée sans même l’étudier",
         "mixed", "arnaud_vericel", {"greve": -1, "direction": 1}, {}),
        ("une offre sérieuse et chiffrée", "direct", "arnaud_vericel", {}, {"nested": True}),
        ("la direction « ment sur les chiffres depuis des mois »",
         "mixed", "maelle_origas", {"greve": 0, "direction": -1}, {}),
        ("ment sur les chiffres depuis des mois", "direct", "maelle_origas", {}, {"nested": True}),
        ("Nous appelons la direction à revenir à la table des négociations avec une proposition "
         "honnête. Les conducteurs ont montré leur détermination et leur solidarité, et ils ne "
         "reprendront pas le travail sans garanties écrites",
         "direct", "maelle_origas", {"greve": 1, "direction": -1}, {}),
        ("l’inquiétude des salariés est légitime, tout comme l’exaspération des voyageurs",
         "direct", "jean_loup_ferrand", {"greve": 0, "direction": 0}, {}),
        ("le service minimum a été assuré sur les deux lignes principales",
         "indirect", "cfhc_spokesperson", {"greve": 0, "direction": 0}, {}),
    ]),
    "fr_mission_nuvelles": ("fr", ("mission", "gouvernement"), [
        ("La mission a rempli son mandat : les gangs ne contrôlent plus le port et les écoles ont rouvert",
         "direct", "idriss_mavounda", {"mission": 1, "gouvernement": 0}, {}),
        ("les policiers étrangers avaient agi « avec professionnalisme et courage » et que la police "
         "nationale prendrait désormais le relais",
         "mixed", "lucas_teriel", {"mission": 1, "gouvernement": 0}, {}),
        ("avec professionnalisme et courage", "direct", "lucas_teriel", {}, {"nested": True}),
        ("le gouvernement avait « laissé des étrangers faire le travail de la police nationale » "
         "pendant six mois",
         "mixed", "marc_anselin", {"mission": 0, "gouvernement": -1}, {}),
        ("laissé des étrangers faire le travail de la police nationale", "direct", "marc_anselin", {},
         {"nested": True}),
        ("Nous demandons au gouvernement de publier enfin le bilan complet de cette opération, y "
         "compris les plaintes déposées contre des agents de la mission",
         "direct", "marc_anselin", {"mission": -1, "gouvernement": -1}, {}),
        ("les habitants des quartiers nord se sentaient « plus en sécurité qu’avant »",
         "mixed", "rose_aimee_dolce", {"mission": 1, "gouvernement": 0}, {}),
        ("plus en sécurité qu’avant", "direct", "rose_aimee_dolce", {}, {"nested": True}),
        ("deux décès survenus lors d’une opération de la MAS en mai n’avaient « jamais été expliqués »",
         "mixed", "rose_aimee_dolce", {"mission": -1, "gouvernement": 0}, {}),
        ("jamais été expliqués", "direct", "rose_aimee_dolce", {}, {"nested": True}),
    ]),
    "en_trade_corvania": ("en", ("agreement", "government"), [
        ("This agreement is fair, balanced and good for workers on both sides of the border",
         "direct", "helena_marsh", {"agreement": 1, "government": 0}, {}),
        ("the text had been negotiated “in full transparency” and that every chapter would be "
         "published online within a week",
         "mixed", "helena_marsh", {"agreement": 1, "government": 0}, {}),
        ("in full transparency", "direct", "helena_marsh", {}, {"nested": True}),
        ("This deal was written for importers, not for the families who grow our food",
         "direct", "tom_aldridge", {"agreement": -1, "government": 0}, {}),
        ("We urge the government to stop pretending that cheap grain is a victory.",
         "direct", "tom_aldridge", {"agreement": -1, "government": -1}, {}),
        ("the government had ignored farmers’ warnings for three years",
         "indirect", "tom_aldridge", {"agreement": 0, "government": -1}, {}),
        ("the textile chapter would “almost certainly create jobs” in the north",
         "mixed", "priya_nandakumar", {"agreement": 1, "government": 0}, {}),
        ("almost certainly create jobs", "direct", "priya_nandakumar", {}, {"nested": True}),
        ("it was far from clear whether the grain quotas could be enforced at the border",
         "indirect", "priya_nandakumar", {"agreement": -1, "government": 0}, {}),
        ("the agreement “opens a new chapter” in relations between the two countries",
         "mixed", "estmark_spokesperson", {"agreement": 1, "government": 0}, {}),
        ("opens a new chapter", "direct", "estmark_spokesperson", {}, {"nested": True}),
    ]),
    "en_election_lusaria": ("en", ("commission", "observers"), [
        ("The count was conducted calmly, accurately and in line with the law",
         "direct", "dana_feld", {"commission": 1, "observers": 0}, {}),
        ("voting had been “largely peaceful” but that the tabulation of results “lacked "
         "transparency” in three provinces",
         "mixed", "southern_coastal_forum_mission", {"commission": -1, "observers": 0}, {}),
        ("largely peaceful", "direct", "southern_coastal_forum_mission", {}, {"nested": True}),
        ("lacked transparency", "direct", "southern_coastal_forum_mission", {}, {"nested": True}),
        ("We call on the commission to publish the results polling station by polling station, so "
         "that every citizen can check them",
         "direct", "ilse_varga", {"commission": -1, "observers": 0}, {}),
        ("the observers had visited “barely a tenth” of the polling stations and had drawn their "
         "conclusions before the last ballots were counted",
         "mixed", "dana_feld", {"commission": 0, "observers": -1}, {}),
        ("barely a tenth", "direct", "dana_feld", {}, {"nested": True}),
        ("They saw what we saw. The commission has become an arm of the ruling party",
         "direct", "mara_quint", {"commission": -1, "observers": 1}, {}),
        ("he could understand the opposition’s disappointment but that the result was final",
         "indirect", "petr_alvin", {"commission": 0, "observers": 0}, {}),
    ]),
    "ar_ighatha_nuran": ("ar", ("mission", "government"), [
        ("الفرق أنجزت مهمتها بنجاح، وأعادت تشغيل المستشفى الرئيسي وأوصلت المياه إلى كل القرى",
         "direct", "karim_al_haddad", {"mission": 1, "government": 0}, {}),
        ("فرق الإنقاذ عملت \"بتنسيق كامل مع السلطات المحلية\"",
         "mixed", "sami_al_attar", {"mission": 1, "government": 0}, {}),
        ("بتنسيق كامل مع السلطات المحلية", "direct", "sami_al_attar", {}, {"nested": True}),
        ("الحكومة ستتولى إعادة الإعمار بنفسها",
         "indirect", "sami_al_attar", {"mission": 0, "government": 0}, {}),
        ("انتظرنا خمسة أيام قبل أن يصل إلينا أحد. الحكومة تركتنا وحدنا، والبعثة جاءت متأخرة",
         "direct", "huda_mansour", {"mission": -1, "government": -1}, {}),
        ("ندعو الحكومة إلى الكشف عن مصير أموال المساعدات، ولدينا أسئلة جدية حول ما إذا كانت قد "
         "وصلت فعلا إلى المتضررين",
         "direct", "faris_al_khatib", {"mission": 0, "government": -1}, {}),
        ("التعاون مع البعثة كان \"مثمرا\"، وإن المرحلة المقبلة تتطلب دعما طويل الأمد للأسر التي "
         "فقدت منازلها",
         "mixed", "nuran_red_crescent", {"mission": 1, "government": 0}, {}),
        ("مثمرا", "direct", "nuran_red_crescent", {}, {"nested": True}),
    ]),
    "ar_sadd_rimal": ("ar", ("dam", "mediation"), [
        ("السد يهدد حصتنا من المياه ويعرض ملايين المزارعين للخطر",
         "direct", "adel_al_shami", {"dam": -1, "mediation": 0}, {}),
        ("الوساطة \"لم تحقق أي تقدم حقيقي حتى الآن\"",
         "mixed", "adel_al_shami", {"dam": 0, "mediation": -1}, {}),
        ("لم تحقق أي تقدم حقيقي حتى الآن", "direct", "adel_al_shami", {}, {"nested": True}),
        ("السد \"مشروع تنموي مشروع\" لن يلحق الضرر بأي دولة، وأن بلادها قدمت كل الضمانات الفنية "
         "اللازمة",
         "mixed", "layla_al_banna", {"dam": 1, "mediation": 0}, {}),
        ("مشروع تنموي مشروع", "direct", "layla_al_banna", {}, {"nested": True}),
        ("نقدر جهود الاتحاد وصبره، ونثق بأن الوساطة ستنجح إذا توفرت الإرادة لدى الطرف الآخر",
         "direct", "layla_al_banna", {"dam": 0, "mediation": 1}, {}),
        ("الطرفين يتحملان مسؤولية الجمود",
         "indirect", "marwan_al_ali", {"dam": 0, "mediation": 0}, {}),
        ("الاتحاد يفتقر إلى أدوات الضغط اللازمة لفرض حل",
         "indirect", "marwan_al_ali", {"dam": 0, "mediation": -1}, {}),
    ]),
    "ru_marshruty_krasnopolsk": ("ru", ("reform", "mayor"), [
        ("Реформа прошла спокойно, автобусы ходят по расписанию, и уже через неделю люди привыкнут",
         "direct", "oleg_safronov", {"reform": 1, "mayor": 0}, {}),
        ("за первые три дня пассажиропоток на новых линиях вырос на девять процентов",
         "indirect", "irina_belova", {"reform": 1, "mayor": 0}, {}),
        ("Наш маршрут просто отменили, теперь до больницы я добираюсь с двумя пересадками. Это не "
         "реформа, а издевательство",
         "direct", "valentina_kuznetsova", {"reform": -1, "mayor": 0}, {}),
        ("мэрия провела реформу «без всякого обсуждения с горожанами»",
         "mixed", "andrey_lomov", {"reform": -1, "mayor": -1}, {}),
        ("без всякого обсуждения с горожанами", "direct", "andrey_lomov", {}, {"nested": True}),
        ("Мы призываем мэрию немедленно вернуть социальные маршруты и наконец выслушать жителей",
         "direct", "andrey_lomov", {"reform": -1, "mayor": -1}, {}),
        ("новая сеть «в целом логична»",
         "mixed", "denis_garin", {"reform": 1, "mayor": 0}, {}),
        ("в целом логична", "direct", "denis_garin", {}, {"nested": True}),
        ("мэрия плохо подготовила переход",
         "indirect", "denis_garin", {"reform": 0, "mayor": -1}, {}),
    ]),
    "ru_proverka_severhim": ("ru", ("inspection", "company"), [
        ("Комиссия выполнила свою задачу в полном объёме: мы осмотрели все цеха и изучили документы "
         "за последние пять лет",
         "direct", "hans_olsen", {"inspection": 1, "company": 0}, {}),
        ("выводы будут опубликованы в течение месяца",
         "indirect", "hans_olsen", {"inspection": 0, "company": 0}, {}),
        ("компания «действовала быстро и ответственно» и что угрозы для жителей не было",
         "mixed", "viktor_zuev", {"inspection": 0, "company": 1}, {}),
        ("действовала быстро и ответственно", "direct", "viktor_zuev", {}, {"nested": True}),
        ("Завод три дня скрывал масштаб выброса. Мы требуем от руководства „Северхима“ полной "
         "открытости и компенсаций пострадавшим",
         "direct", "alina_rudneva", {"inspection": 0, "company": -1}, {}),
        ("комиссия сможет сохранить независимость, поскольку часть её расходов оплатил сам завод",
         "indirect", "alina_rudneva", {"inspection": -1, "company": 0}, {}),
        ("Я прошу всех дождаться доклада комиссии и не делать поспешных выводов",
         "direct", "sergey_pakhomov", {"inspection": 0, "company": 0}, {}),
    ]),
}


def build():
    """The gold lines, in order (JSON text, one per item)."""
    lines = []
    for doc_id, (lang, targets, items) in DOCS.items():
        text = (HERE / "texts" / f"{doc_id}.txt").read_text(encoding="utf-8")
        for n, (quote, qtype, speaker, labels, extra) in enumerate(items):
            lo = text.index(extra["anchor"]) if "anchor" in extra else 0
            start = text.find(quote, lo)
            if start < 0 or text.find(quote, start + 1) >= 0:
                raise SystemExit(f"{doc_id}: quote not found exactly once: {quote!r}")
            nested = bool(extra.get("nested"))
            if not nested and set(labels) != set(targets):
                raise SystemExit(f"{doc_id}: item {n} must label {targets}")
            if start < text.index("\n"):
                raise SystemExit(f"{doc_id}: item {n} is in the headline")
            row = {"id": f"{doc_id}#{n:02d}", "doc_id": doc_id, "lang": lang,
                   "start": start, "end": start + len(quote), "type": qtype,
                   "speaker": speaker, "side": None}
            for t in targets:
                row[f"stance_{t}"] = labels.get(t)
            row.update({"optional": nested or bool(extra.get("optional")), "nested": nested,
                        "hard": False, "align": None, "quote": quote})
            assert text[row["start"]:row["end"]] == quote
            lines.append(json.dumps(row, ensure_ascii=False))
    return lines


if __name__ == "__main__":
    lines = build()
    (HERE / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(len(lines), "items written")
