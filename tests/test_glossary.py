"""One Indonesian term per concept (docs/glossary.md), everywhere Indonesian is written: the
whole catalog (the pages, the data checks, the command line), the data contract's
descriptions and code names (the template, the codebook), and the glossary itself.

``test_reporting.py`` checks the pages' messages against the glossary's "Terms checked"
tables; these tests hold every other Indonesian text to the same tables.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_reporting import _catalog, _glossary_tables

from score_analysis.data.contract import TABLES
from score_analysis.data.contract.words import CODE_NAMES_ID

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"


def _pairs() -> list[tuple[str, str]]:
    """(English, Indonesian) of every text of the catalog and of the data contract."""
    pairs = []
    for m in _catalog():
        if not m.id:
            continue
        english = m.id if isinstance(m.id, str) else " ".join(m.id)
        pairs.append((english, m.string if isinstance(m.string, str) else " ".join(m.string)))
    for table in TABLES.values():
        pairs.append((table.en, table.id))
        pairs += [(c.en, c.id) for c in table.columns]
        pairs += [(i.en, i.id) for i in table.items]
    return pairs


def _problems(pairs, required, rejected) -> list[tuple[str, str]]:
    problems = []
    for english, indonesian in pairs:
        for bad, good in rejected:
            if bad.lower() in indonesian.lower():
                problems.append((indonesian[:60], f"uses {bad!r}, not {good!r}"))
        for term, term_id in required:
            if term.lower() in english.lower() and term_id.lower() not in indonesian.lower():
                problems.append((english[:60], f"{term!r} is not {term_id!r}"))
    return problems


def test_every_indonesian_text_keeps_the_glossary_terms():
    required, rejected = _glossary_tables()
    assert _problems(_pairs(), required, rejected) == []


def test_the_check_finds_a_term_said_another_way():
    required, rejected = _glossary_tables()
    assert _problems([("the bipartite committee met", "rapat komite dua pihak")], required,
                     rejected)
    assert _problems([("the improvement team", "tim perbaikan perusahaan")], required, rejected)


def test_the_code_names_of_the_drop_downs_follow_the_glossary():
    names = {code: name.lower() for code, name in CODE_NAMES_ID.items()}
    assert "tim peningkatan perusahaan" in " ".join(
        c.id.lower() for t in TABLES.values() for c in (*t.columns, *t.items)
        if "improvement team" in c.en.lower())
    assert names["bipartite_meetings"] == "rapat lks bipartit"
    assert names["baseline"] == "awal" and names["visit_2"] == "kunjungan 2"
    assert names["final_workshop"] == "lokakarya hasil akhir"
    assert names["comparison"] == "pembanding"


def _glossary_rows() -> list[tuple[str, str]]:
    text = GLOSSARY.read_text(encoding="utf-8")
    main = text[:text.index("## Terms checked in the catalog")]
    rows = []
    for line in main.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and not set(cells[0]) <= {"-", " "}:
            rows.append((cells[0], cells[1]))
    return rows[1:]  # without the header


def test_the_glossary_names_one_indonesian_term_per_english_term():
    rows = _glossary_rows()
    seen: dict[str, str] = {}
    for english, indonesian in rows:
        key = english.lower()
        assert seen.setdefault(key, indonesian) == indonesian, (english, seen[key], indonesian)
    terms = {e.lower(): i for e, i in rows}
    # the terms of the programme's own Indonesian (the workshop, the implementation records)
    assert terms["comparison enterprise"] == "perusahaan pembanding"
    assert terms["enterprise improvement team (eit)"] == "tim peningkatan perusahaan (EIT)"
    assert terms["bipartite committee"].startswith("LKS Bipartit")
    assert terms["slide / slide deck"].startswith("salindia")
    assert terms["implementation record (of the trainer's visits)"] == "catatan pelaksanaan"
    assert re.search(r"5R: Ringkas, Rapi, Resik, Rawat, Rajin", terms[
        "5s: sort, set in order, shine, standardize, sustain"])
    assert terms["5s index"] == "indeks 5R"
